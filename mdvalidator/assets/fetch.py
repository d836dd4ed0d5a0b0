"""Safe HTTP(S) for untrusted links: checked addresses, pinned connections, bounded everything.

Every request resolves the host once, refuses the lot if any address is not public (unless the
options allow private networks), and connects to exactly the address it checked, sending the
real host name in ``Host`` and in TLS SNI (certificates are verified against the name). Each
redirect hop goes through the same gate. Nothing is read from the environment: no proxies, no
``.netrc`` credentials. Bodies are asked for with ``Accept-Encoding: identity`` and never
decoded. Public API: :class:`FetchError`, :func:`fetch_small` (and
:func:`fetch_small_conditional`, which revalidates), :func:`probe`, :func:`open_url`
(with a :class:`Reusable` to keep one connection open between requests to the same host).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from mdvalidator import __version__
from mdvalidator.assets.addresses import (
    blocked_reason,
    literal_address,
    parse_resolved,
    system_resolver,
)
from mdvalidator.assets.connections import PinnedHTTPConnection, PinnedHTTPSConnection, Reusable
from mdvalidator.assets.errors import (
    Deadline,
    FetchError,
    Retryable,
    classify,
    retry_after,
    timed_out,
    too_large,
    unreachable,
    with_retries,
)
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.watchdog import WATCHDOG
from mdvalidator.problem import AssetStatus
from mdvalidator.sanitize import clean, redact_url
from mdvalidator.urls import Link, LinkError, join_link, parse_link

__all__ = [
    "Deadline",
    "FetchError",
    "Opened",
    "Retryable",
    "Reusable",
    "Small",
    "check_status",
    "check_url",
    "checked_link",
    "classify",
    "content_length",
    "fetch_small",
    "fetch_small_conditional",
    "open_url",
    "probe",
    "resolve_checked",
    "retry_after",
    "timed_out",
    "too_large",
    "unreachable",
    "with_retries",
]

USER_AGENT = f"mdvalidator/{__version__} (+asset sha256 verification)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# A resolver that could not get an answer (temporary failure, server failure), unlike a name
# that does not exist (EAI_NONAME, NXDOMAIN): "dns-failed" (flaky) rather than "dns" (dead).
_DNS_TRIED = frozenset(
    code for name in ("EAI_AGAIN", "EAI_FAIL") if (code := getattr(socket, name, None)) is not None
)
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504}) | frozenset(range(520, 530))


@dataclass
class Opened:
    """A response whose headers have arrived; the body is still on the wire."""

    url: str
    response: http.client.HTTPResponse
    connection: http.client.HTTPConnection
    disarm: Callable[[], None] | None = None  # cancels the deadline watchdog
    hops: list[str] = field(default_factory=list)
    reusable: Reusable | None = None  # where to keep the connection after a complete body
    released: bool = False  # finish() kept the connection: close() leaves it alone

    def header(self, name: str) -> str | None:
        return self.response.getheader(name)

    def close(self) -> None:
        if self.released:
            return
        if self.disarm is not None:
            self.disarm()
        self.response.close()
        self.connection.close()
        if self.reusable is not None and self.reusable.connection is self.connection:
            self.reusable.close()

    def finish(self) -> None:
        """Done with a body read to its end: keep the connection for the next request when
        the server allows it (else close it)."""
        if self.reusable is None or self.response.will_close or not self.response.isclosed():
            self.close()
            return
        if self.disarm is not None:
            self.disarm()
        self.released = True


def check_url(url: str, options: AssetOptions) -> tuple[str, str, int, str]:
    """(scheme, IDNA host, port, request target) of an allowed URL, or :class:`FetchError`."""
    link = checked_link(url)
    return link.scheme, link.host, link.port, link.target


def checked_link(url: str) -> Link:
    """The one reading of ``url`` that the card check also uses (:mod:`mdvalidator.urls`); a
    link it refuses (not http(s), malformed, or read differently by different readers) is
    BLOCKED, and so is one that urllib3, what ``requests`` uses, reads another host in."""
    try:
        link = parse_link(url)
    except LinkError as error:
        if error.kind == "scheme":
            message = f"{redact_url(url)}: only http and https links are fetched"
            raise FetchError(AssetStatus.BLOCKED, message, "scheme") from None
        message = f"{redact_url(url)}: link {clean(error.message, 200)}"
        raise FetchError(AssetStatus.BLOCKED, message, "url") from None
    other = requests_host(url)
    if other is not None and other != link.host:
        message = (
            f"{redact_url(url)}: link is read as host {clean(other, 80)!r} by requests/urllib3"
            f" but {link.host!r} here"
        )
        raise FetchError(AssetStatus.BLOCKED, message, "url")
    return link


@lru_cache(maxsize=1024)
def requests_host(url: str) -> str | None:
    """The host urllib3 (what ``requests`` uses) reads in ``url``, normalised like ours; None if
    urllib3 is missing or cannot read the link (then it fetches nothing, so cannot disagree)."""
    try:
        from urllib3.util import parse_url
    except ImportError:  # pragma: no cover - urllib3 comes with requests
        return None
    try:
        host = parse_url(url).host
    except Exception:
        return None
    if not host:
        return None
    text = host.strip("[]").lower()
    address = literal_address(text)
    return str(address) if address is not None else text


def resolve_checked(url: str, host: str, port: int, options: AssetOptions) -> list[str]:
    """The addresses to connect to: every address of ``host`` must be allowed, else BLOCKED."""
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        resolver = options.resolver or system_resolver
        try:
            addresses = parse_resolved(resolver(host, port))
        except (OSError, UnicodeError, ValueError) as exc:
            if isinstance(exc, socket.gaierror) and exc.errno in _DNS_TRIED:
                what = f"cannot resolve host {clean(host, 100)!r} (DNS server failure)"
                raise unreachable(url, what, "dns-failed") from None
            raise unreachable(url, f"cannot resolve host {clean(host, 100)!r}", "dns") from None
        if not addresses:
            raise unreachable(url, f"cannot resolve host {clean(host, 100)!r}", "dns")
    if not options.allow_private_network:
        allowed = [ipaddress.ip_network(n, strict=False) for n in options.allow_networks]
        for address in addresses:
            reason = blocked_reason(address)
            if reason and not any(address in network for network in allowed):
                raise FetchError(
                    AssetStatus.BLOCKED,
                    f"{redact_url(url)}: {address} is {reason} "
                    "(use --allow-private-network for internal mirrors)",
                    "address",
                )
    return [str(address) for address in addresses]


def _open_once(
    url: str,
    options: AssetOptions,
    deadline: Deadline,
    method: str,
    headers: Mapping[str, str],
    reusable: Reusable | None = None,
) -> Opened:
    if WATCHDOG.stopped.is_set() or (reusable is not None and reusable.stopped):
        raise unreachable(url, "interrupted", "interrupted")
    link = checked_link(url)
    scheme, host, port, target = link.scheme, link.host, link.port, link.target
    url = link.url  # from here on, exactly the link that was checked
    deadline.trace.requested(url)
    request_headers = {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "identity",
        "Accept": "*/*",
        **({} if reusable is not None else {"Connection": "close"}),
        **headers,
    }
    origin = (scheme, host, port)
    kept = reusable.usable(origin) if reusable is not None else None
    if kept is not None:
        assert reusable is not None
        opened = _request(url, kept, options, deadline, method, target, request_headers, True)
        if opened is not None:
            opened.reusable = reusable
            return opened
        reusable.close()  # the server closed the idle connection: open a new one, checked
        if reusable.stopped:
            raise unreachable(url, "interrupted", "interrupted")
    addresses = resolve_checked(url, host, port, options)
    if deadline.expired():
        raise timed_out(url, options)
    kind = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
    connect_timeout = max(0.001, min(options.connect_timeout, deadline.remaining()))
    ca_file = str(options.ca_file) if options.ca_file else None
    connection = kind(host, port, addresses, connect_timeout, ca_file)
    try:
        connection.connect()
    except BaseException as exc:
        connection.close()
        if isinstance(exc, Exception):
            raise classify(url, exc, options, deadline) from None
        raise
    assert connection.sock is not None
    connection.sock.settimeout(options.read_timeout)
    if reusable is not None:
        reusable.keep(connection, origin)
    opened = _request(url, connection, options, deadline, method, target, request_headers, False)
    assert opened is not None
    opened.reusable = reusable
    return opened


def _request(
    url: str,
    connection: http.client.HTTPConnection,
    options: AssetOptions,
    deadline: Deadline,
    method: str,
    target: str,
    headers: Mapping[str, str],
    kept: bool,
) -> Opened | None:
    """Send one request on an open connection; None when a kept-alive connection turns out to
    be closed before any answer (the caller opens a new one)."""
    assert connection.sock is not None
    # The connection forgets its socket once a "close" response arrives: keep our own.
    disarm = WATCHDOG.arm(connection.sock, deadline.remaining())
    try:
        connection.request(method, target, headers=dict(headers))
        response = connection.getresponse()
    except BaseException as exc:
        disarm()
        connection.close()
        stale = kept and isinstance(exc, (OSError, http.client.HTTPException))
        if stale and not deadline.expired() and not WATCHDOG.stopped.is_set():
            return None  # (a cut connection is refused by the caller's next check)
        if isinstance(exc, Exception):
            raise classify(url, exc, options, deadline) from None
        raise
    return Opened(url, response, connection, disarm)


def check_status(opened: Opened, options: AssetOptions, ok: frozenset[int]) -> None:
    """Raise for a status not in ``ok``: Retryable for 429/5xx, FetchError for the rest."""
    status = opened.response.status
    if status in ok:
        return
    reason = clean(opened.response.reason or "", 60)
    error = unreachable(opened.url, f"HTTP {status} {reason}".rstrip(), "http")
    error.http_status = status
    opened.close()
    if status in RETRY_STATUSES:
        wait = retry_after(opened.header("Retry-After"), options.retry_after_cap)
        raise Retryable(error, wait)
    raise error


def open_url(
    url: str,
    options: AssetOptions,
    deadline: Deadline,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    reusable: Reusable | None = None,
) -> Opened:
    """Send one request, following redirects through the address gate (at most N hops).

    Every hop, the first included, is read by :func:`checked_link` and fetched as normalised.
    With ``reusable``, the connection is kept alive and reused for the same host.
    """
    current = url
    hops: list[str] = []
    redirects: list[tuple[int, str]] = []  # (status, to): for the trace (has the link moved?)
    for _ in range(options.max_redirects + 1):
        opened = _open_once(current, options, deadline, method, headers or {}, reusable)
        location = opened.header("Location")
        if opened.response.status not in REDIRECTS or not location:
            opened.hops = hops
            deadline.trace.answered(opened.response.status)
            deadline.trace.followed(url, redirects)
            return opened
        opened.close()
        hops.append(opened.url)
        try:
            current = join_link(opened.url, location.strip(" \t"))  # HTTP OWS
        except LinkError as error:
            message = f"{redact_url(url)}: redirected to a link that {clean(error.message, 200)}"
            raise FetchError(AssetStatus.BLOCKED, message, "url") from None
        redirects.append((opened.response.status, current))
        if opened.response.status == 303 and method != "HEAD":
            method = "GET"
    raise unreachable(url, f"more than {options.max_redirects} redirects", "redirects")


def fetch_small(url: str, options: AssetOptions, max_bytes: int) -> bytes:
    """The whole body of a small document (a ``master.json``, say), at most ``max_bytes``."""
    got = fetch_small_conditional(url, options, max_bytes)
    assert got.body is not None  # no validator sent: never "not modified"
    return got.body


@dataclass(frozen=True)
class Small:
    """A small document's answer: ``body`` None when the server said 304 (not modified)."""

    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    date: str | None = None


