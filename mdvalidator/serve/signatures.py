"""Webhook authentication, as pure functions over headers, body and the clock.

Gitee sends ``X-Gitee-Token`` in one of two modes (help.gitee.com, "WebHook 密钥验证和验证算法"):
the plain password, or the signature ``Base64(HMAC-SHA256(secret, timestamp + "\\n" + secret))``
over the millisecond ``X-Gitee-Timestamp``, which Gitee may send URL-encoded; the timestamp must
lie within one hour of now. The signature does not cover the body, so the payload is only used
to name a pull request (the worker reads everything else back from the API). GitHub signs the
raw body: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>``. Every comparison is
constant time. Each accepted delivery yields a ``replay_key``; a key seen before is a replay.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

GITEE_MAX_SKEW_SECONDS = 3600
_DELIVERY = re.compile(r"^[0-9A-Za-z-]{1,100}$")

# Why a delivery was refused (metrics label values).
MISSING = "missing-signature"
BAD = "bad-signature"
EXPIRED = "expired"


@dataclass(frozen=True)
class Verdict:
    """``ok`` with the key that identifies this delivery, or the reason for refusing it."""

    ok: bool
    reason: str = ""
    mode: str = ""  # gitee: "password" or "signature"; github: "hmac"
    replay_key: str = ""


def _refused(reason: str) -> Verdict:
    return Verdict(False, reason)


def _equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def gitee_signature(secret: str, timestamp: str) -> str:
    """Gitee's signature of ``timestamp`` (before URL-encoding)."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def _fresh(timestamp: str, now: float) -> bool:
    if not timestamp.isdigit() or len(timestamp) > 16:
        return False
    return abs(int(timestamp) / 1000 - now) <= GITEE_MAX_SKEW_SECONDS


def verify_gitee(headers: Mapping[str, str], body: bytes, secret: str, now: float) -> Verdict:
    """Check a Gitee delivery (``headers`` with lower-case names; ``now`` in epoch seconds)."""
    token = headers.get("x-gitee-token", "")
    timestamp = headers.get("x-gitee-timestamp", "").strip()
    if not token or not secret:
        return _refused(MISSING)
    if len(token) > 512:
        return _refused(BAD)
    if _equal(token, secret):
        if timestamp and not _fresh(timestamp, now):
            return _refused(EXPIRED)
        body_digest = hashlib.sha256(body).hexdigest()
        return Verdict(True, mode="password", replay_key=f"gitee:pw:{timestamp}:{body_digest}")
    if not timestamp:
        return _refused(MISSING)
    expected = gitee_signature(secret, timestamp)
    # Both forms are compared, whichever matched: the time taken does not tell which.
    raw_match = _equal(token, expected)
    encoded_match = _equal(unquote(token), expected)
    if not (raw_match or encoded_match):
        return _refused(BAD)
    if not _fresh(timestamp, now):
        return _refused(EXPIRED)
    # The body is part of the key: two deliveries Gitee signs in the same millisecond are two
    # events, and a replayed signature with another body only asks for a (harmless) recheck.
    body_digest = hashlib.sha256(body).hexdigest()
    key = f"gitee:sig:{timestamp}:{expected}:{body_digest}"
    return Verdict(True, mode="signature", replay_key=key)


def github_signature(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value GitHub sends for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_github(headers: Mapping[str, str], body: bytes, secret: str) -> Verdict:
    """Check a GitHub delivery: the body's HMAC, and a well-formed ``X-GitHub-Delivery``."""
    given = headers.get("x-hub-signature-256", "")
    delivery = headers.get("x-github-delivery", "")
    if not given or not secret:
        return _refused(MISSING)
    if not _equal(given, github_signature(secret, body)):
        return _refused(BAD)
    if not _DELIVERY.match(delivery):
        return _refused(MISSING)
    return Verdict(True, mode="hmac", replay_key=f"github:{delivery}")
