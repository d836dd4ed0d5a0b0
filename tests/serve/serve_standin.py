"""Stand-in forge APIs on 127.0.0.1 for the service's tests (the machinery; the two forges are
in ``serve_forges``), plus an asset server.

Both keep one small hub in memory: commits (path -> bytes), pull requests (base and head
commit, state, labels), comments, repository labels; the GitHub one also an App with one
installation, check runs and JWT-authenticated App calls (the JWT is verified with the App's
public key). Every request is checked against the API description (GitHub: the
``@octokit/openapi`` subset in fixtures/openapi; Gitee: fixtures/serve/gitee-v5-serve.json):
an operation not described, an unknown or malformed parameter, or a body that does not match
the schema is answered 400/404 and noted in ``errors``; the fixtures assert ``errors == []``.
Faults can be injected per operation (status, headers, how many times).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from openapi_check import SpecCheck

ROOT = Path(__file__).resolve().parents[2]
GITHUB_SPEC = ROOT / "fixtures" / "openapi" / "github-subset.json"
GITEE_SPEC = ROOT / "fixtures" / "serve" / "gitee-v5-serve.json"
GITEE_TOKEN = "gitee_tok_Q7rSECRETvalue31337"
INSTALLATION = 4242
APP_ID = "777"


# The service's stand-ins check requests as the publishers' do.
Spec = SpecCheck


def sha_of(files: dict[str, bytes], salt: str = "") -> str:
    digest = hashlib.sha1(salt.encode())
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path] + b"\0")
    return digest.hexdigest()


@dataclass
class Pull:
    repo: str
    number: int
    base: str
    head: str
    state: str = "open"
    labels: set[str] = field(default_factory=set)


@dataclass
class Recorded:
    method: str
    path: str
    template: str
    query: dict[str, str]
    body: Any
    at: float


@dataclass
class Fault:
    method: str
    template: str
    status: int
    times: int
    headers: dict[str, str]
    message: str


@dataclass
class Hub:
    """The forge's state, shared by its handler threads (one lock)."""

    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)
    pulls: dict[tuple[str, int], Pull] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    repo_labels: dict[str, set[str]] = field(default_factory=dict)
    next_id: int = 100
    lock: threading.RLock = field(default_factory=threading.RLock)

    def commit(self, files: dict[str, bytes], salt: str = "") -> str:
        sha = sha_of(files, salt)
        self.commits[sha] = dict(files)
        return sha

    def open_pull(
        self, repo: str, number: int, base: dict[str, bytes], added: dict[str, bytes]
    ) -> Pull:
        with self.lock:
            base_sha = self.commit(base, "base")
            head_sha = self.commit({**base, **added}, f"{repo}#{number}")
            pull = Pull(repo, number, base_sha, head_sha)
            self.pulls[(repo.lower(), number)] = pull
            return pull

    def push(self, repo: str, number: int, files: dict[str, bytes], salt: str = "push") -> str:
        with self.lock:
            pull = self.pulls[(repo.lower(), number)]
            head = {**self.commits[pull.head], **files}
            pull.head = self.commit(head, f"{repo}#{number}{salt}")
            return pull.head

    def changed(self, pull: Pull) -> list[tuple[str, str]]:
        base, head = self.commits[pull.base], self.commits[pull.head]
        found = []
        for path in sorted(set(base) | set(head)):
            if path not in head:
                found.append((path, "removed"))
            elif path not in base:
                found.append((path, "added"))
            elif base[path] != head[path]:
                found.append((path, "modified"))
        return found

    def comments_on(self, repo: str, number: int) -> list[dict[str, Any]]:
        return [
            c for c in self.comments.values() if (c["repo"], c["number"]) == (repo.lower(), number)
        ]


