"""A body much shorter than the file a verified run hashed is named in the mismatch's message.

End to end: the real CLI checks a card whose asset a loopback server serves (4 MiB, verified;
the history records its size), then serves 1 KiB of it (a mismatch): the merged report's
problem, the dashboard's card page and the rolling issue all say how many bytes came back and
how many a verified run saw. Over half the size says nothing more; old history lines without
sizes and hostile sizes are handled as the history's error rules say.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from audit_support import AssetServer, load, mdvalidator, running_server
from helpers import GOOD_CARD

from mdvalidator.audit.auditreport import AuditedAsset, AuditReport, render_audit_report
from mdvalidator.audit.classify import SHORTER_BODY_RATIO, audit_run, classify_with_history
from mdvalidator.audit.files import load_audit_report
from mdvalidator.audit.history import (
    HistoryError,
    HistoryRecord,
    link_key,
    outcome_of,
    parse_history,
    record_line,
)
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem, Severity
from mdvalidator.publish.rolling import draft
from mdvalidator.sanitize import markdown_text

MIB = 1024 * 1024
BIG = bytes(range(256)) * (4 * MIB // 256)  # the asset: 4 MiB, binary (no sniffer names it)
DIGEST = hashlib.sha256(BIG).hexdigest()
ROUTE = "/models/lenet.ckpt"
CARD = "assets/mindspore/1.10/lenet_mnist.md"
CHECK = ("--format", "json", "--no-cache", "--allow-private-network", "--timeout", "10")
_BLOCK = """-
    file-format: ckpt
    asset-link: <https://download.example.org/models/r1.10/lenet_mnist.ckpt>
    asset-sha256: 0b7d1c3ff1a2f4ecf4bf5a1f3f3c88d0c1fb9b9a9d2e8fdbbd7e0d6b4c2a3e51