def fetch_small_conditional(
    url: str,
    options: AssetOptions,
    max_bytes: int,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Small:
    """:func:`fetch_small` asking "changed since?" (``If-None-Match``/``If-Modified-Since``)
    when given validators: a 304 is accepted only then, and comes back with ``body`` None."""
    deadline = Deadline(options.deadline)
    headers = {"If-None-Match": etag} if etag else {}
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    ok = frozenset({200, 304}) if headers else frozenset({200})

    def attempt() -> Small:
        opened = open_url(url, options, deadline, headers=headers)
        try:
            check_status(opened, options, ok)
            if opened.response.status == 304:
                return Small(None)
            length = content_length(opened)
            if length is not None and length > max_bytes:
                raise too_large(opened.url, length, max_bytes)
            body = opened.response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise too_large(opened.url, None, max_bytes)
            if length is not None and len(body) < length:
                raise Retryable(unreachable(opened.url, "connection dropped", "dropped"))
            validators = (opened.header(n) for n in ("ETag", "Last-Modified", "Date"))
            return Small(body, *validators)
        except (OSError, http.client.HTTPException) as exc:
            raise classify(opened.url, exc, options, deadline) from None
        finally:
            opened.close()

    return with_retries(url, options, deadline, attempt)


def probe(url: str, options: AssetOptions) -> int | None:
    """HEAD ``url``: its Content-Length, or None when the server does not say."""
    deadline = Deadline(options.deadline)

    def attempt() -> int | None:
        opened = open_url(url, options, deadline, method="HEAD")
        try:
            check_status(opened, options, frozenset({200}))
            return content_length(opened)
        finally:
            opened.close()

    return with_retries(url, options, deadline, attempt)


def content_length(opened: Opened) -> int | None:
    value = opened.header("Content-Length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())
