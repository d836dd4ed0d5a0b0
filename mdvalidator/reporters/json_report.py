"""The JSON contract of DESIGN.md: one object, stable key order, sorted entries.

``{"version": 1, "status": "pass"|"fail", "checked": N, "problems": [...], "assets": [...]}``;
``fixtures/golden/report.schema.json`` is its JSON Schema. Text from a card is cleaned
(controls and bidi characters neutralised) and asset URLs are redacted, as in every format.
"""

from __future__ import annotations

import json
from typing import Any

from mdvalidator.problem import AssetResult, Problem, Report
from mdvalidator.reporters import ReportOptions
from mdvalidator.reporters.tally import failed
from mdvalidator.sanitize import clean, redact_url

SCHEMA_VERSION = 1
TEXT_LIMIT = 4000


def problem_object(problem: Problem) -> dict[str, Any]:
    return {
        "path": clean(problem.path, TEXT_LIMIT),
        "line": problem.line,
        "column": problem.column,
        "rule": clean(problem.rule),
        "name": clean(problem.name),
        "severity": problem.severity.label,
        "message": clean(problem.message, TEXT_LIMIT),
    }


def asset_object(result: AssetResult) -> dict[str, Any]:
    ref = result.ref
    return {
        "path": clean(ref.path, TEXT_LIMIT),
        "line": ref.line,
        "url": redact_url(ref.url, TEXT_LIMIT),
        "expected": clean(ref.expected),
        "actual": result.actual,
        "bytes": result.bytes,
        "status": result.status.value,
    }


def report_object(report: Report, strict: bool = False) -> dict[str, Any]:
    """The contract as plain data (for callers that embed it rather than print it)."""
    assets = sorted(report.assets, key=lambda r: (r.ref.path, r.ref.line, r.ref.url))
    return {
        "version": SCHEMA_VERSION,
        "status": "fail" if failed(report, strict) else "pass",
        "checked": report.checked,
        "problems": [problem_object(p) for p in sorted(report.problems)],
        "assets": [asset_object(a) for a in assets],
    }


def render(report: Report, options: ReportOptions) -> str:
    return json.dumps(report_object(report, options.strict), indent=2, ensure_ascii=False) + "\n"
