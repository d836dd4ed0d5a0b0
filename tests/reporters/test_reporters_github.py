"""GitHub workflow commands (no injection whatever the card says) and the step summary cap."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from mdvalidator.problem import Problem, Report, Severity
from mdvalidator.reporters import ReportOptions, render
from mdvalidator.reporters import write_step_summary as package_writer
from mdvalidator.reporters.github import SUMMARY_LIMIT, step_summary, write_step_summary

MakeProblem = Callable[[str, int, int, str, Severity, str], Problem]
COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape(text: str) -> str:
    return (
        text.replace("%2C", ",")
        .replace("%3A", ":")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
    )


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one workflow command as the runner does: properties split on ',' and '='."""
    match = COMMAND.match(line)
    assert match, line
    props = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(match.group(3))


def test_one_command_per_problem_then_verdict(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    lines = render("github", cases["errors"], options).splitlines()
    assert len(lines) == 6
    assert lines[-1] == "3 errors, 2 warnings in 2 files"
    kinds = [_parse(line)[0] for line in lines[:-1]]
    assert kinds == ["error", "warning", "error", "error", "warning"]


def test_line_zero_and_column_zero_are_omitted(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    lines = render("github", cases["errors"], options).splitlines()
    whole, no_col, full = (_parse(line)[1] for line in lines[:3])
    assert set(whole) == {"file", "title"}
    assert set(no_col) == {"file", "line", "title"} and no_col["line"] == "21"
    assert full == {
        "file": "assets/acme/1.8/resnet50_imagenet2012.md",
        "line": "21",
        "col": "19",
        "title": "MDV104 sha256-format",
    }


def test_info_is_a_notice_and_warnings_pass(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    lines = render("github", cases["warnings"], options).splitlines()
    assert {_parse(line)[0] for line in lines[:3]} == {"warning", "notice"}
    assert lines[3:] == ["2 warnings, 1 info in 2 files", "All Passed"]


@pytest.mark.parametrize(
    "message",
    [
        "line one\n::error file=x::injected",
        "\r\n::add-mask::secret",
        "100% sure, key: value, %0A%25",
        "::stop-commands::token",
        "a,b:c=d::e",
        "\u2028::error::u2028 is a line separator",
    ],
)
def test_hostile_messages_cannot_inject(make_problem: MakeProblem, message: str) -> None:
    problem = make_problem("dir,x:y/a%b.md", 3, 4, "MDV110", Severity.ERROR, message)
    out = render("github", Report(checked=1, problems=(problem,)))
    lines = out.splitlines()
    assert len(lines) == 2 and lines[1] == "1 error in 1 file"
    kind, props, data = _parse(lines[0])
    assert kind == "error"
    assert props == {
        "file": "dir,x:y/a%b.md",
        "line": "3",
        "col": "4",
        "title": "MDV110 unknown-key",
    }
    # the message survives (newlines turned into spaces), all on one line
    assert "\n" not in data and "\r" not in data
    assert data.replace(" ", "").replace("\ufffd", "") == "".join(message.split())


def test_hostile_case_is_one_line_per_problem(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    lines = render("github", cases["hostile"], options).splitlines()
    assert len(lines) == 3
    for line in lines[:2]:
        _, props, data = _parse(line)
        assert props["file"] == "assets/we,ird:dir/100% a.md"  # bidi override removed
        assert "\x1b" not in data


def test_summary_has_a_table_row_per_problem(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    text = step_summary(cases["errors"], options)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 5
    assert "**3 errors, 2 warnings in 2 files** (4 files checked)" in text
    assert all(row.count(" | ") == 4 for row in rows)


def test_summary_pipes_stay_inside_their_cell(make_problem: MakeProblem) -> None:
    problem = make_problem("a|b.md", 1, 1, "MDV110", Severity.ERROR, "x | y `z` @team")
    row = step_summary(Report(checked=1, problems=(problem,)), ReportOptions()).splitlines()[-1]
    assert re.sub(r"\\\|", "", row).count("|") == 6  # 5 cells
    assert "``x \\| y `z` @team``" in row


def _big_report(make_problem: MakeProblem, count: int) -> Report:
    return Report(
        checked=count,
        problems=tuple(
            make_problem(f"assets/p{i:05d}/card.md", i + 1, 1, "MDV110", Severity.ERROR, "m" * 290)
            for i in range(count)
        ),
    )


def test_summary_is_capped_with_a_count_of_the_rest(make_problem: MakeProblem) -> None:
    report = _big_report(make_problem, 5000)
    text = step_summary(report, ReportOptions())
    size = len(text.encode())
    assert SUMMARY_LIMIT - 1000 < size <= SUMMARY_LIMIT
    shown = sum(line.startswith("| `") for line in text.splitlines())
    more = re.search(r"\.\.\. and (\d+) more problems", text)
    assert more and shown + int(more.group(1)) == 5000
    assert text.endswith("(see the job log)\n")


@pytest.mark.parametrize("budget", [200, 400, 1000, 5000])
def test_summary_respects_any_budget(make_problem: MakeProblem, budget: int) -> None:
    text = step_summary(_big_report(make_problem, 50), ReportOptions(), budget)
    assert len(text.encode()) <= budget


def test_small_report_is_not_truncated(cases: dict[str, Report], options: ReportOptions) -> None:
    assert "more problem" not in step_summary(cases["errors"], options)


def test_write_step_summary_appends_within_the_file_cap(
    make_problem: MakeProblem, tmp_path: Path
) -> None:
    path = tmp_path / "summary.md"
    path.write_text("earlier step output\n" * 1000, encoding="utf-8")
    before = path.stat().st_size
    write_step_summary(_big_report(make_problem, 5000), str(path), ReportOptions())
    content = path.read_text(encoding="utf-8")
    assert content.startswith("earlier step output\n")
    assert before < path.stat().st_size <= SUMMARY_LIMIT
    assert "## mdvalidator" in content


def test_write_step_summary_creates_the_file(cases: dict[str, Report], tmp_path: Path) -> None:
    path = tmp_path / "new.md"
    assert write_step_summary(cases["none"], str(path), ReportOptions())
    assert package_writer(
        cases["none"], str(path), dataclasses.replace(ReportOptions(), strict=True)
    )
    assert path.read_text(encoding="utf-8").count("✅ **All Passed** (3 files checked)") == 2


def test_write_step_summary_skips_a_full_file(cases: dict[str, Report], tmp_path: Path) -> None:
    path = tmp_path / "full.md"
    path.write_bytes(b"x" * SUMMARY_LIMIT)
    assert not write_step_summary(cases["errors"], str(path), ReportOptions())
    assert path.stat().st_size == SUMMARY_LIMIT


def test_write_step_summary_reports_an_unwritable_path(
    cases: dict[str, Report], tmp_path: Path
) -> None:
    # a directory cannot be appended to: no traceback, just False
    assert not write_step_summary(cases["errors"], str(tmp_path), ReportOptions())
    assert not write_step_summary(cases["errors"], str(tmp_path / "no" / "dir.md"), ReportOptions())
