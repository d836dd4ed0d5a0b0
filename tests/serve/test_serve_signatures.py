"""Webhook authentication: Gitee's two modes (raw and URL-encoded), expiry, GitHub's HMAC."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from serve_support import GITEE_SECRET, GITHUB_SECRET, gitee_headers, github_headers

from mdvalidator.serve import signatures as S


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_the_gitee_signature_is_the_documented_algorithm() -> None:
    # help.gitee.com: Base64(HmacSHA256(secret, timestamp + "\n" + secret)); a known vector
    # computed independently with hmac/base64 for secret "this is secret".
    assert S.gitee_signature("this is secret", "1577936237626") == (
        "rymE6Akcnk9ELcIUyeO5L051k4sstEHWSdBOhY8iYRs="
    )


@pytest.mark.parametrize("encoded", [False, True])
def test_gitee_signature_mode_is_accepted_raw_or_url_encoded(encoded: bool) -> None:
    headers = lower(gitee_headers(encoded=encoded))
    if encoded:
        assert "%" in headers["x-gitee-token"]
    verdict = S.verify_gitee(headers, b"{}", GITEE_SECRET, time.time())
    assert verdict.ok and verdict.mode == "signature"
    assert verdict.replay_key.startswith("gitee:sig:")


def test_gitee_password_mode_is_accepted_and_keyed_by_body() -> None:
    headers = lower(gitee_headers(mode="password"))
    one = S.verify_gitee(headers, b'{"a": 1}', GITEE_SECRET, time.time())
    two = S.verify_gitee(headers, b'{"a": 2}', GITEE_SECRET, time.time())
    assert one.ok and one.mode == "password" and two.ok
    assert one.replay_key != two.replay_key


def _at(offset: float) -> int:
    return int((time.time() + offset) * 1000)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (lambda: gitee_headers(secret="not-the-secret"), S.BAD),
        (lambda: gitee_headers(mode="password", secret="not-the-secret"), S.BAD),
        (lambda: {"X-Gitee-Timestamp": "1"}, S.MISSING),
        (lambda: gitee_headers(timestamp=_at(-3700)), S.EXPIRED),
        (lambda: gitee_headers(timestamp=_at(3700)), S.EXPIRED),
        (lambda: gitee_headers(mode="password", timestamp=_at(-7200)), S.EXPIRED),
    ],
    ids=[
        "forged-signature",
        "wrong-password",
        "no-token",
        "an-hour-old",
        "from-the-future",
        "password-old",
    ],
)
def test_gitee_refusals(headers: Callable[[], dict[str, str]], reason: str) -> None:
    verdict = S.verify_gitee(lower(headers()), b"{}", GITEE_SECRET, time.time())
    assert not verdict.ok and verdict.reason == reason


def test_a_signature_of_another_timestamp_is_refused() -> None:
    headers = lower(gitee_headers())
    headers["x-gitee-timestamp"] = str(int(headers["x-gitee-timestamp"]) + 1)
    assert S.verify_gitee(headers, b"{}", GITEE_SECRET, time.time()).reason == S.BAD


def test_a_replay_is_the_same_signature_timestamp_and_body() -> None:
    headers = lower(gitee_headers())
    one = S.verify_gitee(headers, b'{"pull_request": 1}', GITEE_SECRET, time.time())
    again = S.verify_gitee(headers, b'{"pull_request": 1}', GITEE_SECRET, time.time())
    other = S.verify_gitee(headers, b'{"pull_request": 2}', GITEE_SECRET, time.time())
    assert one.replay_key == again.replay_key
    # Gitee's signature does not cover the body: two events signed in the same millisecond
    # are both accepted (a replayed signature with another body only asks for a recheck)
    assert one.replay_key != other.replay_key


def test_github_signature_and_delivery_id() -> None:
    body = b'{"action": "opened"}'
    headers = lower(github_headers(body, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958"))
    verdict = S.verify_github(headers, body, GITHUB_SECRET)
    assert verdict.ok and verdict.replay_key == "github:72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert S.verify_github(headers, body + b" ", GITHUB_SECRET).reason == S.BAD
    assert S.verify_github(headers, body, "other").reason == S.BAD
    del headers["x-github-delivery"]
    assert S.verify_github(headers, body, GITHUB_SECRET).reason == S.MISSING
    assert S.verify_github({}, body, GITHUB_SECRET).reason == S.MISSING