"""
NOTE_1K = (
    "the link served 1,024 bytes; on 2026-05-01 it served 4,194,304 bytes (the asset): "
    "a truncated or replaced file"
)


@dataclass
class Lab:
    root: Path
    server: AssetServer
    history: Path  # after the first run (4 MiB verified on 2026-05-01)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("shorter")
    with running_server() as server:
        template = GOOD_CARD.read_text(encoding="utf-8")
        assert _BLOCK in template
        block = (
            f"-\n    file-format: ckpt\n    asset-link: <{server.url(ROUTE)}>\n"
            f"    asset-sha256: {DIGEST}\n"
        )
        (root / CARD).parent.mkdir(parents=True)
        (root / CARD).write_text(template.replace(_BLOCK, block), encoding="utf-8")
        server.route(ROUTE, body=BIG)
        history = root / "history.jsonl"
        merged = _run(root, "first", history, "2026-05-01", expect_check=0)
        (asset,) = merged["assets"]
        assert (asset["status"], asset["bytes"], asset["health"]) == (
            "verified",
            len(BIG),
            "verified",
        )
        yield Lab(root, server, history)


def _run(root: Path, label: str, history: Path, date: str, expect_check: int) -> dict[str, object]:
    """`mdvalidator check` into a report, then `report merge --history`: the merged report."""
    shard = root / f"{label}.json"
    done = mdvalidator(*CHECK, "-o", str(shard), "assets", cwd=root)
    assert done.returncode == expect_check, done.stderr
    merged = root / f"{label}-merged.json"
    done = mdvalidator(
        "report", "merge", str(shard), "--history", str(history), "--date", date,
        "-o", str(merged), cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return load(merged)


def _second_run(lab: Lab, body: bytes, label: str) -> tuple[dict[str, object], Path]:
    history = lab.root / f"{label}-history.jsonl"
    shutil.copyfile(lab.history, history)
    lab.server.route(ROUTE, body=body)
    return _run(lab.root, label, history, "2026-05-08", expect_check=1), history


def test_the_history_records_the_size_a_verified_run_hashed(lab: Lab) -> None:
    (line,) = lab.history.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["assets"] == {link_key(lab.server.url(ROUTE), DIGEST): f"verified:{len(BIG)}"}
    assert record["counts"]["bytes_verified"] == len(BIG)


def test_a_body_under_half_the_size_is_named_everywhere_the_audit_shows_text(lab: Lab) -> None:
    merged, history = _second_run(lab, BIG[:1024], "short")
    (asset,) = merged["assets"]  # type: ignore[misc]
    assert (asset["status"], asset["health"], asset["bytes"]) == ("mismatch", "mismatch", 1024)
    assert merged["status"] == "fail"  # the verdict is the mismatch's, note or not
    (problem,) = [p for p in merged["problems"] if p["rule"] == "MDV201"]  # type: ignore[attr-defined]
    assert problem["message"].startswith(NOTE_1K + "; sha256 of ")
    assert hashlib.sha256(BIG[:1024]).hexdigest() in problem["message"]

    # the dashboard's page of the card
    site = lab.root / "site"
    done = mdvalidator(
        "report", "html", str(lab.root / "short-merged.json"), "--history", str(history),
        "--date", "2026-05-08", "-o", str(site), cwd=lab.root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (page,) = (site / "cards").iterdir()
    assert NOTE_1K in page.read_text(encoding="utf-8")

    # the rolling issue
    report = load_audit_report(lab.root / "short-merged.json", 16 * MIB)
    body = draft(report, title="Asset health", limit=65536).body
    assert markdown_text(NOTE_1K, 500) in body  # Markdown-escaped, as all report text is
    assert "\\(the asset\\): a truncated or replaced file; sha256 of" in body

    # merging the merged report again (its health already set) does not say it twice
    again = audit_run(report, parse_history(history.read_text()).records[:1], "2026-05-08")
    (kept,) = [p for p in again.report.problems if p.rule == "MDV201"]
    assert kept.message.count("a truncated or replaced file") == 1


def test_a_body_over_half_the_size_is_a_bare_mismatch(lab: Lab) -> None:
    merged, _ = _second_run(lab, BIG[: 3 * MIB], "three")
    (asset,) = merged["assets"]  # type: ignore[misc]
    assert (asset["status"], asset["bytes"]) == ("mismatch", 3 * MIB)
    (problem,) = [p for p in merged["problems"] if p["rule"] == "MDV201"]  # type: ignore[attr-defined]
    assert "served" not in problem["message"] and problem["message"].startswith("sha256 of ")


# ------------------------------------------------------------------------ in process

URL = "https://download.example.org/a.ckpt"
KEY = link_key(URL, DIGEST)
PATH = "assets/p/1.0/a_b.md"
SHORT = hashlib.sha256(b"short").hexdigest()


def mismatch(size: int) -> AuditReport:
    result = AssetResult(AssetRef(PATH, 30, URL, DIGEST), AssetStatus.MISMATCH, SHORT, size)
    problem = Problem(
        PATH, 31, 1, "MDV201", "asset-sha256-mismatch", Severity.ERROR,
        f"sha256 of {URL} is {SHORT}, but asset-sha256 says {DIGEST} ({size} bytes downloaded)",
    )  # fmt: skip
    return AuditReport(checked=1, problems=(problem,), assets=(AuditedAsset(result),))


def history(*lines: dict[str, object]) -> tuple[HistoryRecord, ...]:
    text = "".join(json.dumps({"version": 1, **line}) + "\n" for line in lines)
    return parse_history(text).records


def message(size: int, records: tuple[HistoryRecord, ...]) -> str:
    classified = classify_with_history(mismatch(size), records, date="2026-05-08")
    assert classified.failed() and classified.assets[0].health is not None
    assert classified.assets[0].health.value == "mismatch"
    (problem,) = classified.problems
    return problem.message


def test_the_ratio_is_strict_at_half() -> None:
    seen = history({"date": "2026-05-01", "assets": {KEY: f"verified:{4 * MIB}"}})
    assert SHORTER_BODY_RATIO == 0.5
    assert message(2 * MIB, seen).startswith("sha256 of ")
    assert message(2 * MIB - 1, seen).startswith("the link served 2,097,151 bytes; on 2026-05-01")
    assert message(0, seen).startswith("the link served 0 bytes;")


def test_the_last_run_that_verified_the_file_decides() -> None:
    # sized once, then verified by a run that wrote no size: nothing known of the last one
    old = history(
        {"date": "2026-04-01", "assets": {KEY: f"verified:{4 * MIB}"}},
        {"date": "2026-04-08T03:00:00Z", "assets": {KEY: "verified"}},
        {"date": "2026-04-15", "assets": {KEY: "dead:404"}},
    )
    assert message(1024, old).startswith("sha256 of ")
    later = history(
        {"date": "2026-04-01", "assets": {KEY: "verified"}},
        {"date": "2026-04-08T03:00:00Z", "assets": {KEY: f"verified:{4 * MIB}"}},
        {"date": "2026-04-15", "assets": {KEY: "flaky:503"}, "counts": {"flaky": 1}},
    )
    assert message(1024, later).startswith(
        "the link served 1,024 bytes; on 2026-04-08 it served 4,194,304 bytes (the asset)"
    )


def test_an_old_history_line_without_sizes_loads_and_gives_no_note() -> None:
    old = '{"version":1,"date":"2024-05-06","counts":{"verified":1},"assets":{"%s":"verified"}}\n'
    records = parse_history(old % KEY).records
    assert records[0].outcomes == {KEY: "verified"}
    assert message(1024, records).startswith("sha256 of ")
    assert message(1024, ()).startswith("sha256 of ")  # no history at all


@pytest.mark.parametrize(
    ("outcome", "said"),
    [
        ("verified:-5", "not an outcome"),
        ("verified:abc", "not an outcome"),
        ("verified:", "not an outcome"),
        ("verified:0", "not an outcome"),
        ("verified:0123", "not an outcome"),
        ("verified:4096:200", "not an outcome"),
        ("verified:" + "9" * 40, "not an outcome"),
        ("verified:" + "9" * 16, "is not a size"),
        (str(2**53), "not an outcome"),
        (4096, "not an outcome"),
        (["verified", 4096], "not an outcome"),
    ],
)
def test_a_hostile_size_is_an_error_at_its_line(outcome: object, said: str) -> None:
    good = json.dumps({"version": 1, "date": "2026-05-01", "assets": {KEY: "verified:4096"}})
    bad = json.dumps({"version": 1, "date": "2026-05-02", "assets": {KEY: outcome}})
    with pytest.raises(HistoryError, match=rf"^h:2: assets\.{KEY}: .*{said}"):
        parse_history(f"{good}\n{bad}\n", "h")


def test_a_hostile_history_stops_the_merge_and_is_left_as_it_was(tmp_path: Path) -> None:
    shard = tmp_path / "shard.json"
    report = mismatch(1024)
    shard.write_text(render_audit_report(report), encoding="utf-8")
    bad = tmp_path / "history.jsonl"
    text = json.dumps({"version": 1, "date": "2026-05-01", "assets": {KEY: "verified:-4194304"}})
    bad.write_text(text + "\n", encoding="utf-8")
    done = mdvalidator(
        "report", "merge", str(shard), "--history", str(bad), "-o", str(tmp_path / "m.json"),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert f"{bad}:1: assets.{KEY}: not an outcome" in done.stderr
    assert "Traceback" not in done.stderr
    assert bad.read_text(encoding="utf-8") == text + "\n"
    assert not (tmp_path / "m.json").exists()


def test_a_report_cannot_write_a_size_the_history_could_not_read_back() -> None:
    """A forged shard claiming a huge verified file: the history records no size, and the
    line it writes loads again."""
    for size, outcome in [
        (2**60, "verified"),
        (2**53, "verified"),
        (0, "verified"),
        (7, "verified:7"),
    ]:
        result = AssetResult(AssetRef(PATH, 30, URL, DIGEST), AssetStatus.VERIFIED, DIGEST, size)
        asset = AuditedAsset(result)
        assert outcome_of(asset) == outcome
        run = audit_run(AuditReport(1, (), (asset,)), (), "2026-05-01")
        (again,) = parse_history(record_line(run.record)).records
        assert again.outcomes == {KEY: outcome}
    moved = AuditedAsset(
        AssetResult(AssetRef(PATH, 30, URL, DIGEST), AssetStatus.CACHED, DIGEST, 9)
    )
    assert outcome_of(moved) == "verified:9"  # a cached file keeps the size it was hashed at
