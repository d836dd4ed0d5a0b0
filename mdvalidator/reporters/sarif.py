"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; the driver's rule table is the registry (or ``options.rules``), and every result
points into it by ``ruleId`` and ``ruleIndex``. Locations are relative to ``%SRCROOT%``;
a whole-file problem (line 0) has no region. Tests validate the output against the official
schema kept in ``fixtures/sarif/``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from mdvalidator.problem import Problem, Report, Severity
from mdvalidator.reporters import ReportOptions
from mdvalidator.rule import Rule
from mdvalidator.sanitize import clean

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "mdvalidator"
INFORMATION_URI = "https://pypi.org/project/mdvalidator/"
SRCROOT = "%SRCROOT%"
TEXT_LIMIT = 4000

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_location(path: str) -> dict[str, str]:
    """A percent-encoded URI: relative paths hang off ``%SRCROOT%``, absolute ones are file URIs."""
    posix = clean(path, TEXT_LIMIT).replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return {"uri": "file://" + quote(posix, safe="/")}
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc or rule.summary},
        "help": {"text": rule.doc or rule.summary},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.family]},
    }


def _rule_table(rules: Sequence[Rule], problems: Sequence[Problem]) -> list[Rule]:
    """The given rules, plus a stand-in for any code a problem uses that they lack."""
    table = list(rules)
    known = {rule.code for rule in table}
    for problem in problems:
        code = clean(problem.rule)
        if code not in known:
            known.add(code)
            table.append(
                Rule(
                    code=code,
                    name=clean(problem.name),
                    summary=clean(problem.name),
                    doc="",
                    severity=problem.severity,
                )
            )
    return table


def result_object(problem: Problem, index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(problem.path)}
    if problem.line > 0:
        region: dict[str, int] = {"startLine": problem.line}
        if problem.column > 0:
            region["startColumn"] = problem.column
        physical["region"] = region
    return {
        "ruleId": clean(problem.rule),
        "ruleIndex": index,
        "level": LEVELS[problem.severity],
        "message": {"text": clean(problem.message, TEXT_LIMIT)},
        "locations": [{"physicalLocation": physical}],
    }


def sarif_object(report: Report, options: ReportOptions) -> dict[str, Any]:
    if options.rules is None:
        from mdvalidator.registry import all_rules

        rules: Sequence[Rule] = all_rules()
    else:
        rules = options.rules
    problems = sorted(report.problems)
    table = _rule_table(rules, problems)
    index = {rule.code: i for i, rule in enumerate(table)}
    driver = {
        "name": TOOL_NAME,
        "version": options.tool_version,
        "informationUri": INFORMATION_URI,
        "rules": [rule_descriptor(rule) for rule in table],
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [result_object(p, index[clean(p.rule)]) for p in problems],
            }
        ],
    }


def render(report: Report, options: ReportOptions) -> str:
    return json.dumps(sarif_object(report, options), indent=2, ensure_ascii=False) + "\n"
