"""A real HTTP server on 127.0.0.1 with fault modes, for the asset and security tests.

Each test registers routes (``server.route("/a.bin", body=..., drops=1)``) and fetches
``server.url("/a.bin")``. Everything stays on loopback; every fault is bounded by counts or by
the client's short timeouts. ``conftest.py`` beside it makes fixtures of it; tests elsewhere
(``tests/security``) use :func:`running_server`.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_RANGE = re.compile(r"^bytes=(\d+)-$")


@dataclass
class Route:
    body: bytes = b""
    versions: list[bytes] = field(default_factory=list)  # each request serves the next version
    statuses: list[int] = field(default_factory=list)  # answered (in turn) before success
    always_status: int | None = None
    retry_after: str | None = None
    drops: int = 0  # this many responses stop early...
    drop_at: int = 0  # ...after this many body bytes
    reset: bool = False  # drop with a TCP reset instead of a clean close
    ignore_range: bool = False
    ignore_if_range: bool = False  # answer a range of the current version whatever If-Range says
    drip: float = 0.0  # seconds between single bytes
    length_delta: int = 0  # Content-Length = real length + delta
    encoding: str | None = None
    location: str | None = None
    status: int = 200
    etag: bool = True
    last_modified: bool = True
    chunked: bool = False
    close_delimited: bool = False  # no Content-Length, not chunked: the body ends at close
    lie_not_modified: bool = False  # answer 304 to every conditional request, changed or not
    served: int = 0
    sent: int = 0  # body bytes written, all responses together


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        path = self.path.split("?", 1)[0]
        self.server.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
        route = self.server.routes.get(path)
        if route is None:
            self._status_only(404)
            return
        if route.location is not None:
            self.send_response(route.status if route.status in (301, 302, 303, 307, 308) else 302)
            self.send_header("Location", route.location)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return
        if route.statuses:
            self._status_only(route.statuses.pop(0), route.retry_after)
            return
        if route.always_status is not None:
            self._status_only(route.always_status, route.retry_after)
            return
        index = route.served
        route.served += 1
        body = route.versions[min(index, len(route.versions) - 1)] if route.versions else route.body
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        stamp = 1_700_000_000 + len(route.versions) * index  # versions differ in date too
        last_modified = email.utils.formatdate(stamp, usegmt=True)
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        if route.lie_not_modified and conditional:
            self._status_only(304)
            return
        if route.etag and self.headers.get("If-None-Match") == etag:
            self._status_only(304)
            return
        start = 0
        status = 200
        wanted = _RANGE.match(self.headers.get("Range", ""))
        if_range = self.headers.get("If-Range")
        matches = if_range in (None, etag, last_modified) or route.ignore_if_range
        if wanted and not route.ignore_range and matches:
            start = int(wanted.group(1))
            status = 206
        part = body[start:]
        self.send_response(status)
        if route.etag:
            self.send_header("ETag", etag)
        if route.last_modified:
            self.send_header("Last-Modified", last_modified)
        if route.encoding:
            self.send_header("Content-Encoding", route.encoding)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif not route.close_delimited:
            self.send_header("Content-Length", str(len(part) + route.length_delta))
        self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        if index < route.drops:
            self._send(route, part[: route.drop_at])
            self.wfile.flush()
            self._drop(route.reset)
            return
        self._send(route, part)

    def _send(self, route: Route, data: bytes) -> None:
        route.sent += len(data)
        if route.drip:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                time.sleep(route.drip)
        elif route.chunked:
            for i in range(0, len(data), 1000):
                piece = data[i : i + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(data)

    def _drop(self, reset: bool) -> None:
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    def _status_only(self, status: int, retry_after: str | None = None) -> None:
        self.send_response(status)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, BrokenPipeError, OSError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    routes: dict[str, Route]
    seen: list[Seen]


class AssetServer:
    """The running server: register routes, build URLs, look at what was asked."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.port = server.server_address[1]

    def route(self, path: str, **kwargs: object) -> Route:
        route = Route(**kwargs)  # type: ignore[arg-type]
        self._server.routes[path] = route
        return route

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def seen(self) -> list[Seen]:
        return self._server.seen


@contextmanager
def running_server() -> Iterator[AssetServer]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.routes = {}
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield AssetServer(httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()
