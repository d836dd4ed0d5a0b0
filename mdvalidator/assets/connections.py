"""Connections of the fetcher: pinned to checked addresses, verified TLS, kept alive.

:class:`PinnedHTTPConnection` connects to addresses the gate (:mod:`mdvalidator.assets.fetch`)
has checked, whatever the host name would resolve to now; :class:`PinnedHTTPSConnection` adds
TLS with the real name in SNI and the certificate checked against it. :class:`Reusable` keeps
one such connection open between the requests of one thread (the parts of a download).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
from collections.abc import Sequence
from functools import cache


@cache
def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    """System trust plus certifi's; with ``ca_file``, that bundle too (an internal mirror's CA)."""
    context = ssl.create_default_context()
    try:
        import certifi

        context.load_verify_locations(certifi.where())
    except (ImportError, OSError):
        pass
    if ca_file:
        context.load_verify_locations(ca_file)
    return context


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to checked addresses, whatever ``host`` would resolve to now.

    The addresses are tried in the resolver's order (an IPv6 address first on a machine without
    an IPv6 route, say); the first that accepts is used.
    """

    def __init__(
        self,
        host: str,
        port: int,
        addresses: Sequence[str],
        connect_timeout: float,
        ca_file: str | None = None,
    ) -> None:
        super().__init__(host, port, timeout=connect_timeout)
        self.addresses = addresses
        self.ca_file = ca_file

    def connect(self) -> None:
        failure: OSError | None = None
        for address in self.addresses:
            try:
                self.sock = socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                failure = exc
                continue
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return
        raise failure or OSError("no address to connect to")


class PinnedHTTPSConnection(PinnedHTTPConnection):
    default_port = 443

    def connect(self) -> None:
        super().connect()
        context = _tls_context(self.ca_file)
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


class Reusable:
    """A connection kept open between requests (HTTP/1.1 keep-alive), for one thread.

    It is only reused for a request to the same scheme, host and port it was opened for (and
    so to an address the gate checked for that host); anything else opens a new, checked one.
    :meth:`cut` may be called from another thread to stop a transfer at once.
    """

    def __init__(self) -> None:
        self.connection: http.client.HTTPConnection | None = None
        self.origin: tuple[str, str, int] | None = None
        self.sock: socket.socket | None = None
        self.stopped = False  # cut(): no new request either

    def usable(self, origin: tuple[str, str, int]) -> http.client.HTTPConnection | None:
        if self.connection is None or self.connection.sock is None or self.origin != origin:
            self.close()
            return None
        return self.connection

    def keep(self, connection: http.client.HTTPConnection, origin: tuple[str, str, int]) -> None:
        if connection is not self.connection:
            self.close()
        self.connection, self.origin = connection, origin
        self.sock = connection.sock

    def cut(self) -> None:
        """Shut the socket down (a blocked read returns at once) and refuse new requests; safe
        from any thread."""
        self.stopped = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        connection, self.connection, self.origin, self.sock = self.connection, None, None, None
        if connection is not None:
            connection.close()
