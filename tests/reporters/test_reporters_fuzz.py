"""Any text a card can hold, in any field, keeps every format well-formed and one line per item."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdvalidator.problem import Problem, Report, Severity
from mdvalidator.reporters import ReportOptions, render
from mdvalidator.reporters.github import step_summary

ROOT = Path(__file__).resolve().parents[2]
SARIF = jsonschema.Draft202012Validator(
    json.loads((ROOT / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8"))
)
CONTRACT = jsonschema.Draft202012Validator(
    json.loads((ROOT / "fixtures" / "golden" / "report.schema.json").read_text("utf-8"))
)
OPTIONS = ReportOptions(tool_version="0", rules=())
# Characters that would let text start a new line or hide what it says.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

nasty_text = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            [" ", "\n", "\r", "%", ",", ":", "=", "|", "`", "\x1b", "\u202e", "\u2028"]
        ),
    ),
    max_size=60,
)
# Text that starts like a workflow command, with or without leading blanks.
commandish = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["", " ", "\n", "\t"]), st.sampled_from(["::error::", "::x "]), nasty_text
    ),
)
hostile = st.one_of(nasty_text, commandish)
problems = st.builds(
    Problem,
    path=hostile.filter(bool),
    line=st.integers(0, 10**6),
    column=st.integers(0, 500),
    rule=st.sampled_from(["MDV001", "MDV101", "MDV204"]),
    name=st.sampled_from(["invalid-yaml", "required-field", "x"]),
    severity=st.sampled_from(list(Severity)),
    message=hostile,
)
reports = st.builds(
    Report, checked=st.integers(0, 50), problems=st.lists(problems, max_size=6).map(tuple)
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(reports)
def test_text_and_github_lines_stay_whole(report: Report) -> None:
    for fmt in ("text", "github"):
        out = render(fmt, report, OPTIONS)
        assert not FORBIDDEN.search(out.replace("\n", "")), fmt
        assert out.endswith("\n")
    text_lines = render("text", report, OPTIONS).split("\n")
    assert not any(line.lstrip().startswith("::") for line in text_lines)
    lines = render("github", report, OPTIONS).split("\n")[:-1]
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(report.problems)
    for line in commands:
        match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
        assert match, line
        keys = [item.split("=", 1)[0] for item in match.group(2).split(",")]
        assert keys[0] == "file" and keys[-1] == "title"


@SETTINGS
@given(reports)
def test_json_and_sarif_stay_valid(report: Report) -> None:
    CONTRACT.validate(json.loads(render("json", report, OPTIONS)))
    sarif = json.loads(render("sarif", report, OPTIONS))
    SARIF.validate(sarif)
    assert len(sarif["runs"][0]["results"]) == len(report.problems)


@SETTINGS
@given(reports)
def test_summary_rows_stay_in_their_table(report: Report) -> None:
    text = step_summary(report, OPTIONS)
    rows = [line for line in text.split("\n") if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(report.problems) + (1 if report.problems else 0)
    for row in rows:
        assert re.sub(r"\\\|", "", row).count("|") == 6
    assert not FORBIDDEN.search(text.replace("\n", ""))
