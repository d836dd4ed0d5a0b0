"""`report merge` end to end: N shards of the real CLI merge into what one run reports.

A generated hub of 250 cards and 1,000 assets on a loopback server is checked once whole and
once as 4 shards (`--shard I/4`, `--allow-private-network`, no cache); the merged report must be
byte for byte the unsharded one, whatever order the shards come in.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from audit_support import AssetServer, Hub, generated_hub, load, mdvalidator, running_server

SHARDS = 4
CHECK = (
    "--format",
    "json",
    "--no-cache",
    "--allow-private-network",
    "--timeout",
    "5",
    "-j",
    "4",
    "--max-asset-size",
    "2K",
)


@pytest.fixture(scope="module")
def server() -> Iterator[AssetServer]:
    with running_server() as running:
        yield running


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, server: AssetServer) -> Hub:
    return generated_hub(tmp_path_factory.mktemp("hub"), server, cards=250, per_card=4)


@pytest.fixture(scope="module")
def runs(hub: Hub) -> dict[str, Path]:
    """The unsharded report and the shards' reports (the real CLI, each run timed)."""
    out: dict[str, Path] = {}
    for label, extra in [
        ("whole", ()),
        *((f"shard-{i}", ("--shard", f"{i}/{SHARDS}")) for i in range(1, SHARDS + 1)),
    ]:
        target = hub.root / f"{label}.json"
        started = time.monotonic()
        done = mdvalidator(*CHECK, *extra, "-o", str(target), "assets", cwd=hub.root)
        assert done.returncode == 1, done.stderr  # some assets fail on purpose
        assert time.monotonic() - started < 120
        out[label] = target
    return out


def test_the_generated_hub_is_what_the_test_needs(runs: dict[str, Path]) -> None:
    whole = load(runs["whole"])
    assert whole["checked"] == 250 and len(whole["assets"]) == 1000
    statuses = Counter(a["status"] for a in whole["assets"])
    assert statuses["verified"] > 800
    assert {"mismatch", "unreachable", "too-large", "skipped"} <= set(statuses)
    # each shard verified only its slice and skipped the rest
    for i in range(1, SHARDS + 1):
        shard = load(runs[f"shard-{i}"])
        assert len(shard["assets"]) == 1000
        mine = [a for a in shard["assets"] if a["status"] != "skipped"]
        assert 150 < len(mine) < 350


def test_merging_the_shards_equals_the_unsharded_run(runs: dict[str, Path], hub: Hub) -> None:
    merged = hub.root / "merged.json"
    shards = [str(runs[f"shard-{i}"]) for i in (3, 1, 4, 2)]
    done = mdvalidator(
        "report", "merge", *shards, "--shards", str(SHARDS), "-o", str(merged), cwd=hub.root
    )
    assert done.returncode == 0, done.stderr
    assert "merged 4 report(s): 250 files, 1000 assets" in done.stderr
    assert merged.read_bytes() == runs["whole"].read_bytes()


def test_a_missing_shard_is_an_error_naming_it(runs: dict[str, Path], hub: Hub) -> None:
    merged = hub.root / "partial.json"
    shards = [str(runs[f"shard-{i}"]) for i in (1, 2, 4)]
    done = mdvalidator(
        "report", "merge", *shards, "--shards", str(SHARDS), "-o", str(merged), cwd=hub.root
    )
    assert done.returncode == 2
    assert "no report verified shard 3/4" in done.stderr
    assert not merged.exists()
    # without --shards it merges, says what is missing, and the skipped assets stay skipped
    done = mdvalidator("report", "merge", *shards, "-o", str(merged), cwd=hub.root)
    assert done.returncode == 0, done.stderr
    assert "skipped by every report" in done.stderr


def test_a_shard_given_twice_changes_nothing(runs: dict[str, Path], hub: Hub) -> None:
    merged = hub.root / "twice.json"
    shards = [str(runs[f"shard-{i}"]) for i in (1, 2, 2, 3, 4, 1)]
    done = mdvalidator("report", "merge", *shards, "-o", str(merged), cwd=hub.root)
    assert done.returncode == 0, done.stderr
    assert merged.read_bytes() == runs["whole"].read_bytes()


def test_merging_with_a_history_twice_reports_the_dead_links(
    runs: dict[str, Path], hub: Hub
) -> None:
    history = hub.root / "history.jsonl"
    shards = [str(runs[f"shard-{i}"]) for i in range(1, SHARDS + 1)]
    for date in ("2024-05-01", "2024-05-08"):
        out = hub.root / f"hub-{date}.json"
        done = mdvalidator(
            "report",
            "merge",
            *shards,
            "-o",
            str(out),
            "--history",
            str(history),
            "--date",
            date,
            cwd=hub.root,
        )
        assert done.returncode == 0, done.stderr
    first = load(hub.root / "hub-2024-05-01.json")
    second = load(hub.root / "hub-2024-05-08.json")
    unreachable = [a for a in second["assets"] if a["status"] == "unreachable"]
    assert unreachable
    assert {a["health"] for a in first["assets"] if a["status"] == "unreachable"} == {"flaky"}
    assert {a["health"] for a in unreachable} == {"dead"}
    assert {a["since"] for a in unreachable} == {"2024-05-01"}
    lines = history.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    # no URL in the history, one key an asset file
    assert "127.0.0.1" not in history.read_text(encoding="utf-8")
    assert hashlib.sha256(history.read_bytes()).hexdigest()  # readable as bytes, whole
