"""Loading the JSON report the publishers read: a bad file is one clear message, never a crash."""

from __future__ import annotations

import json
import os

import pytest

from mdvalidator.cli import main
from mdvalidator.problem import AssetStatus, Severity
from mdvalidator.publish.report import ReportError, load_report, parse_report

GOOD = {
    "version": 1,
    "status": "fail",
    "checked": 2,
    "problems": [
        {"path": "a.md", "line": 3, "column": 5, "rule": "MDV102", "name": "missing-field",
         "severity": "error", "message": "missing `license`", "extra": "ignored"},
    ],
    "assets": [
        {"path": "a.md", "line": 9, "url": "https://x/y.ckpt", "expected": "ab" * 32,
         "actual": None, "bytes": 0, "status": "unreachable"},
    ],
}  # fmt: skip


def test_a_good_report_loads_into_records():
    report = parse_report(GOOD)
    assert not report.passed and report.checked == 2
    assert report.problems[0].severity is Severity.ERROR
    assert (report.problems[0].line, report.problems[0].column) == (3, 5)
    assert report.assets[0].status is AssetStatus.UNREACHABLE
    assert report.count(Severity.ERROR) == 1 and report.count(Severity.WARNING) == 0


def test_assets_are_optional():
    data = {k: v for k, v in GOOD.items() if k != "assets"}
    assert parse_report(data).assets == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"version": 2}, "version: unsupported report version 2"),
        ({"status": "maybe"}, "status: Must be one of"),
        ({"checked": "2"}, "checked: Not a valid integer"),
        ({"problems": [{"path": "a.md"}]}, "problems.0.line: Missing data"),
        ({"problems": [{**GOOD["problems"][0], "severity": "fatal"}]}, "problems.0.severity"),
        ({"problems": [{**GOOD["problems"][0], "line": -1}]}, "problems.0.line"),
        ({"assets": [{**GOOD["assets"][0], "status": "fine"}]}, "assets.0.status"),
    ],
)
def test_a_malformed_report_names_the_key(change, expected):
    with pytest.raises(ReportError, match="not a valid mdvalidator report") as info:
        parse_report({**GOOD, **change})
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not JSON (line 1, column 2)"),
        ("[1, 2]", "top level must be a JSON object"),
        (b"\xff\xfe", "cannot read the report"),
    ],
)
def test_a_bad_file_is_a_report_error(tmp_path, content, expected):
    path = tmp_path / "report.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(ReportError, match="report") as info:
        load_report(path)
    assert expected in str(info.value)


def test_the_cli_turns_a_bad_report_into_exit_2(tmp_path, capsys):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({**GOOD, "problems": "\u202eoops"}))
    assert main(["publish", "render", "--report", str(path)]) == 2
    err = capsys.readouterr().err
    assert "problems: Not a valid list" in err and "Traceback" not in err


def test_markdown_prints_the_summary_without_a_token(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(GOOD))
    link = ["--link-base", "https://github.com/hub/models", "--ref", "abc"]
    assert main(["publish", "render", "--report", str(path), *link]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### ❌ mdvalidator: 1 error")
    assert "[`a.md`](https://github.com/hub/models/blob/abc/a.md#L3)" in out
    assert "Assets: 1 unreachable." in out


def test_render_replays_the_report_as_workflow_commands(tmp_path, capsys, monkeypatch):
    summary_file = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    path = tmp_path / "report.json"
    path.write_text(json.dumps(GOOD))
    assert main(["publish", "render", "--report", str(path), "--format", "github"]) == 0
    out = capsys.readouterr().out
    assert "::error file=a.md,line=3,col=5,title=MDV102 missing-field::missing `license`" in out
    assert "MDV102" in summary_file.read_text()


def test_render_offers_every_check_format():
    from mdvalidator.commands.publish import RENDER_FORMATS
    from mdvalidator.reporters import FORMATS

    assert set(RENDER_FORMATS) - {"markdown"} == set(FORMATS)


def test_the_report_file_is_read_only_up_to_its_cap(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(GOOD))
    assert load_report(path, max_bytes=path.stat().st_size).checked == 2
    with pytest.raises(ReportError, match=r"larger than 10 bytes, the cap .*--max-report-size"):
        load_report(path, max_bytes=10)


def test_a_fifo_or_folder_is_not_waited_on(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(ReportError, match="not a regular file"):
        load_report(fifo)
    with pytest.raises(ReportError, match=r"Is a directory|not a regular file"):
        load_report(tmp_path)


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [("line", 2**31 - 1, True), ("line", 2**31, False), ("column", 2**31, False),
     ("line", True, False), ("line", -5, False)],
)  # fmt: skip
def test_positions_must_fit_the_api(key, value, ok):
    data = {**GOOD, "problems": [{**GOOD["problems"][0], key: value}]}
    if ok:
        assert parse_report(data).problems[0].line == value
    else:
        with pytest.raises(ReportError, match=f"problems.0.{key}"):
            parse_report(data)
