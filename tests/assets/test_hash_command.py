"""`mdvalidator hash`: sha256sum output for files, stdin and URLs, clean errors, exit codes."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import AssetServer

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MDVALIDATOR_DEBUG", None)
    completed = subprocess.run(
        [sys.executable, "-m", "mdvalidator", "hash", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode(),
        completed.stderr.decode(),
    )


def test_files_and_stdin(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ckpt", tmp_path / "b c.onnx"
    first.write_bytes(b"alpha")
    second.write_bytes(random.Random(1).randbytes(10_000_000))  # big enough for the overlapped path
    result = run(str(first), str(second), "-", stdin=b"gamma")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{hashlib.sha256(b'alpha').hexdigest()}  {first}",
        f"{hashlib.sha256(second.read_bytes()).hexdigest()}  {second}",
        f"{hashlib.sha256(b'gamma').hexdigest()}  -",
    ]
    assert result.stderr == ""


def test_matches_sha256sum(tmp_path: Path) -> None:
    target = tmp_path / "x.bin"
    target.write_bytes(random.Random(2).randbytes(100_000))
    reference = subprocess.run(
        ["sha256sum", str(target)], capture_output=True, text=True, check=True
    )
    assert run(str(target)).stdout == reference.stdout


def test_urls_with_the_same_safety(server: AssetServer) -> None:
    server.route("/a.bin", body=b"payload")
    url = server.url("/a.bin")
    refused = run(url)
    assert refused.returncode == 1
    assert "loopback" in refused.stderr and "Traceback" not in refused.stderr
    assert server.seen == []
    allowed = run("--allow-private-network", "--timeout", "5", url)
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout == f"{hashlib.sha256(b'payload').hexdigest()}  {url}\n"
    too_big = run("--allow-private-network", "--max-asset-size", "3", url)
    assert too_big.returncode == 1 and "limit" in too_big.stderr


def test_each_failure_is_reported_and_the_rest_still_hashed(tmp_path: Path) -> None:
    good = tmp_path / "good.bin"
    good.write_bytes(b"ok")
    result = run(
        str(tmp_path / "missing.bin"),
        str(tmp_path),
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.org/x",
        str(good),
    )
    assert result.returncode == 1
    assert result.stdout == f"{hashlib.sha256(b'ok').hexdigest()}  {good}\n"
    errors = result.stderr.splitlines()
    assert len(errors) == 4, result.stderr
    assert "no such file" in errors[0] and "is a directory" in errors[1]
    assert "link-local" in errors[2] and "only http and https" in errors[3]
    assert "Traceback" not in result.stderr


def test_secrets_in_urls_are_not_printed(server: AssetServer) -> None:
    server.route("/a.bin", body=b"payload")
    url = server.url("/a.bin") + "?token=s3cret"
    result = run("--allow-private-network", url)
    assert result.returncode == 0, result.stderr
    assert "s3cret" not in result.stdout
    # User information is refused (the host is what follows the last '@'), and not echoed.
    with_user = server.url("/a.bin").replace("http://", "http://user:hunter2@")
    refused = run("--allow-private-network", with_user)
    assert refused.returncode == 1 and "user information" in refused.stderr
    assert "hunter2" not in refused.stdout + refused.stderr
    assert len(server.seen) == 1


def test_control_characters_in_names_are_neutralised(tmp_path: Path) -> None:
    name = tmp_path / "evil\x1b[31mname\u202e.bin"
    name.write_bytes(b"x")
    result = run(str(name))
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


def test_usage_error_without_inputs() -> None:
    result = run()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_urls_reuse_the_cache_and_say_when_a_length_is_missing(server: AssetServer) -> None:
    route = server.route("/a.bin", body=b"payload" * 1000)
    url = server.url("/a.bin")
    first = run("--allow-private-network", url)
    second = run("--allow-private-network", url)
    assert first.returncode == second.returncode == 0
    assert (
        first.stdout == second.stdout == f"{hashlib.sha256(b'payload' * 1000).hexdigest()}  {url}\n"
    )
    assert route.sent == 7000  # the second run asked "changed since?" and got 304
    assert server.seen[1].headers.get("If-None-Match")
    server.route("/open.bin", body=b"payload", close_delimited=True)
    unframed = run("--allow-private-network", server.url("/open.bin"))
    assert unframed.returncode == 0 and "marked no end of the body" in unframed.stderr
