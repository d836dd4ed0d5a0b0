"""The JSON contract (DESIGN.md): its schema, key order, sorting, status and redaction."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem, Report, Severity
from mdvalidator.reporters import ReportOptions, render
from mdvalidator.reporters.json_report import problem_object, report_object


@pytest.fixture
def validator(golden_dir: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads((golden_dir / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_case_matches_the_schema(
    case: tuple[str, Report], options: ReportOptions, validator: jsonschema.Draft202012Validator
) -> None:
    data = json.loads(render("json", case[1], options))
    validator.validate(data)


def test_schema_rejects_what_the_contract_forbids(
    validator: jsonschema.Draft202012Validator,
) -> None:
    good: dict[str, Any] = {
        "version": 1,
        "status": "pass",
        "checked": 0,
        "problems": [],
        "assets": [],
    }
    validator.validate(good)
    for bad in (
        {**good, "status": "ok"},
        {**good, "extra": 1},
        {**good, "version": 2},
        {k: v for k, v in good.items() if k != "assets"},
        {
            **good,
            "problems": [
                {
                    "path": "a",
                    "line": 1,
                    "column": 1,
                    "rule": "X1",
                    "name": "n",
                    "severity": "error",
                    "message": "m",
                }
            ],
        },
    ):
        assert not validator.is_valid(bad), bad


def test_key_order_and_trailing_newline(cases: dict[str, Report], options: ReportOptions) -> None:
    out = render("json", cases["assets"], options)
    assert out.endswith("}\n")
    data = json.loads(out)
    assert list(data) == ["version", "status", "checked", "problems", "assets"]
    assert list(data["problems"][0]) == [
        "path",
        "line",
        "column",
        "rule",
        "name",
        "severity",
        "message",
    ]
    assert list(data["assets"][0]) == [
        "path",
        "line",
        "url",
        "expected",
        "actual",
        "bytes",
        "status",
    ]


def test_problems_sorted_and_severities_named(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    data = json.loads(render("json", cases["errors"], options))
    keys = [(p["path"], p["line"], p["column"]) for p in data["problems"]]
    assert keys == sorted(keys)
    assert {p["severity"] for p in data["problems"]} == {"error", "warning"}
    assert data["status"] == "fail" and data["checked"] == 4


def test_status_follows_strict(cases: dict[str, Report], options: ReportOptions) -> None:
    assert json.loads(render("json", cases["warnings"], options))["status"] == "pass"
    strict = dataclasses.replace(options, strict=True)
    assert json.loads(render("json", cases["warnings"], strict))["status"] == "fail"


def test_assets_redacted_and_unknown_actual_is_null(
    cases: dict[str, Report], options: ReportOptions
) -> None:
    out = render("json", cases["assets"], options)
    assert "s3cr3t" not in out and "user:pw" not in out
    assets = json.loads(out)["assets"]
    by_status = {a["status"]: a for a in assets}
    assert by_status["unreachable"]["actual"] is None
    assert by_status["mismatch"]["actual"] == "9a" * 32
    assert by_status["mismatch"]["url"] == "https://***@cdn.example/r50.ckpt?token=***&v=2"


def test_hostile_text_cleaned(cases: dict[str, Report], options: ReportOptions) -> None:
    data = json.loads(render("json", cases["hostile"], options))
    for problem in data["problems"]:
        for text in (problem["path"], problem["message"]):
            assert not any(c in text for c in "\n\r\x1b\u202e\u202c")


def test_the_schema_is_generated_from_the_one_contract(golden_dir: Path) -> None:
    from mdvalidator.reporters.contract import ASSET, PROBLEM, REPORT, json_schema

    on_file = json.loads((golden_dir / "report.schema.json").read_text(encoding="utf-8"))
    assert json_schema() == on_file  # regenerate: python -m mdvalidator.reporters.json_report
    problem = Problem("a.md", 3, 1, "MDV101", "missing-field", Severity.ERROR, "x")
    ref = AssetRef("a.md", 9, "https://x.example/a.ckpt", "ab" * 32)
    written = report_object(Report(1, (problem,), (AssetResult(ref, AssetStatus.VERIFIED),)))
    assert list(written) == [k.name for k in REPORT]
    assert [list(p) for p in written["problems"]] == [[k.name for k in PROBLEM]]  # type: ignore[union-attr]
    assert [list(a) for a in written["assets"]] == [[k.name for k in ASSET]]  # type: ignore[union-attr]


def test_a_report_reads_back_into_the_one_report_type(case: tuple[str, Report]) -> None:
    from mdvalidator.reporters.json_report import load_report

    _, report = case
    for strict in (False, True):
        written = report_object(report, strict)
        back = load_report(json.loads(json.dumps(written)))
        assert back.checked == report.checked
        assert [problem_object(p) for p in back.problems] == written["problems"]
        assert back.failed() == report.failed(strict)  # a --strict "fail" stays failed
        assert report_object(back, strict) == written
