"""`mdvalidator check` with assets, end to end: a real CRLF card, a loopback server, git.

Every run passes --cache-dir (and XDG_CACHE_HOME) inside the test's tmp folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers import git

if TYPE_CHECKING:
    from conftest import AssetServer

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "fixtures" / "assets" / "cards" / "ipt_v1.0_Set14_SR_x2.md"
REAL_LINK = b"https://download.mindspore.cn/model_zoo/research/cv/IPT/IPT_sr2.ckpt"
REAL_SHA = b"e067e506e8bbdbd6d6330f64badb3a033116d0ed5cb7cd827cf30b3496dc2be6"
PAYLOAD = b"\x0a\x20" + random.Random(5).randbytes(400_000)  # starts like a protobuf
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest().encode()
CARD_PATH = "assets/noah-cvlab/ascend/1.1/ipt_v1.0_Set14_SR_x2.md"


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cwd / ".xdg")}
    for name in ("MDVALIDATOR_DEBUG", "CI", "GITHUB_ACTIONS"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "mdvalidator", "check", "--cache-dir", str(cwd / ".cache"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def hub(tmp_path: Path, server: AssetServer) -> Path:
    """A hub folder holding the real CRLF card, its link pointed at the loopback server."""
    server.route("/IPT_sr2.ckpt", body=PAYLOAD)
    target = tmp_path / CARD_PATH
    target.parent.mkdir(parents=True)
    target.write_bytes(CARD.read_bytes().replace(REAL_LINK, server.url("/IPT_sr2.ckpt").encode()))
    return tmp_path


def assets_of(result: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assets: list[dict[str, object]] = json.loads(result.stdout)["assets"]
    return assets


def test_mismatch_is_reported_at_the_sha_line_then_fixed_byte_for_byte(
    hub: Path, server: AssetServer
) -> None:
    card = hub / CARD_PATH
    before = card.read_bytes()
    result = check(hub, "--allow-private-network", "--format", "json", "assets")
    assert result.returncode == 1, result.stderr
    problems = [p for p in json.loads(result.stdout)["problems"] if p["rule"] == "MDV201"]
    assert [(p["path"], p["line"]) for p in problems] == [(CARD_PATH, 45)]
    assert PAYLOAD_SHA.decode() in problems[0]["message"]
    assert REAL_SHA.decode() in problems[0]["message"]
    [asset] = assets_of(result)
    assert asset["status"] == "mismatch" and asset["actual"] == PAYLOAD_SHA.decode()
    assert asset["bytes"] == len(PAYLOAD)

    fixed = check(hub, "--allow-private-network", "--fix", "assets")
    assert "asset-sha256 set to" in fixed.stderr
    assert card.read_bytes() == before.replace(REAL_SHA, PAYLOAD_SHA)
    assert card.read_bytes().count(b"\r\n") == before.count(b"\r\n")

    # The digest computed on the first run is reused (after a conditional request each time):
    # neither --fix nor the runs after it download the asset again.
    again = check(hub, "--allow-private-network", "--format", "json", "assets")
    assert [a["status"] for a in assets_of(again)] == ["cached"]
    assert not [p for p in json.loads(again.stdout)["problems"] if p["rule"].startswith("MDV2")]
    assert [bool(s.headers.get("If-None-Match")) for s in server.seen] == [False, True, True]
    uncached = check(hub, "--allow-private-network", "--no-cache", "--format", "json", "assets")
    assert [a["status"] for a in assets_of(uncached)] == ["verified"]


def test_offline_downloads_nothing(hub: Path, server: AssetServer) -> None:
    result = check(hub, "--offline", "--format", "json", "assets")
    assert [a["status"] for a in assets_of(result)] == ["skipped"]
    assert server.seen == []


def test_loopback_link_is_blocked_without_the_opt_in(hub: Path, server: AssetServer) -> None:
    result = check(hub, "assets")
    assert result.returncode == 1
    assert "MDV203" in result.stdout and "loopback" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert server.seen == []


def test_changed_since_downloads_only_changed_assets(hub: Path, server: AssetServer) -> None:
    (hub / ".gitignore").write_text(".cache/\n.xdg/\n")
    card = hub / CARD_PATH
    card.write_bytes(card.read_bytes().replace(REAL_SHA, PAYLOAD_SHA))
    git(hub, "init", "-q", "-b", "main")
    git(hub, "add", ".")
    git(hub, "commit", "-q", "-m", "base")
    opt = ("--allow-private-network", "--no-cache", "--format", "json", "--changed-since", "HEAD")

    untouched = check(hub, *opt)
    assert json.loads(untouched.stdout)["checked"] == 0, untouched.stderr
    assert server.seen == []

    card.write_bytes(card.read_bytes().replace(b"## Introduction", b"## Introduction\r\n\r\nMore."))
    prose_only = check(hub, *opt)
    assert json.loads(prose_only.stdout)["checked"] == 1, prose_only.stderr
    assert [a["status"] for a in assets_of(prose_only)] == ["skipped"]
    assert server.seen == []

    other = hashlib.sha256(b"other").hexdigest().encode()
    card.write_bytes(card.read_bytes().replace(PAYLOAD_SHA, other))
    digest_changed = check(hub, *opt)
    assert [a["status"] for a in assets_of(digest_changed)] == ["mismatch"]
    assert len(server.seen) == 1


def test_changed_since_outside_git_is_a_usage_error(hub: Path) -> None:
    result = check(hub, "--offline", "--changed-since", "HEAD", "assets")
    assert result.returncode == 2
    assert "git" in result.stderr and "Traceback" not in result.stderr
