"""Helpers of the service tests: cards, signed deliveries, the real service in a subprocess."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[2]
GOOD_CARD = (
    ROOT / "fixtures" / "cards" / "good" / "assets" / "mindspore" / "1.10" / "lenet_mnist.md"
)
# The good card's repo-link names gitee.com/mindspore/models at r1.10: the bot reads its
# mindspore_hub_conf.py (check-conf is on by default in the service) from this folder.
CONF_MIRROR = (
    f"https://gitee.com/mindspore/models/raw/r1.10/={ROOT / 'fixtures' / 'serve' / 'models'}/"
)
GITEE_SECRET = "gitee-hook-SECRET-5a5a"
GITHUB_SECRET = "github-hook-SECRET-7b7b"
FOLDER = "assets/mindspore/1.10"
TEMPLATE_LINK = "<https://download.example.org/models/r1.10/lenet_mnist.ckpt>"
TEMPLATE_SHA = "0b7d1c3ff1a2f4ecf4bf5a1f3f3c88d0c1fb9b9a9d2e8fdbbd7e0d6b4c2a3e51"


def card(stem: str, url: str, sha: str, good: bool = True) -> bytes:
    """The good fixture card renamed ``<stem>.md`` with its asset at ``url``; ``good=False``
    breaks one field (fine-tunable: maybe, MDV103)."""
    text = GOOD_CARD.read_text("utf-8")
    text = text.replace("mindspore/1.10/lenet_mnist", f"mindspore/1.10/{stem}")
    text = text.replace(TEMPLATE_LINK, f"<{url}>").replace(TEMPLATE_SHA, sha)
    if not good:
        text = text.replace("fine-tunable: True", "fine-tunable: maybe")
    return text.encode("utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def redis_on_loopback(binary: str, folder: Path) -> Iterator[str]:
    """A fresh redis-server on a loopback port, no persistence, its URL (stopped after)."""
    import redis

    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(folder), "--protected-mode", "yes"]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {predicate}")
        time.sleep(step)


def gitee_headers(
    event: str = "Merge Request Hook",
    mode: str = "signature",
    secret: str = GITEE_SECRET,
    timestamp: int | None = None,
    encoded: bool = False,
) -> dict[str, str]:
    """Gitee's headers: the plain password, or the signature of the millisecond timestamp."""
    ts = str(int(time.time() * 1000) if timestamp is None else timestamp)
    if mode == "password":
        token = secret
    else:
        digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
        token = base64.b64encode(digest).decode()
        if encoded:
            token = quote(token, safe="")
    return {
        "Content-Type": "application/json",
        "User-Agent": "git-oschina-hook",
        "X-Gitee-Event": event,
        "X-Gitee-Token": token,
        "X-Gitee-Timestamp": ts,
    }


def gitee_mr(repo: str, number: int, action: str = "open", title: str = "Add cards") -> bytes:
    return json.dumps(
        {
            "action": action,
            "hook_name": "merge_request_hooks",
            "pull_request": {"number": number, "title": title, "head": {"sha": "f" * 40}},
            "repository": {"full_name": repo, "path_with_namespace": repo},
        }
    ).encode()


def gitee_note(repo: str, number: int, text: str) -> bytes:
    return json.dumps(
        {
            "action": "comment",
            "noteable_type": "PullRequest",
            "comment": {"body": text},
            "pull_request": {"number": number},
            "repository": {"full_name": repo},
        }
    ).encode()


def github_headers(
    body: bytes,
    event: str = "pull_request",
    delivery: str | None = None,
    secret: str = GITHUB_SECRET,
) -> dict[str, str]:
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature,
    }


def github_pr(repo: str, number: int, installation: int | None, action: str = "opened") -> bytes:
    payload: dict[str, Any] = {
        "action": action,
        "number": number,
        "pull_request": {"number": number, "head": {"sha": "e" * 40}},
        "repository": {"full_name": repo},
    }
    if installation is not None:
        payload["installation"] = {"id": installation}
    return json.dumps(payload).encode()


@dataclass
class Service:
    """``mdvalidator serve`` running in its own process group."""

    proc: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    log_path: Path
    args: list[str]
    env: dict[str, str]
    session: requests.Session = field(default_factory=requests.Session)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> requests.Response:
        return self.session.post(self.url(path), data=body, headers=headers, timeout=10)

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.url(path), timeout=10)

    def logs(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def log_events(self, event: str) -> list[dict[str, Any]]:
        found = []
        for line in self.logs().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("event") == event:
                found.append(record)
        return found

    def healthy(self) -> bool:
        try:
            return self.get("/healthz").status_code == 200
        except requests.RequestException:
            return False

    def send(self, sig: int) -> None:
        os.killpg(self.proc.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group (the service and every child)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.session.close()


def service_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITEE", "GITHUB", "MDVALIDATOR"))
    }
    env.update(
        {
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_DATA_HOME": str(home / "data"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def start_service(
    home: Path,
    args: list[str],
    env: dict[str, str],
    data_dir: Path | None = None,
    port: int | None = None,
    wait: bool = True,
) -> Service:
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    data_dir = data_dir or home / "data-dir"
    log_path = home / f"service-{port}-{time.time_ns()}.log"
    command = [
        sys.executable,
        "-m",
        "mdvalidator",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        *args,
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            env=service_env(home, env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=home,
        )
    service = Service(proc, port, data_dir, log_path, command, env)
    if wait:
        try:
            wait_until(lambda: service.healthy() or service.proc.poll() is not None, 30)
        except AssertionError:
            service.kill()
            raise
        if service.proc.poll() is not None:
            raise AssertionError(f"the service exited: {service.logs()[-3000:]}")
    return service
