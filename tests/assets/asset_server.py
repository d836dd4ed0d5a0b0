"""A real HTTP server on 127.0.0.1 with fault modes, for the asset and security tests.

Each test registers routes (``server.route("/a.bin", body=..., drops=1)``) and fetches
``server.url("/a.bin")``. Everything stays on loopback; every fault is bounded by counts or by
the client's short timeouts. Ranges (``bytes=A-`` and ``bytes=A-B``) are served with 206 unless
``ignore_range``; ``part_fault`` makes the answer to the range that starts at ``fault_start``
misbehave (a multi-connection download's part), ``fault_times`` times. ``conftest.py``
beside it makes fixtures of it; tests elsewhere (``tests/security``) use :func:`running_server`.
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

PART_SIZE = 64 * 1024  # the part size the asset tests' multi-connection options ask for
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
# What ``part_fault`` does to one range answer:
PART_FAULTS = (
    "cut",  # stop after drop_at body bytes
    "whole",  # 200 with the whole body, as if the range were ignored
    "start",  # Content-Range (and bytes) start one byte later than asked
    "end",  # Content-Range (and bytes) end one byte earlier than asked
    "total",  # Content-Range names another total size
    "etag",  # another ETag on this part only
    "length",  # Content-Length one byte more than the range
    "redirect",  # a redirect to fault_location
    "status",  # a 503
    "extra",  # chunked, with more bytes than the range
    "slow",  # the body after fault_delay seconds
)


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
    # No Content-Length, not chunked, no ranges (a Content-Range would give the length away):
    # the body ends at close.
    close_delimited: bool = False
    lie_not_modified: bool = False  # answer 304 to every conditional request, changed or not
    part_fault: str = ""  # one of PART_FAULTS, for the range starting at fault_start
    fault_start: int = -1
    fault_times: int = 1
    fault_location: str = ""
    pace: float = 0.0  # seconds between 16 KiB pieces of a body (so transfers overlap)
    keep_alive: bool = False  # answer without "Connection: close" (the client may reuse it)
    close_idle: bool = False  # ...but close the connection after each answer all the same
    fault_delay: float = 0.0  # "slow": seconds before the part's body
    fault_done: float = 0.0  # time.monotonic() when the last faulty answer ended
    served: int = 0
    sent: int = 0  # body bytes written, all responses together


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    client: int = 0  # the client's port: one per connection
    at: float = 0.0  # time.monotonic() when the request arrived


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    last_write = 0.0  # time.monotonic() before the last write of a body

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        path = self.path.split("?", 1)[0]
        arrived = time.monotonic()
        seen = Seen(
            self.command, self.path, dict(self.headers.items()), self.client_address[1], arrived
        )
        self.server.seen.append(seen)
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
        with self.server.lock:
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
        start, end = 0, len(body)
        status = 200
        wanted = _RANGE.match(self.headers.get("Range", ""))
        if_range = self.headers.get("If-Range")
        matches = if_range in (None, etag, last_modified) or route.ignore_if_range
        fault = ""
        if wanted and not (route.ignore_range or route.close_delimited) and matches:
            start = int(wanted.group(1))
            if wanted.group(2):
                end = min(int(wanted.group(2)) + 1, len(body))
            if start >= len(body) or end <= start:
                self._status_only(416, content_range=f"bytes */{len(body)}")
                return
            status = 206
            with self.server.lock:
                if route.part_fault and start == route.fault_start and route.fault_times > 0:
                    route.fault_times -= 1
                    fault = route.part_fault
        if fault == "redirect":
            self.send_response(302)
            self.send_header("Location", route.fault_location)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return
        if fault == "status":
            self._status_only(503)
            return
        if fault == "whole":
            status, start, end = 200, 0, len(body)
        elif fault == "start":
            start += 1
        elif fault == "end":
            end -= 1
        total = len(body) + (1 if fault == "total" else 0)
        part = memoryview(body)[start:end]  # no copy of a large body per request
        self.send_response(status)
        if route.etag:
            self.send_header("ETag", '"another"' if fault == "etag" else etag)
        if route.last_modified:
            self.send_header("Last-Modified", last_modified)
        if route.encoding:
            self.send_header("Content-Encoding", route.encoding)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{total}")
        if fault == "extra":
            part = memoryview(body)[start : end + 1000]
        if route.chunked or fault == "extra":
            self.send_header("Transfer-Encoding", "chunked")
        elif not route.close_delimited:
            length = len(part) + route.length_delta + (1 if fault == "length" else 0)
            self.send_header("Content-Length", str(length))
        if not route.keep_alive:
            self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        began = self.last_write = arrived
        try:
            if index < route.drops or fault == "cut":
                self._send(route, part[: route.drop_at])
                self.wfile.flush()
                self._drop(route.reset)
                return
            if fault == "slow":
                time.sleep(route.fault_delay)
            self._send(route, part, chunked=route.chunked or fault == "extra")
            if route.close_idle:
                self.wfile.flush()
                self.close_connection = True  # without saying so in the headers
        finally:
            ended = self.last_write  # before the last write: the client cannot be done sooner
            with self.server.lock:
                self.server.transfers.append((began, ended))
                if fault:
                    route.fault_done = ended

    def _send(self, route: Route, data: bytes | memoryview, chunked: bool = False) -> None:
        with self.server.lock:
            route.sent += len(data)
        if route.drip:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                time.sleep(route.drip)
        elif route.pace:
            for i in range(0, len(data), 16384):
                if i:
                    time.sleep(route.pace)
                self.last_write = time.monotonic()
                self.wfile.write(data[i : i + 16384])
        elif chunked:
            for i in range(0, len(data), 1000):
                piece = data[i : i + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.last_write = time.monotonic()
            self.wfile.write(data)

    def _drop(self, reset: bool) -> None:
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    def _status_only(
        self, status: int, retry_after: str | None = None, content_range: str | None = None
    ) -> None:
        self.send_response(status)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        if content_range is not None:
            self.send_header("Content-Range", content_range)
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
    lock: threading.Lock
    # (request arrived, last body byte written) of each body sent: a connection is in use from
    # its request until then, and a client can only start the next one after it (causality).
    transfers: list[tuple[float, float]]


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

    @property
    def max_active(self) -> int:
        """The most body transfers there were at once (connections in use)."""
        with self._server.lock:
            events = sorted(
                [(began, 1) for began, _ in self._server.transfers]
                + [(ended, -1) for _, ended in self._server.transfers]
            )
        most = active = 0
        for _, change in events:  # at equal times an end sorts first
            active += change
            most = max(most, active)
        return most

    def ranges(self, path: str | None = None) -> list[str | None]:
        """The Range header of each request (to ``path``), in the order they arrived."""
        return [s.headers.get("Range") for s in self.seen if path is None or s.path == path]


def prepare(httpd: _Server) -> _Server:
    httpd.routes = {}
    httpd.seen = []
    httpd.lock = threading.Lock()
    httpd.transfers = []
    return httpd


@contextmanager
def running_server() -> Iterator[AssetServer]:
    httpd = prepare(_Server(("127.0.0.1", 0), _Handler))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield AssetServer(httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()
