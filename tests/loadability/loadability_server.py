"""A loopback HTTP server that serves a folder like a forge serves raw files, and counts.

``served_folder(root, prefix)`` answers ``GET <prefix><path>`` with ``root/<path>`` (404 when
there is no such file), ``/status/<code>`` with that status, ``/redirect?to=URL`` with a 302 to
URL; it records every request path, so tests can count how often a file was fetched.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


@dataclass
class Served:
    base: str  # http://127.0.0.1:PORT
    prefix: str
    requests: Counter[str] = field(default_factory=Counter)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    root: Path
    served: Served


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        served = self.server.served
        served.requests[parts.path] += 1
        if parts.path.startswith("/status/"):
            self._answer(int(parts.path.split("/")[2]), b"")
            return
        if parts.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", parse_qs(parts.query)["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not parts.path.startswith(served.prefix):
            self._answer(404, b"not found")
            return
        relative = parts.path[len(served.prefix) :]
        path = (self.server.root / relative).resolve()
        if not path.is_relative_to(self.server.root.resolve()) or not path.is_file():
            self._answer(404, b"not found")
            return
        self._answer(200, path.read_bytes())

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def served_folder(root: Path, prefix: str = "/") -> Iterator[Served]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.root = root
    server.served = Served(f"http://127.0.0.1:{server.server_address[1]}", prefix)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