class StandIn:
    """Dispatch, validation, recording and faults; subclasses route."""

    prefix = ""

    def __init__(self, spec: Spec, hub: Hub) -> None:
        self.spec = spec
        self.hub = hub
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.errors: list[str] = []
        self.faults: list[Fault] = []
        self.delay = 0.0

    def fail(
        self,
        method: str,
        template: str,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str = "injected",
    ) -> None:
        self.faults.append(Fault(method, template, status, times, headers or {}, message))

    def called(self, method: str, template: str) -> list[Recorded]:
        return [r for r in self.requests if (r.method, r.template) == (method, template)]

    def handle(
        self, method: str, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(target)
        if not parts.path.startswith(self.prefix):
            self.errors.append(f"{method} {parts.path}: outside the API root")
            return 404, {"message": "Not Found"}, {}
        path = parts.path[len(self.prefix) :]
        query = parse_qs(parts.query, keep_blank_values=True)
        hit = self.spec.match(method, path)
        if hit is None:
            self.errors.append(f"{method} {path}: not an operation in the API description")
            return 404, {"message": "Not Found"}, {}
        template, op, args = hit
        args = {k: unquote(v) for k, v in args.items()}
        problems = self.spec.errors(op, args, query, headers.get("content-type", ""), raw)
        flat = {k: v[0] for k, v in query.items()}
        body = json.loads(raw) if raw and not problems else None
        if self.delay:
            time.sleep(self.delay)
        with self.hub.lock:
            self.requests.append(Recorded(method, path, template, flat, body, time.time()))
            if problems:
                self.errors += [f"{method} {path}: {p}" for p in problems]
                return 400, {"message": "; ".join(problems)}, {}
            for fault in self.faults:
                if fault.times > 0 and (fault.method, fault.template) == (method, template):
                    fault.times -= 1
                    return fault.status, {"message": fault.message}, dict(fault.headers)
            if not self.authorised(template, headers, flat, body):
                return 401, {"message": "Bad credentials"}, {}
            return self.route(method, template, args, flat, body)

    def authorised(
        self, template: str, headers: dict[str, str], query: dict[str, str], body: Any
    ) -> bool:
        raise NotImplementedError

    def route(
        self, method: str, template: str, args: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def pull(self, args: dict[str, str], key: str = "number") -> Pull | None:
        return self.hub.pulls.get((f"{args['owner']}/{args['repo']}".lower(), int(args[key])))

    def unexpected(self, method: str, template: str) -> tuple[int, Any, dict[str, str]]:
        self.errors.append(f"{method} {template}: described but not expected")
        return 404, {"message": "Not Found"}, {}


class _NoDelay(BaseHTTPRequestHandler):
    """Headers and body go out in separate writes: without TCP_NODELAY a keep-alive client
    waits ~40 ms (delayed ACK) on every answer."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Handler(_NoDelay):
    stand_in: StandIn

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload, extra = self.stand_in.handle(self.command, self.path, headers, raw)
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def running(stand_in: StandIn) -> Iterator[StandIn]:
    handler = type("Handler", (_Handler,), {"stand_in": stand_in})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    stand_in.base_url = f"http://127.0.0.1:{server.server_address[1]}{stand_in.prefix}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _AssetHandler(_NoDelay):
    assets: dict[str, bytes]
    hits: list[str]

    def do_GET(self) -> None:
        data = self.assets.get(self.path)
        self.hits.append(self.path)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", '"' + hashlib.sha256(data).hexdigest()[:16] + '"')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class AssetServer:
    base_url: str
    assets: dict[str, bytes]
    hits: list[str]

    def add(self, name: str, data: bytes) -> tuple[str, str]:
        """Serve ``data`` at /assets/NAME; returns (url, sha256)."""
        self.assets[f"/assets/{name}"] = data
        return f"{self.base_url}/assets/{name}", hashlib.sha256(data).hexdigest()


@contextmanager
def asset_server() -> Iterator[AssetServer]:
    assets: dict[str, bytes] = {}
    hits: list[str] = []
    handler = type("Assets", (_AssetHandler,), {"assets": assets, "hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield AssetServer(f"http://127.0.0.1:{server.server_address[1]}", assets, hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
