"""Shared parts of the parser's attack tables: a loopback file server that records requests,
the real CLI run with caches inside the test's folder, and a card builder."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CARD_PATH = "assets/mindspore/1.10/lenet_mnist.md"
GOOD = b"\x0a\x20" + b"the bytes a card promises" * 100  # starts like a protobuf (ckpt)
EVIL = b"\x0a\x20" + b"other bytes, never verified" * 100
GOOD_SHA = hashlib.sha256(GOOD).hexdigest()
EVIL_SHA = hashlib.sha256(EVIL).hexdigest()


@dataclass
class FileServer:
    """Serves fixed bodies on 127.0.0.1; ``requested`` lists the paths asked for."""

    files: Mapping[str, bytes]
    port: int = 0
    requested: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def file_server(files: Mapping[str, bytes]) -> Iterator[FileServer]:
    state = FileServer(files)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.requested.append(self.path)
            body = state.files.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def card_text(header_lines: list[str], body: str = "## Usage\n\nSee the model zoo.\n") -> str:
    """A card of the hub's layout whose header holds exactly ``header_lines``."""
    return "# lenet\n\n---\n\n" + "\n\n".join(header_lines) + "\n\n---\n\n" + body


HEADER = [
    "model-name: lenet",
    "backbone-name: lenet",
    "module-type: cv-classification",
    "fine-tunable: True",
    "model-version: 1.10",
    "train-dataset: mnist",
    "author: MindSpore team",
    "update-time: 2023-2-17",
    "repo-link: <https://gitee.com/mindspore/models/tree/r1.10/official/cv/lenet>",
    "user-id: MindSpore",
    "used-for: inference",
    "mindspore-version: 1.10",
    "license: Apache2.0",
    "summary: lenet is used for cv",
]


def write_card(root: Path, text: str | bytes) -> Path:
    target = root / CARD_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    target.write_bytes(text)
    return target


@dataclass(frozen=True)
class Run:
    code: int
    report: dict[str, Any]
    stderr: str

    @property
    def problems(self) -> list[tuple[str, int]]:
        return [(p["rule"], p["line"]) for p in self.report["problems"]]

    @property
    def assets(self) -> list[tuple[int, str, str]]:
        return [(a["line"], a["url"], a["status"]) for a in self.report["assets"]]


def check(root: Path, *args: str, limit_memory: int | None = None) -> Run:
    """The real CLI, JSON report, caches inside ``root``; ``limit_memory`` caps the address
    space of the run (bytes), so an input that needs more memory kills it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(root / ".xdg")}
    for name in ("MDVALIDATOR_DEBUG", "CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        env.pop(name, None)

    def limits() -> None:
        if limit_memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))

    done = subprocess.run(
        [sys.executable, "-m", "mdvalidator", "check", "--format", "json", "--jobs", "1", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        preexec_fn=limits if limit_memory is not None else None,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        report = {"problems": [], "assets": [], "status": "none", "raw": done.stdout}
    return Run(done.returncode, report, done.stderr)
