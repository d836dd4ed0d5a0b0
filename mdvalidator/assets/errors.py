"""Failures and time budgets of fetching: FetchError, retries with backoff, the deadline.

A failure is either final (:class:`FetchError`, with a message safe to print) or worth another
attempt (:class:`Retryable`); :func:`classify` sorts low-level exceptions into the two.
"""

from __future__ import annotations

import http.client
import math
import socket
import ssl
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import TypeVar

from mdvalidator.assets.health import Trace
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.watchdog import WATCHDOG
from mdvalidator.problem import AssetStatus
from mdvalidator.sanitize import clean, redact_url

T = TypeVar("T")


class FetchError(Exception):
    """A fetch that failed for good. ``message`` is safe to print (sanitised, redacted URL).

    ``status`` is UNREACHABLE, BLOCKED or TOO_LARGE; ``reason`` a short machine-readable word:
    ``timeout``, ``http``, ``dns`` (the name does not exist), ``dns-failed`` (no answer from
    DNS), ``connect``, ``dropped``, ``redirects``, ``scheme``, ``address``, ``size``, ``url``,
    ``protocol``, ``tls``. :mod:`mdvalidator.assets.health` reads them.
    """

    def __init__(
        self, status: AssetStatus, message: str, reason: str = "", http_status: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.http_status = http_status  # the HTTP status it failed with, when reason is "http"

    def after(self, attempts: int) -> FetchError:
        """The same failure, saying how many attempts it took."""
        message = f"{self.message} (after {attempts} attempts)"
        return FetchError(self.status, message, self.reason, self.http_status)


class Retryable(Exception):
    """A failure worth another attempt; ``error`` is what to report if none is left."""

    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.wait = wait


class Deadline:
    """A total time budget shared by every attempt at one fetch, and the :class:`Trace` those
    attempts report to (what the fetch met: statuses, hosts, redirects, attempts)."""

    def __init__(self, seconds: float, trace: Trace | None = None) -> None:
        self.end = time.monotonic() + seconds
        self.trace = trace if trace is not None else Trace()

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.end


def unreachable(url: str, what: str, reason: str) -> FetchError:
    return FetchError(AssetStatus.UNREACHABLE, f"{redact_url(url)}: {what}", reason)


def timed_out(url: str, options: AssetOptions) -> FetchError:
    return unreachable(url, f"timed out (deadline {options.deadline:g}s)", "timeout")


def classify(url: str, exc: Exception, options: AssetOptions, deadline: Deadline) -> Exception:
    """A low-level failure as a FetchError (final) or Retryable (worth another attempt)."""
    if isinstance(exc, (FetchError, Retryable)):
        return exc
    if deadline.expired():
        return timed_out(url, options)
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = clean(str(exc.verify_message), 100)
        return unreachable(url, f"TLS certificate not valid: {detail}", "tls")
    if isinstance(exc, ssl.SSLError):
        return Retryable(unreachable(url, "TLS error", "tls"))
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return Retryable(unreachable(url, "timed out waiting for the server", "timeout"))
    if isinstance(exc, ConnectionRefusedError):
        return Retryable(unreachable(url, "connection refused", "connect"))
    if isinstance(exc, (http.client.IncompleteRead, http.client.RemoteDisconnected)):
        return Retryable(unreachable(url, "connection dropped", "dropped"))
    if isinstance(exc, http.client.HTTPException):
        return Retryable(unreachable(url, "malformed HTTP response", "protocol"))
    if isinstance(exc, OSError):
        text = clean(exc.strerror or type(exc).__name__, 100)
        return Retryable(unreachable(url, f"connection failed: {text}", "dropped"))
    return unreachable(url, f"failed: {type(exc).__name__}", "protocol")


def retry_after(value: str | None, cap: float) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta or HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), cap)


MAX_RESUMES = 50  # attempts that made progress and resumed at once (a dropped download)


def with_retries(
    url: str,
    options: AssetOptions,
    deadline: Deadline,
    attempt: Callable[[], T],
    progress: Callable[[], int] | None = None,
    sleep: Callable[[float], object] = WATCHDOG.stopped.wait,
) -> T:
    """Run ``attempt`` until it succeeds, fails for good, or retries/deadline run out: the one
    retry loop of fetching (small documents, probes, single-stream downloads, each part of a
    multi-connection download).

    A :class:`Retryable` failure waits (its ``Retry-After``, else exponential backoff) and tries
    again, at most ``options.retries`` times. With ``progress`` (a count of bytes kept so far),
    an attempt that made progress before failing resumes at once without using up a retry
    (at most :data:`MAX_RESUMES` times): a connection dropped mid-stream is not the server
    failing to answer. ``sleep`` waits between attempts and returns early when the wait is
    no longer wanted (by default: on Ctrl-C).
    """
    failures = 0
    resumes = 0
    while True:
        before = progress() if progress is not None else 0
        try:
            return attempt()
        except Retryable as retry:
            if deadline.expired():
                raise timed_out(url, options) from None
            if progress is not None and progress() > before and resumes < MAX_RESUMES:
                resumes += 1
                deadline.trace.retried()
                continue
            failures += 1
            if failures > options.retries:
                raise retry.error.after(failures + resumes) from None
            deadline.trace.retried()
            wait = retry.wait if retry.wait is not None else options.backoff * 2 ** (failures - 1)
            if wait >= deadline.remaining():
                raise timed_out(url, options) from None
            sleep(wait)
        if deadline.expired():
            raise timed_out(url, options)


def too_large(url: str, length: int | None, limit: int) -> FetchError:
    size = f"{length} bytes, " if length is not None else ""
    return FetchError(
        AssetStatus.TOO_LARGE,
        f"{redact_url(url)}: larger than the limit ({size}limit {limit} bytes;"
        " see --max-asset-size)",
        "size",
    )
