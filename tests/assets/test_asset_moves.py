"""Declared host moves (``[asset-moves]``), end to end through the real CLI and loopback servers.

The real CRLF card's link (``https://download.mindspore.cn/...``) is mapped by ``--mirror`` to
a loopback server playing the old host, and the declared new host
(``https://download-mindspore.osinfra.cn/``) to a second one on another port. A dead or
permanently redirected link whose moved bytes hash to the card's sha256 is MDV231, and
``--fix`` rewrites exactly the link; anything short of verified bytes is never written.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asset_server import AssetServer, running_server
from helpers import git

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "fixtures" / "assets" / "cards" / "ipt_v1.0_Set14_SR_x2.md"
CARD_PATH = "assets/noah-cvlab/ascend/1.1/ipt_v1.0_Set14_SR_x2.md"
OLD_PREFIX = "https://download.mindspore.cn/"
NEW_PREFIX = "https://download-mindspore.osinfra.cn/"
PATH = "/model_zoo/research/cv/IPT/IPT_sr2.ckpt"
REAL_LINK = (OLD_PREFIX + PATH[1:]).encode()
MOVED_LINK = (NEW_PREFIX + PATH[1:]).encode()
REAL_SHA = b"e067e506e8bbdbd6d6330f64badb3a033116d0ed5cb7cd827cf30b3496dc2be6"
PAYLOAD = b"\x0a\x20" + random.Random(7).randbytes(200_000)  # starts like a protobuf
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest().encode()
RULES = f"""\
[ruleset]
name = "my-hub"
extends = "mindspore-hub"

