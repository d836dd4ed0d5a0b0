"""Shared parts of the security tests written with the publisher, archive and store work: the
loopback GitHub/Gitee stand-ins (from tests/publish), report files, the real CLI in a child
process (its stdout, stderr, exit status and peak memory), and byte-level store snapshots.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publish.publish_standin import (  # tests/ is on sys.path (pytest's pythonpath)
    TOKEN,
    GiteeStandIn,
    GithubStandIn,
    gitee_stand_in,
    github_stand_in,
    make_report,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
BOMBS = FIXTURES / "digits" / "bombs"
STORE = FIXTURES / "digits" / "store"
SHA = "a" * 40
CHECK_RUNS = "/repos/{owner}/{repo}/check-runs"
CHECK_RUN = "/repos/{owner}/{repo}/check-runs/{check_run_id}"

__all__ = [
    "BOMBS",
    "CHECK_RUN",
    "CHECK_RUNS",
    "SHA",
    "STORE",
    "TOKEN",
    "GiteeStandIn",
    "GithubStandIn",
    "Run",
    "check_run_writes",
    "finish",
    "gitee_server",
    "github_server",
    "make_report",
    "publish_args",
    "run_cli",
    "start_cli",
    "store_bytes",
    "write_json",
]  # fmt: skip


@contextmanager
def github_server() -> Iterator[GithubStandIn]:
    """A stand-in GitHub on 127.0.0.1; every request is checked against the OpenAPI subset."""
    yield from github_stand_in()


@contextmanager
def gitee_server() -> Iterator[GiteeStandIn]:
    yield from gitee_stand_in()


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def publish_args(platform: str, server_url: str, report: Path, *extra: str) -> list[str]:
    """``publish github|gitee`` arguments for the stand-in at ``server_url``, no waiting."""
    args = ["publish", platform, "--report", str(report), "--repo", "hub/models"]
    args += ["--api-url", server_url]
    if platform == "github":
        args += ["--sha", SHA, "--write-interval", "0", "--request-interval", "0"]
    return [*args, *extra]


def check_run_writes(server: GithubStandIn) -> list[Any]:
    return server.called("POST", CHECK_RUNS) + server.called("PATCH", CHECK_RUN)


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str
    peak_rss_mb: float


# Runs mdvalidator.cli.main in a fresh interpreter and reports the child's own peak RSS on the
# last line of stderr, so that a test can bound the memory an input costs.
_RUNNER = """
import resource, sys
from mdvalidator.cli import main
try:
    status = main(sys.argv[1:])
finally:
    sys.stdout.flush()
    # VmHWM is this program's own peak: ru_maxrss keeps the parent's across fork and exec
    # (a large test process would set the floor of every measurement)
    try:
        status_text = open("/proc/self/status").read()
        peak = int(status_text.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"\\n@peak-rss-kb {peak}\\n")
sys.exit(status)
"""


def _env(env: dict[str, str] | None) -> dict[str, str]:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GITHUB_STEP_SUMMARY", "GITHUB_TOKEN", "GITEE_TOKEN", "NO_COLOR")
    }
    full_env.update(env or {})
    return full_env


def start_cli(
    args: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """The real CLI started in a child process, not waited for (see :func:`finish`)."""
    return subprocess.Popen(
        [sys.executable, "-c", _RUNNER, *args],
        cwd=cwd,
        env=_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(child: subprocess.Popen[str], timeout: float = 120) -> Run:
    """Wait for a :func:`start_cli` child; its exit status, output and peak RSS."""
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise
    err, _, peak = err.rpartition("\n@peak-rss-kb ")
    return Run(child.returncode, out, err, int(peak.strip() or 0) / 1024)


def run_cli(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Run:
    """The real CLI in a child process, as a CI job runs it (no terminal, our environment)."""
    return finish(start_cli(args, cwd=cwd, env=env), timeout)


def store_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links as their target text), for before/after comparisons."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            found[name] = path.read_bytes()
        elif path.is_dir():
            found[name + "/"] = b""
    return found
