"""``mdvalidator store`` runs through the engine like ``check``: it honours --select/--ignore,
a settings file's per-file-ignores, and writes every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mdvalidator.cli import main
from mdvalidator.reporters import FORMATS

# --require-checksums: each of the five model folders lacks SHA256SUMS (MDV328, an error).
MISSING = ["store", "--require-checksums", "--format", "json"]


def _rules(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return sorted(p["rule"] for p in json.loads(capsys.readouterr().out)["problems"])


def test_select_and_ignore_choose_the_rules(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([*MISSING, str(store)]) == 1
    assert _rules(capsys) == ["MDV328"] * 5
    assert main([*MISSING, "--ignore", "MDV328", str(store)]) == 0
    assert _rules(capsys) == []
    assert main([*MISSING, "--ignore", "checksums-missing", str(store)]) == 0
    assert _rules(capsys) == []
    assert main([*MISSING, "--select", "MDV324", str(store)]) == 0
    assert _rules(capsys) == []
    assert main([*MISSING, "--select", "MDV328", "--ignore", "MDV3", str(store)]) == 1
    assert _rules(capsys) == ["MDV328"] * 5  # the longest prefix wins


def test_a_settings_file_chooses_too_and_per_file_ignores_apply(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "setup.cfg").write_text(
        "[mdvalidator]\nper-file-ignores =\n    */lenet-*/info.json: MDV328\n", "utf-8"
    )
    assert main([*MISSING, str(store)]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert sorted(p["path"].split("/")[-2] for p in problems) == [
        "alexnet-caffe-pylayer",
        "detectnet-caffe",
    ]
    (tmp_path / "setup.cfg").write_text("[mdvalidator]\nignore = MDV328\nformat = json\n")
    assert main(["store", "--require-checksums", str(store)]) == 0
    assert _rules(capsys) == []


def test_every_output_format(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    info = store / "lenet-torch" / "info.json"
    info.write_text(info.read_text().replace('"torch"', '"Torch"'))
    written = {}
    for fmt in FORMATS:
        out = tmp_path / f"report.{fmt}"
        assert main(["store", "--format", fmt, "--output", str(out), str(store)]) == 1
        assert capsys.readouterr().out == ""  # all of it went to the file
        written[fmt] = out.read_text("utf-8")
    path = f"{store.as_posix()}/lenet-torch/info.json"
    assert f"{path}\n  5:18  error" in written["text"]
    [problem] = json.loads(written["json"])["problems"]
    assert (problem["path"], problem["rule"], problem["line"]) == (path, "MDV312", 5)
    assert f"::error file={path},line=5,col=18,title=MDV312" in written["github"]
    sarif = json.loads(written["sarif"])
    assert sarif["runs"][0]["results"][0]["ruleId"] == "MDV312"
