"""The text format: grouping, alignment, colour, the closing verdict and sanitising."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable

import pytest

from mdvalidator.problem import Problem, Report, Severity
from mdvalidator.reporters import ReportOptions, render

MakeProblem = Callable[[str, int, int, str, Severity, str], Problem]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_no_problems_is_just_all_passed(options: ReportOptions) -> None:
    assert render("text", Report(checked=5, problems=()), options) == "All Passed\n"


def test_warnings_are_listed_then_pass(cases: dict[str, Report], options: ReportOptions) -> None:
    lines = render("text", cases["warnings"], options).splitlines()
    assert lines[-1] == "All Passed"
    assert lines[-2] == "2 warnings, 1 info in 2 files"
    assert sum("warning" in line for line in lines) == 3  # two rows and the count


def test_strict_turns_warnings_into_failure(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    out = render("text", cases["warnings"], dataclasses.replace(options, strict=True))
    assert "All Passed" not in out
    assert out.endswith("2 warnings, 1 info in 2 files\n")


def test_errors_grouped_by_file_with_counts(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    out = render("text", cases["errors"], options)
    blocks = out.split("\n\n")
    assert [b.splitlines()[0] for b in blocks[:2]] == [
        "assets/acme/1.8/resnet50_imagenet2012.md",
        "assets/acme/gpu/1.8/lenet_v1_mnist.md",
    ]
    assert out.endswith("3 errors, 2 warnings in 2 files\n")
    assert "All Passed" not in out


def test_columns_align(cases: dict[str, Report], options: ReportOptions) -> None:
    rows = [
        line
        for line in render("text", cases["errors"], options).splitlines()
        if line.startswith("  ")
    ]
    assert len(rows) == 5
    # severity starts at the same offset, and so does the message
    assert len({row.index(sev) for row in rows for sev in ("error ", "warning") if sev in row}) == 1
    offsets = {re.search(r"(error|warning) +(\S)", row).start(2) for row in rows}  # type: ignore[union-attr]
    assert len(offsets) == 1


@pytest.mark.parametrize(
    ("line", "column", "shown"),
    [(0, 0, "  -  "), (0, 7, "  -  "), (4, 0, "  4  "), (4, 2, "  4:2  ")],
)
def test_positions(make_problem: MakeProblem, line: int, column: int, shown: str) -> None:
    report = Report(
        checked=1, problems=(make_problem("a.md", line, column, "MDV101", Severity.ERROR, "m"),)
    )
    assert render("text", report).splitlines()[1].startswith(shown)


def test_colour_only_when_asked(cases: dict[str, Report], options: ReportOptions) -> None:
    plain = render("text", cases["errors"], options)
    coloured = render("text", cases["errors"], dataclasses.replace(options, color=True))
    assert "\x1b[" not in plain
    assert "\x1b[1;31m" in coloured and "\x1b[33m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_pass_is_green(options: ReportOptions) -> None:
    coloured = render(
        "text", Report(checked=1, problems=()), dataclasses.replace(options, color=True)
    )
    assert coloured == "\x1b[1;32mAll Passed\x1b[0m\n"


def test_hostile_text_is_neutralised(cases: dict[str, Report], options: ReportOptions) -> None:
    out = render("text", cases["hostile"], options)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    # the message's own newlines cannot start a line of their own
    assert all(
        line.startswith(("  ", "assets/")) or not line or line[0].isdigit()
        for line in out.splitlines()
    )
    assert out.count("\n") == 5  # header, two rows, blank, count


def test_long_messages_are_capped(make_problem: MakeProblem) -> None:
    report = Report(
        checked=1, problems=(make_problem("a.md", 1, 1, "MDV101", Severity.ERROR, "x" * 5000),)
    )
    row = render("text", report).splitlines()[1]
    assert len(row) < 1100 and "…" in row


def test_asset_line_counts_statuses(cases: dict[str, Report], options: ReportOptions) -> None:
    out = render("text", cases["assets"], options)
    assert "assets: 1 verified, 1 mismatch, 1 unreachable (1 dead), 1 skipped, 1 cached\n" in out
    assert "token" not in out  # no URL is echoed at all in text


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("::add-mask::x.md", "./::add-mask::x.md"),
        ("  ::error::x.md", "./  ::error::x.md"),
        ("dir/::error::x.md", "dir/::error::x.md"),
        (":x.md", ":x.md"),
    ],
)
def test_no_line_reads_as_a_workflow_command(
    make_problem: MakeProblem, path: str, header: str
) -> None:
    report = Report(checked=1, problems=(make_problem(path, 1, 1, "MDV101", Severity.ERROR, "m"),))
    lines = render("text", report).splitlines()
    assert lines[0] == header
    assert not any(line.lstrip().startswith("::") for line in lines)


@pytest.mark.parametrize("status", ["mismatch", "blocked", "unreachable", "too-large"])
def test_an_asset_that_failed_is_never_all_passed(status: str) -> None:
    from mdvalidator.problem import AssetRef, AssetResult, AssetStatus

    ref = AssetRef("assets/a.md", 9, "https://x.example/a.ckpt", "ab" * 32)
    report = Report(checked=1, problems=(), assets=(AssetResult(ref, AssetStatus(status)),))
    for fmt in ("text", "github"):
        out = render(fmt, report)
        assert "All Passed" not in out and "1 asset not verified" in out, fmt
    assert json.loads(render("json", report))["status"] == "fail"
    skipped = Report(checked=1, problems=(), assets=(AssetResult(ref, AssetStatus.SKIPPED),))
    assert render("text", skipped).endswith("All Passed\n")


def test_old_runner_commands_in_paths_and_messages_are_broken(make_problem: MakeProblem) -> None:
    report = Report(
        checked=1,
        problems=(
            make_problem("##[add-path]x.md", 1, 1, "MDV101", Severity.ERROR, "##[add-mask]s"),
        ),
    )
    for fmt in ("text", "github", "json", "sarif"):
        assert "##[" not in render(fmt, report), fmt


def test_unreachable_assets_say_how_many_are_dead_and_flaky() -> None:
    from mdvalidator.problem import AssetHealth, AssetRef, AssetResult, AssetStatus
    from mdvalidator.reporters.tally import asset_line

    def gone(line: int, health: AssetHealth | None) -> AssetResult:
        ref = AssetRef("a.md", line, f"https://h.example/{line}", "ab" * 32)
        return AssetResult(ref, AssetStatus.UNREACHABLE, health=health)

    mixed = [gone(1, AssetHealth.DEAD), gone(2, AssetHealth.FLAKY), gone(3, AssetHealth.FLAKY)]
    assert asset_line(Report(1, (), tuple(mixed))) == "assets: 3 unreachable (1 dead, 2 flaky)"
    # A report read back without health keeps the plain count.
    assert asset_line(Report(1, (), (gone(4, None),))) == "assets: 1 unreachable"
