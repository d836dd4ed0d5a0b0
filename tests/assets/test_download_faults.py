"""download() against a real loopback server misbehaving in every way the issue lists."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import random
from typing import TYPE_CHECKING

import pytest

from mdvalidator.assets.download import Validators, download
from mdvalidator.assets.fetch import FetchError
from mdvalidator.assets.hashing import HEAD_SIZE
from mdvalidator.assets.options import AssetOptions
from mdvalidator.problem import AssetStatus

if TYPE_CHECKING:
    from conftest import AssetServer


BODY = random.Random(1).randbytes(
    3 * 1024 * 1024 + 123
)  # several chunks, not a multiple of the chunk size
DIGEST = hashlib.sha256(BODY).hexdigest()


def test_plain_download_hashes_the_exact_bytes(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    result = download(server.url("/a.bin"), options)
    assert (result.digest, result.size) == (DIGEST, len(BODY))
    assert result.head == BODY[:HEAD_SIZE]
    assert server.seen[0].headers["Accept-Encoding"] == "identity"


@pytest.mark.parametrize("reset", [False, True], ids=["close", "reset"])
def test_drop_mid_stream_resumes_with_range(
    server: AssetServer, options: AssetOptions, reset: bool
) -> None:
    server.route("/a.bin", body=BODY, drops=2, drop_at=1_500_000, reset=reset)
    result = download(server.url("/a.bin"), options)
    assert result.digest == DIGEST
    assert len(server.seen) == 3
    if reset:
        return  # a reset may discard what was in flight: resuming or restarting are both right
    ranges = [s.headers.get("Range") for s in server.seen]
    assert ranges[0] is None
    assert ranges[1] is not None and ranges[1] != "bytes=0-"
    assert all(s.headers.get("If-Range") for s in server.seen[1:])


def test_server_ignoring_range_restarts_the_hash(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY, drops=1, drop_at=2_000_000, ignore_range=True)
    result = download(server.url("/a.bin"), options)
    assert (result.digest, result.size) == (DIGEST, len(BODY))
    assert server.seen[1].headers.get("Range")  # asked for the rest, got the whole


def test_etag_changing_between_attempts_hashes_the_new_version(
    server: AssetServer, options: AssetOptions
) -> None:
    new = random.Random(2).randbytes(len(BODY))
    server.route("/a.bin", versions=[BODY, new], drops=1, drop_at=1_000_000)
    result = download(server.url("/a.bin"), options)
    assert result.digest == hashlib.sha256(new).hexdigest()
    assert result.size == len(new)


def test_range_of_another_version_is_not_spliced(
    server: AssetServer, options: AssetOptions
) -> None:
    # A server that ignores If-Range answers 206 with the new version's tail: a splice of two
    # versions would hash to garbage (or worse, to an attacker's choice). It must restart.
    new = random.Random(3).randbytes(len(BODY))
    server.route("/a.bin", versions=[BODY, new], drops=1, drop_at=1_000_000, ignore_if_range=True)
    result = download(server.url("/a.bin"), options)
    assert result.digest == hashlib.sha256(new).hexdigest()
    assert [s.headers.get("Range") for s in server.seen][1:] == ["bytes=1000000-", None]


def test_5xx_and_429_bursts_then_success(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY, statuses=[500, 503, 429], retry_after="1")
    assert download(server.url("/a.bin"), options).digest == DIGEST
    assert len(server.seen) == 4


def test_endless_5xx_is_unreachable_after_bounded_retries(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", always_status=503)
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), options)
    assert caught.value.status is AssetStatus.UNREACHABLE
    assert "HTTP 503" in caught.value.message
    assert len(server.seen) == options.retries + 1


def test_slow_drip_beyond_the_deadline_times_out(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY[:1000], drip=0.02)
    quick = dataclasses.replace(options, deadline=0.5)
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), quick)
    assert caught.value.status is AssetStatus.UNREACHABLE
    assert caught.value.reason == "timeout"


def test_content_length_larger_than_body_never_passes(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY, length_delta=100)
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), options)
    assert caught.value.status is AssetStatus.UNREACHABLE
    assert caught.value.reason == "dropped"


def test_content_length_smaller_than_body_hashes_what_was_declared(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY, length_delta=-100)
    result = download(server.url("/a.bin"), options)
    assert result.size == len(BODY) - 100
    assert result.digest != DIGEST


def test_gzip_encoded_body_is_hashed_raw(server: AssetServer, options: AssetOptions) -> None:
    raw = gzip.compress(BODY[:100_000])
    server.route("/a.bin", body=raw, encoding="gzip")
    result = download(server.url("/a.bin"), options)
    assert result.digest == hashlib.sha256(raw).hexdigest()
    assert result.digest != hashlib.sha256(BODY[:100_000]).hexdigest()


def test_chunked_body(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY[:50_000], chunked=True)
    result = download(server.url("/a.bin"), options)
    assert result.digest == hashlib.sha256(BODY[:50_000]).hexdigest()


def test_404_is_unreachable_at_once(server: AssetServer, options: AssetOptions) -> None:
    with pytest.raises(FetchError) as caught:
        download(server.url("/missing.bin"), options)
    assert caught.value.status is AssetStatus.UNREACHABLE
    assert "HTTP 404" in caught.value.message
    assert len(server.seen) == 1


def test_redirect_loop_is_capped(server: AssetServer, options: AssetOptions) -> None:
    server.route("/loop", location="/loop")
    with pytest.raises(FetchError) as caught:
        download(server.url("/loop"), options)
    assert caught.value.reason == "redirects"
    assert len(server.seen) == options.max_redirects + 1


def test_size_cap_on_content_length(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), dataclasses.replace(options, max_size=1000))
    assert caught.value.status is AssetStatus.TOO_LARGE
    assert len(server.seen) == 1


def test_size_cap_while_streaming(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY, chunked=True)
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), dataclasses.replace(options, max_size=1_000_000))
    assert caught.value.status is AssetStatus.TOO_LARGE


def test_conditional_request_not_modified(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    first = download(server.url("/a.bin"), options)
    second = download(server.url("/a.bin"), options, known=first.validators)
    assert second.not_modified and second.digest is None
    assert server.seen[1].headers["If-None-Match"] == first.validators.etag


def test_conditional_request_changed(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    known = Validators(etag='"old"', length=len(BODY))
    result = download(server.url("/a.bin"), options, known=known)
    assert not result.not_modified and result.digest == DIGEST
