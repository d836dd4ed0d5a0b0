"""Health and evidence in the outputs: the JSON contract (written, schema, read back) and text.

The CLI runs on a real card (``fixtures/assets/cards``) whose link points at the loopback server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from mdvalidator.problem import (
    AssetEvidence,
    AssetHealth,
    AssetRef,
    AssetResult,
    AssetStatus,
    Report,
)
from mdvalidator.reporters.json_report import ReportError, load_report, report_object

if TYPE_CHECKING:
    from conftest import AssetServer

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "fixtures" / "assets" / "cards" / "ipt_v1.0_Set14_SR_x2.md"
REAL_LINK = b"https://download.mindspore.cn/model_zoo/research/cv/IPT/IPT_sr2.ckpt"
CARD_PATH = "assets/noah-cvlab/ascend/1.1/ipt_v1.0_Set14_SR_x2.md"
SCHEMA = json.loads((ROOT / "fixtures" / "golden" / "report.schema.json").read_text("utf-8"))


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cwd / ".xdg")}
    for name in ("MDVALIDATOR_DEBUG", "CI", "GITHUB_ACTIONS"):
        env.pop(name, None)
    command = [sys.executable, "-m", "mdvalidator", "check", "--cache-dir", str(cwd / ".c")]
    return subprocess.run(
        [*command, "--allow-private-network", *args, "assets"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def hub_linking(tmp_path: Path, link: str) -> Path:
    target = tmp_path / CARD_PATH
    target.parent.mkdir(parents=True)
    target.write_bytes(CARD.read_bytes().replace(REAL_LINK, link.encode()))
    return tmp_path


def test_a_dead_link_in_json_and_text(tmp_path: Path, server: AssetServer) -> None:
    server.route("/IPT_sr2.ckpt", always_status=404)
    hub = hub_linking(tmp_path, server.url("/IPT_sr2.ckpt"))
    result = check(hub, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    [asset] = report["assets"]
    assert asset["status"] == "unreachable" and asset["health"] == "dead"
    assert asset["evidence"] == {
        "http_status": 404,
        "host": "127.0.0.1",
        "attempts": 1,
        "moved_to": None,
    }
    text = check(hub)
    assert text.returncode == 1
    assert "the link is dead: 404 from host 127.0.0.1 after 1 attempt" in text.stdout


def test_a_flaky_link_in_text(tmp_path: Path, server: AssetServer) -> None:
    server.route("/IPT_sr2.ckpt", always_status=503, retry_after="0")
    hub = hub_linking(tmp_path, server.url("/IPT_sr2.ckpt"))
    result = check(hub, "--format", "json")
    [asset] = json.loads(result.stdout)["assets"]
    assert asset["health"] == "flaky" and asset["evidence"]["http_status"] == 503
    attempts = asset["evidence"]["attempts"]
    assert attempts > 1
    text = check(hub)
    assert f"flaky: 503 from 127.0.0.1 after {attempts} attempts" in text.stdout


REF = AssetRef("a.md", 9, "https://x.example/a.ckpt", "ab" * 32, 10)


def _round_trip(result: AssetResult) -> AssetResult:
    [back] = load_report(report_object(Report(1, (), (result,)))).assets
    return back


@pytest.mark.parametrize(
    "result",
    [
        AssetResult(
            REF,
            AssetStatus.VERIFIED,
            actual="ab" * 32,
            health=AssetHealth.MOVED,
            evidence=AssetEvidence(200, "new.example", 2, "https://new.example/a.ckpt"),
        ),
        AssetResult(
            REF,
            AssetStatus.UNREACHABLE,
            health=AssetHealth.FLAKY,
            evidence=AssetEvidence(None, "x.example", 5, None),
        ),
        AssetResult(REF, AssetStatus.MISMATCH, actual="cd" * 32),
    ],
    ids=["moved", "flaky", "no evidence"],
)
def test_health_and_evidence_survive_a_round_trip(result: AssetResult) -> None:
    back = _round_trip(result)
    assert (back.health, back.evidence) == (result.health, result.evidence)


def test_a_report_without_health_still_loads() -> None:
    data: dict[str, Any] = report_object(Report(1, (), (AssetResult(REF, AssetStatus.CACHED),)))
    asset = data["assets"][0]  # type: ignore[index]
    del asset["health"]
    [back] = load_report(data).assets
    assert back.health is AssetHealth.VERIFIED and back.evidence is None  # from the status


def _forged(**changes: Any) -> dict[str, Any]:
    result = AssetResult(
        REF,
        AssetStatus.UNREACHABLE,
        health=AssetHealth.DEAD,
        evidence=AssetEvidence(404, "x.example", 1, None),
    )
    data: dict[str, Any] = report_object(Report(1, (), (result,)))
    data["assets"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"health": "verified"}, "assets.0.health"),  # a failed asset called healthy
        ({"status": "verified", "health": "dead"}, "assets.0.health"),
        ({"status": "mismatch", "health": "moved"}, "assets.0.health"),
        ({"health": "fine"}, "assets.0.health"),
        (
            {"evidence": {"http_status": 999, "host": "x", "attempts": 1, "moved_to": None}},
            "http_status",
        ),
        (
            {"evidence": {"http_status": 404, "host": "x", "attempts": -1, "moved_to": None}},
            "attempts",
        ),
        ({"evidence": "404"}, "assets.0.evidence"),
    ],
)
def test_a_report_whose_health_contradicts_it_is_refused(
    changes: dict[str, Any], says: str
) -> None:
    with pytest.raises(ReportError, match=says.replace(".", r"\.")):
        load_report(_forged(**changes))