[asset-moves]
"{OLD_PREFIX}" = "{NEW_PREFIX}"
"""


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cwd / ".xdg")}
    for name in ("MDVALIDATOR_DEBUG", "CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
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
def new_host() -> Iterator[AssetServer]:
    with running_server() as running:
        yield running


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    """The real CRLF card with its digest set to the payload's, and the hub's rule set."""
    target = tmp_path / CARD_PATH
    target.parent.mkdir(parents=True)
    target.write_bytes(CARD.read_bytes().replace(REAL_SHA, PAYLOAD_SHA))
    assert REAL_LINK in target.read_bytes()
    (tmp_path / "hub-rules.toml").write_text(RULES)
    return tmp_path


def mapped(old: AssetServer, new: AssetServer) -> tuple[str, ...]:
    """Both public names mapped to the loopback servers (the CLI's own --mirror)."""
    return (
        "--allow-private-network",
        "--mirror",
        f"{OLD_PREFIX}={old.url('/')}",
        "--mirror",
        f"{NEW_PREFIX}={new.url('/')}",
    )


Run = subprocess.CompletedProcess[str]


def problems(result: Run, prefix: str = "MDV2") -> list[dict[str, str]]:
    found: list[dict[str, str]] = json.loads(result.stdout)["problems"]
    return [p for p in found if p["rule"].startswith(prefix)]


def statuses(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [a["status"] for a in json.loads(result.stdout)["assets"]]


def test_dead_link_with_same_bytes_at_the_move_is_mdv230_then_fixed_exactly(
    hub: Path, server: AssetServer, new_host: AssetServer
) -> None:
    new_host.route(PATH, body=PAYLOAD)  # the old host has no route: 404
    card = hub / CARD_PATH
    before = card.read_bytes()
    args = (*mapped(server, new_host), "--rules", "hub-rules.toml")
    result = check(hub, *args, "--format", "json", "assets")
    assert result.returncode == 1, result.stderr
    [problem] = problems(result)
    assert (problem["rule"], problem["name"], problem["severity"]) == (
        "MDV231",
        "asset-moved",
        "error",
    )
    assert problem["line"] == 43  # the asset-link line
    assert problem["message"].startswith(f"moved: same bytes at {MOVED_LINK.decode()}")
    assert "answers HTTP 404" in problem["message"]
    assert statuses(result) == ["unreachable"]  # the link users click is dead: never a pass
    assert card.read_bytes() == before

    fixed = check(hub, *args, "assets", "--fix")
    assert f"{CARD_PATH}:43: fixed MDV231 asset-moved (asset-link set to" in fixed.stderr
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert card.read_bytes() == before.replace(REAL_LINK, MOVED_LINK)
    assert card.read_bytes().count(b"\r\n") == before.count(b"\r\n")

    # The card now names the new link: verified there (from the cache), no move needed.
    again = check(hub, *args, "--format", "json", "assets")
    assert again.returncode == 0, again.stdout
    assert statuses(again) == ["cached"] and problems(again) == []


def test_moved_bytes_that_differ_leave_the_failure_and_the_card(
    hub: Path, server: AssetServer, new_host: AssetServer
) -> None:
    new_host.route(PATH, body=PAYLOAD + b"changed")
    card = hub / CARD_PATH
    before = card.read_bytes()
    args = (*mapped(server, new_host), "--rules", "hub-rules.toml")
    result = check(hub, *args, "--format", "json", "assets")
    [problem] = problems(result)
    assert problem["rule"] == "MDV202"
    assert "HTTP 404" in problem["message"]
    assert "the declared move to" in problem["message"] and "did not hold" in problem["message"]
    assert hashlib.sha256(PAYLOAD + b"changed").hexdigest() in problem["message"]
    fixed = check(hub, *args, "--fix", "assets")
    assert fixed.returncode == 1
    assert "MDV231" not in fixed.stdout + fixed.stderr
    assert card.read_bytes() == before


def test_permanent_redirect_to_another_host_is_handled(
    hub: Path, server: AssetServer, new_host: AssetServer
) -> None:
    with running_server() as parking:
        # The old link now answers 301 to a third host that serves a page, not the model.
        parking.route(PATH, body=b"<!DOCTYPE html><title>domain for sale</title>")
        server.route(PATH, status=301, location=parking.url(PATH))
        new_host.route(PATH, body=PAYLOAD)
        card = hub / CARD_PATH
        before = card.read_bytes()
        args = (*mapped(server, new_host), "--rules", "hub-rules.toml")
        result = check(hub, *args, "--format", "json", "assets")
        [problem] = problems(result, "MDV23")
        assert problem["rule"] == "MDV231"
        assert (
            f"permanently redirected (HTTP 301) to 127.0.0.1:{parking.port}" in (problem["message"])
        )
        assert statuses(result) == ["mismatch"]
        fixed = check(hub, *args, "--fix", "assets")
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        assert card.read_bytes() == before.replace(REAL_LINK, MOVED_LINK)


def test_temporary_redirect_or_a_live_link_is_no_move(
    hub: Path, server: AssetServer, new_host: AssetServer
) -> None:
    with running_server() as cdn:
        cdn.route(PATH, body=b"\x0a\x20other bytes")
        server.route(PATH, status=302, location=cdn.url(PATH))
        new_host.route(PATH, body=PAYLOAD)
        args = (*mapped(server, new_host), "--rules", "hub-rules.toml")
        result = check(hub, *args, "--format", "json", "assets")
        assert [p["rule"] for p in problems(result)] == ["MDV201"]
        assert new_host.seen == []  # a 302 to a CDN serving other bytes is a mismatch, no move


def test_move_target_redirecting_to_a_private_address_is_blocked_and_not_written(
    hub: Path, server: AssetServer, new_host: AssetServer
) -> None:
    new_host.route(PATH, status=302, location="http://169.254.169.254/latest/meta-data/")
    card = hub / CARD_PATH
    before = card.read_bytes()
    # Only loopback is allowed (the test's servers): the metadata address stays refused.
    args = (
        "--allow-networks",
        "127.0.0.0/8",
        "--mirror",
        f"{OLD_PREFIX}={server.url('/')}",
        "--mirror",
        f"{NEW_PREFIX}={new_host.url('/')}",
        "--rules",
        "hub-rules.toml",
    )
    result = check(hub, *args, "--format", "json", "assets")
    [problem] = problems(result)
    assert problem["rule"] == "MDV202"
    assert "did not hold" in problem["message"] and "169.254.169.254" in problem["message"]
    assert "link-local" in problem["message"]
    fixed = check(hub, *args, "--fix", "assets")
    assert fixed.returncode == 1 and "MDV231" not in fixed.stderr
    assert card.read_bytes() == before


def test_offline_fetches_nothing(hub: Path, server: AssetServer, new_host: AssetServer) -> None:
    new_host.route(PATH, body=PAYLOAD)
    args = (*mapped(server, new_host), "--rules", "hub-rules.toml", "--offline")
    result = check(hub, *args, "--format", "json", "assets")
    assert statuses(result) == ["skipped"]
    assert problems(result) == []
    assert server.seen == [] and new_host.seen == []


def test_without_a_declared_move_nothing_else_is_fetched(
    hub: Path, server: AssetServer, new_host: AssetServer
) -> None:
    new_host.route(PATH, body=PAYLOAD)
    result = check(hub, *mapped(server, new_host), "--format", "json", "assets")
    assert [p["rule"] for p in problems(result)] == ["MDV202"]
    assert new_host.seen == []


def _repo(hub: Path, base_rules: str) -> None:
    """``main`` holds settings naming the rule set ``base_rules`` and no card."""
    card = hub / CARD_PATH
    data = card.read_bytes()
    card.unlink()
    (hub / ".gitignore").write_text(".cache/\n.xdg/\n")
    (hub / "setup.cfg").write_text("[mdvalidator]\nrules = hub-rules.toml\n")
    (hub / "hub-rules.toml").write_text(base_rules)
    git(hub, "init", "-q", "-b", "main")
    git(hub, "add", ".")
    git(hub, "commit", "-q", "-m", "base")
    git(hub, "checkout", "-q", "-b", "pr")
    card.write_bytes(data)


def test_a_pull_requests_own_move_is_not_applied(
    hub: Path, server: AssetServer, new_host: AssetServer
) -> None:
    """The PR adds the move to the hub's rule set and a card whose link is dead: the move
    would make it fixable, so it takes effect only after merge."""
    new_host.route(PATH, body=PAYLOAD)
    _repo(hub, RULES.partition("[asset-moves]")[0])
    (hub / "hub-rules.toml").write_text(RULES)
    git(hub, "add", ".")
    git(hub, "commit", "-q", "-m", "pr")
    ci = (*mapped(server, new_host), "--changed-since", "main", "--format", "json")
    result = check(hub, *ci)
    assert [p["rule"] for p in problems(result)] == ["MDV202"], result.stdout
    notices = [p["message"] for p in problems(result, "MDV019")]
    assert any("takes effect after merge" in m for m in notices), notices
    assert new_host.seen == []
    before = (hub / CARD_PATH).read_bytes()
    check(hub, *ci, "--fix")
    assert (hub / CARD_PATH).read_bytes() == before

    # Found in the working tree (no --changed-since) the moves are not applied either.
    local = check(hub, *mapped(server, new_host), "--format", "json", "assets")
    assert [p["rule"] for p in problems(local)] == ["MDV202"]
    notices = [p["message"] for p in problems(local, "MDV019")]
    assert any("asset-moves is not applied" in m for m in notices), notices
    assert new_host.seen == []


def test_the_base_branchs_move_is_applied(
    hub: Path, server: AssetServer, new_host: AssetServer
) -> None:
    new_host.route(PATH, body=PAYLOAD)
    _repo(hub, RULES)
    git(hub, "add", ".")
    git(hub, "commit", "-q", "-m", "pr")
    result = check(hub, *mapped(server, new_host), "--changed-since", "main", "--format", "json")
    assert [p["rule"] for p in problems(result)] == ["MDV231"], result.stdout
    assert problems(result, "MDV019") == []
