"""The JSON report: written from a Report, and read back into one, by the one contract.

``{"version": 1, "status": "pass"|"fail", "checked": N, "problems": [...], "assets": [...]}``;
:mod:`~mdvalidator.reporters.contract` defines every key, and the JSON Schema
(``fixtures/golden/report.schema.json``, ``python -m mdvalidator.reporters.json_report``
prints it) is generated from it. Text from a card is cleaned (controls and bidi characters
neutralised) and asset URLs are redacted, as in every format.

A report read back is untrusted (it travels from an unprivileged job to a privileged one): its
shape is checked key by key (:func:`load_report` raises :class:`ReportError` naming the key),
its text is sanitised again where it is rendered, and its verdict is recomputed from what it
lists (``Report.failed``): its own ``status`` can only make it stricter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem, Report, Severity
from mdvalidator.reporters import ReportOptions
from mdvalidator.reporters.contract import ASSET, OBJECTS, PROBLEM, REPORT, VERSION, Key
from mdvalidator.reporters.tally import failed
from mdvalidator.sanitize import clean, redact_url

SCHEMA_VERSION = VERSION
TEXT_LIMIT = 4000


class ReportError(Exception):
    """Not a version-1 mdvalidator report (the message names the first bad keys)."""


_PROBLEM_VALUES: Mapping[str, Callable[[Problem], object]] = {
    "path": lambda p: clean(p.path, TEXT_LIMIT),
    "line": lambda p: p.line,
    "column": lambda p: p.column,
    "rule": lambda p: clean(p.rule),
    "name": lambda p: clean(p.name),
    "severity": lambda p: p.severity.label,
    "message": lambda p: clean(p.message, TEXT_LIMIT),
}
_ASSET_VALUES: Mapping[str, Callable[[AssetResult], object]] = {
    "path": lambda a: clean(a.ref.path, TEXT_LIMIT),
    "line": lambda a: a.ref.line,
    "url": lambda a: redact_url(a.ref.url, TEXT_LIMIT),
    "expected": lambda a: clean(a.ref.expected),
    "actual": lambda a: a.actual,
    "bytes": lambda a: a.bytes,
    "status": lambda a: a.status.value,
}


def problem_object(problem: Problem) -> dict[str, object]:
    return {key.name: _PROBLEM_VALUES[key.name](problem) for key in PROBLEM}


def asset_object(result: AssetResult) -> dict[str, object]:
    return {key.name: _ASSET_VALUES[key.name](result) for key in ASSET}


def report_object(report: Report, strict: bool = False) -> dict[str, object]:
    """The contract as plain data (for callers that embed it rather than print it)."""
    assets = sorted(report.assets, key=lambda r: (r.ref.path, r.ref.line, r.ref.url))
    values: dict[str, object] = {
        "version": VERSION,
        "status": "fail" if failed(report, strict) else "pass",
        "checked": report.checked,
        "problems": [problem_object(p) for p in sorted(report.problems)],
        "assets": [asset_object(a) for a in assets],
    }
    return {key.name: values[key.name] for key in REPORT}


def render(report: Report, options: ReportOptions) -> str:
    return json.dumps(report_object(report, options.strict), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------- reading back


def _problem(data: Mapping[str, Any]) -> Problem:
    return Problem(
        path=data["path"],
        line=data["line"],
        column=data["column"],
        rule=data["rule"],
        name=data["name"],
        severity=Severity.parse(data["severity"]),
        message=data["message"],
    )


def _asset(data: Mapping[str, Any]) -> AssetResult:
    ref = AssetRef(path=data["path"], line=data["line"], url=data["url"],
                   expected=data["expected"] or "")  # fmt: skip
    return AssetResult(
        ref=ref, status=AssetStatus(data["status"]), actual=data["actual"], bytes=data["bytes"] or 0
    )


def _field(key: Key, schemas: Mapping[str, Any]) -> Any:
    """The marshmallow field that reads ``key`` (marshmallow is imported only to read)."""
    from marshmallow import fields, validate

    options: dict[str, Any] = {"allow_none": key.read_nullable or key.nullable}
    if key.optional:
        options["load_default"] = list if key.type == "list" else key.default
    else:
        options["required"] = True
    if key.items is not None:
        return fields.List(fields.Nested(schemas[key.items]), **options)
    checks: list[Any] = []
    if key.const is not None:
        checks.append(validate.Equal(key.const, error="unsupported report version {input}"))
    if key.choices:
        checks.append(validate.OneOf(key.choices))
    least = key.min_length if key.read_min_length is None else key.read_min_length
    if least:
        checks.append(validate.Length(min=least))
    if key.minimum is not None or key.maximum is not None:
        checks.append(validate.Range(min=key.minimum, max=key.maximum))
    if key.type == "integer":
        return fields.Integer(strict=True, validate=checks, **options)
    return fields.String(validate=checks, **options)


def _reader() -> Any:
    from marshmallow import EXCLUDE, Schema, post_load

    def schema(name: str, keys: tuple[Key, ...], make: Callable[..., Any], inner: Any) -> Any:
        attributes = {key.name: _field(key, inner) for key in keys}

        def build(self: Any, data: dict[str, Any], **_: Any) -> Any:
            return make(data)

        attributes["_make"] = post_load(build)
        attributes["Meta"] = type("Meta", (), {"unknown": EXCLUDE})
        return type(f"{name.title()}Schema", (Schema,), attributes)

    makers = {"problem": _problem, "asset": _asset}
    inner = {name: schema(name, keys, makers[name], {}) for name, keys in OBJECTS.items()}
    return schema("report", REPORT, lambda data: data, inner)()


def load_report(data: object) -> Report:
    """A decoded JSON value -> :class:`Report` (keeping its claimed status), or
    :class:`ReportError` naming the first bad keys."""
    from marshmallow import ValidationError

    if not isinstance(data, dict):
        raise ReportError("not an mdvalidator report: the top level must be a JSON object")
    try:
        values = _reader().load(data)
    except ValidationError as exc:
        raise ReportError(
            "not a valid mdvalidator report: " + _first_errors(exc.messages)
        ) from None
    return Report(
        checked=values["checked"],
        problems=tuple(values["problems"]),
        assets=tuple(values["assets"]),
        claimed_pass=values["status"] == "pass",
    )


def _first_errors(messages: object, limit: int = 3) -> str:
    """marshmallow's nested error dict as ``problems.3.line: Not a valid integer.`` lines."""
    found: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}" if where else str(key))
        elif isinstance(node, list) and all(isinstance(n, str) for n in node):
            found.append(f"{where or 'report'}: {' '.join(node)}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}.{index}")
        else:
            found.append(f"{where or 'report'}: {node}")

    walk(messages, "")
    shown = "; ".join(found[:limit])
    more = len(found) - limit
    return f"{shown} (and {more} more)" if more > 0 else shown


if __name__ == "__main__":  # pragma: no cover - regenerates fixtures/golden/report.schema.json
    from mdvalidator.reporters.contract import json_schema

    print(json.dumps(json_schema(), indent=2))
