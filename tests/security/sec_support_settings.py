"""Shared parts of the suppression, settings-trust and changed-files attack suites.

A hub is a real git repository in a temporary folder, holding the good card of the fixtures
(its asset link pointed at a loopback HTTP server); each attack runs the real command line
(``python -m mdvalidator``) in it and reads its JSON report.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from helpers import GOOD_CARD, ROOT, git

CARD = "assets/mindspore/1.10/lenet_mnist.md"
LINK_LINE = "    asset-link: <https://download.example.org/models/r1.10/lenet_mnist.ckpt>"
SHA_LINE = "    asset-sha256: 0b7d1c3ff1a2f4ecf4bf5a1f3f3c88d0c1fb9b9a9d2e8fdbbd7e0d6b4c2a3e51"
PAYLOAD = b"\x0a\x20weights of lenet, served on loopback" * 100
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()
WRONG_SHA = hashlib.sha256(b"something else").hexdigest()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        body = self.server.files.get(self.path.split("?", 1)[0])
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body or b"")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    files: dict[str, bytes]
    seen: list[str]


@dataclass
class Loopback:
    """The running server: ``files`` it serves by path, ``seen`` the paths asked for."""

    port: int
    files: dict[str, bytes]
    seen: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.files = {"/lenet.ckpt": PAYLOAD}
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield Loopback(httpd.server_address[1], httpd.files, httpd.seen)
    finally:
        httpd.shutdown()
        httpd.server_close()


def card_text(link: str | None = None, sha: str | None = None, **replace: str) -> str:
    """The good card, its asset link and digest replaced; ``replace`` maps line -> lines."""
    lines = GOOD_CARD.read_text("utf-8").split("\n")
    edits: dict[str, str] = {}
    if link is not None:
        edits[LINK_LINE] = f"    asset-link: <{link}>"
    if sha is not None:
        edits[SHA_LINE] = f"    asset-sha256: {sha}"
    edits.update(replace)
    for old, new in edits.items():
        index = lines.index(old)
        lines[index : index + 1] = new.split("\n")
    return "\n".join(lines)


def write(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write (or, for None, delete) files below ``root``."""
    for name, content in files.items():
        path = root / name
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")


def make_repo(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """A git repository on ``main`` with ``files`` committed (and runs' own folders ignored)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, {".gitignore": "/.xdg/\n/report/\n", **files})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def commit(root: Path, files: dict[str, str | bytes | None], message: str = "change") -> None:
    write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@dataclass
class Run:
    code: int
    report: dict[str, Any]
    stdout: str
    stderr: str

    @property
    def rules(self) -> list[str]:
        return [p["rule"] for p in self.report.get("problems", [])]

    @property
    def asset_statuses(self) -> list[str]:
        return [a["status"] for a in self.report.get("assets", [])]

    def messages(self, rule: str) -> list[str]:
        return [p["message"] for p in self.report.get("problems", []) if p["rule"] == rule]


def check(cwd: Path, *args: str) -> Run:
    """``python -m mdvalidator --format json ARGS`` in ``cwd``, caches kept in ``cwd/.xdg``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MDVALIDATOR"))}
    env.update(
        PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(cwd / ".xdg"), HOME=str(cwd / ".xdg"), CI="1"
    )
    env.pop("NO_COLOR", None)
    report_file = cwd / "report" / "report.json"
    report_file.parent.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "mdvalidator", "--format", "json", "-o", str(report_file), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(report_file.read_text("utf-8")) if report_file.exists() else {}
    if report_file.exists():
        report_file.unlink()
    return Run(done.returncode, report, done.stdout, done.stderr)
