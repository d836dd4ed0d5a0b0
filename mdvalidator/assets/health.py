"""What a failure is: the health of an asset result and the evidence behind it.

Every request for one asset (each attempt, each part of a multi-connection download, each
redirect hop) reports to the asset's :class:`Trace`, carried by its
:class:`~mdvalidator.assets.errors.Deadline`. Once the download is over,
:meth:`Trace.evidence` reads it and :func:`classify` turns the status, the failure's reason
and the evidence into an :class:`~mdvalidator.problem.AssetHealth`:

- ``dead``: 404 or 410, any other final 4xx (401, 403, 451: the file is not public), or a host
  name that does not exist (NXDOMAIN, no address);
- ``flaky``: 5xx, 408, 425, 429, timeouts, dropped, reset or refused connections, TLS and
  protocol failures, a DNS server that did not answer: what may pass on another run;
- ``moved``: verified, but the link's leading permanent redirects (301, 308) end on another
  host (``moved_to``: the link to write instead); a dead or mismatching asset stays so, with
  ``moved_to`` in its evidence;
- ``verified``, ``mismatch``, ``blocked`` (address gate, size cap), ``skipped``: from the status.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from mdvalidator.problem import HEALTH_OF_STATUS, AssetEvidence, AssetHealth, AssetStatus
from mdvalidator.sanitize import clean, redact_url
from mdvalidator.urls import LinkError, parse_link

PERMANENT = frozenset({301, 308})
_NOT_DEAD_4XX = frozenset({408, 425, 429})  # retried: the server may answer later

__all__ = ["PERMANENT", "Trace", "classify", "describe", "host_of"]


def host_of(url: str) -> str:
    """The host name of ``url`` as the fetcher reads it; empty when it cannot be read."""
    try:
        return parse_link(url).host
    except LinkError:
        return ""


class Trace:
    """What every request for one asset met; shared by threads (the parts of a download)."""

    def __init__(self, link: str = "") -> None:
        self._lock = threading.Lock()
        self.link = link  # the first URL asked for: the card's link
        self.retries = 0  # attempts made again: after a failure, a resume, a restart
        self.last_url = ""  # the URL of the latest request
        self.last_status: int | None = None  # the latest HTTP status answered (after redirects)
        self.moved_to: str | None = None

    def requested(self, url: str) -> None:
        with self._lock:
            self.last_url = url

    def answered(self, status: int) -> None:
        with self._lock:
            self.last_status = status

    def retried(self) -> None:
        with self._lock:
            self.retries += 1

    def followed(self, url: str, hops: Sequence[tuple[int, str]]) -> None:
        """A request for ``url`` went through redirect ``hops`` ((status, to) each). Only the
        chain that starts at the link itself says whether the link moved."""
        with self._lock:
            if not self.link:
                self.link = url
            if url != self.link:
                return
            target = None
            for status, to in hops:
                if status not in PERMANENT:
                    break  # a temporary redirect: the URL before it is the one to keep
                target = to
            moved = target is not None and host_of(target) != host_of(url)
            self.moved_to = target if moved else None

    def evidence(self, http_status: int | None = None) -> AssetEvidence:
        """The evidence of the asset's download; ``http_status`` of the failure, when it was an
        HTTP answer, wins over the latest one seen (another part's 206, say)."""
        with self._lock:
            url = self.last_url or self.link
            status = http_status if http_status is not None else self.last_status
            return AssetEvidence(
                http_status=status,
                host=clean(host_of(url), 255),
                attempts=1 + self.retries if self.last_url else 0,
                moved_to=redact_url(self.moved_to) if self.moved_to else None,
            )


def classify(status: AssetStatus, reason: str, found: AssetEvidence | None) -> AssetHealth:
    """The health of a result with this status, failure reason and evidence."""
    moved = found is not None and found.moved_to is not None
    if status in (AssetStatus.VERIFIED, AssetStatus.CACHED) and moved:
        return AssetHealth.MOVED
    if status in HEALTH_OF_STATUS:
        return HEALTH_OF_STATUS[status]
    code = found.http_status if found is not None else None
    if reason == "http" and code is not None and 400 <= code < 500 and code not in _NOT_DEAD_4XX:
        return AssetHealth.DEAD
    if reason == "dns":
        return AssetHealth.DEAD
    return AssetHealth.FLAKY


_PHRASES = {
    "timeout": "timed out",
    "dropped": "connection dropped",
    "connect": "connection refused",
    "tls": "TLS failure",
    "protocol": "malformed answer",
    "redirects": "too many redirects",
    "dns-failed": "DNS lookup failed",
    "interrupted": "interrupted",
    "mirror": "not in the mirror folder",
    "internal": "internal error",
}


def describe(health: AssetHealth, reason: str, found: AssetEvidence) -> str:
    """``the link is dead: 404 from host X after 1 attempt``, ``flaky: 503 from X after 3
    attempts``: what a dead or flaky result says first; empty for the other healths."""
    attempts = f"after {found.attempts} attempt{'' if found.attempts == 1 else 's'}"
    host = found.host or "the host"
    if health is AssetHealth.DEAD:
        if reason == "dns":
            return f"the link is dead: host {host} does not resolve, {attempts}"
        return f"the link is dead: {found.http_status} from host {host} {attempts}"
    if health is AssetHealth.FLAKY:
        if reason == "http" and found.http_status is not None:
            return f"flaky: {found.http_status} from {host} {attempts}"
        return f"flaky: {_PHRASES.get(reason, 'failed')} at {host} {attempts}"
    return ""
