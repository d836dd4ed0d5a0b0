"""Reading the JSON report (``mdvalidator --format json``) that the publishers turn into comments.

The report travels from an unprivileged job to a privileged one as a build artifact, so it is
untrusted input twice over: its size is capped before it is read, its shape is checked here with
marshmallow (a malformed file is a :class:`ReportError`, exit 2), its text is sanitised later,
where it is rendered, and its verdict is not taken on its word: :attr:`PublishedReport.passed`
is recomputed from the problems and assets it lists.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from mdvalidator.problem import (
    FAILING_ASSETS,
    AssetRef,
    AssetResult,
    AssetStatus,
    Problem,
    Severity,
)

REPORT_VERSION = 1
# A report is a list of problems, not a data set: 20,000 problems take about 5 MB, a whole-hub
# audit a few MB more. Anything larger is not one of ours (``--max-report-size`` to raise it).
MAX_REPORT_BYTES = 16 * 1024 * 1024
# Lines and columns past this are not positions in any file a hub holds (and GitHub keeps
# annotation positions as 32-bit integers).
MAX_POSITION = 2**31 - 1


class ReportError(Exception):
    """The report file is missing, unreadable or not a version-1 mdvalidator report."""


@dataclass(frozen=True)
class PublishedReport:
    """A validated report: what the check run, the annotations and the comments are made of.

    ``claimed_pass`` is what the file's own ``status`` said; :attr:`passed` is the verdict.
    """

    claimed_pass: bool
    checked: int
    problems: tuple[Problem, ...]
    assets: tuple[AssetResult, ...] = ()

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity is severity)

    @property
    def failed_assets(self) -> int:
        return sum(1 for a in self.assets if a.status in FAILING_ASSETS)

    @property
    def passed(self) -> bool:
        """The verdict, recomputed: an error or a failed asset fails the report whatever its
        ``status`` says. A report may be stricter than its problems (``fail`` with warnings
        only, from ``--strict``), never laxer."""
        return self.claimed_pass and not self.count(Severity.ERROR) and not self.failed_assets

    @property
    def contradicts_itself(self) -> bool:
        """It says ``pass`` but lists errors or failed assets (a forged or broken report)."""
        return self.claimed_pass and not self.passed


_SEVERITIES = [s.label for s in Severity]
_STATUSES = [s.value for s in AssetStatus]
_COUNT = validate.Range(min=0)
_POSITION = validate.Range(min=0, max=MAX_POSITION)


class _ProblemSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    path = fields.String(required=True, validate=validate.Length(min=1))
    line = fields.Integer(required=True, strict=True, validate=_POSITION)
    column = fields.Integer(required=True, strict=True, validate=_POSITION)
    rule = fields.String(required=True)
    name = fields.String(required=True)
    severity = fields.String(required=True, validate=validate.OneOf(_SEVERITIES))
    message = fields.String(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Problem:
        return Problem(
            path=data["path"],
            line=data["line"],
            column=data["column"],
            rule=data["rule"],
            name=data["name"],
            severity=Severity.parse(data["severity"]),
            message=data["message"],
        )


class _AssetSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    path = fields.String(required=True)
    line = fields.Integer(required=True, strict=True, validate=_POSITION)
    url = fields.String(required=True)
    expected = fields.String(required=True, allow_none=True)
    actual = fields.String(load_default=None, allow_none=True)
    bytes = fields.Integer(load_default=0, allow_none=True, strict=True, validate=_COUNT)
    status = fields.String(required=True, validate=validate.OneOf(_STATUSES))

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> AssetResult:
        ref = AssetRef(
            path=data["path"], line=data["line"], url=data["url"], expected=data["expected"] or ""
        )
        return AssetResult(
            ref=ref,
            status=AssetStatus(data["status"]),
            actual=data["actual"],
            bytes=data["bytes"] or 0,
        )


class _ReportSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Equal(REPORT_VERSION, error="unsupported report version {input}"),
    )
    status = fields.String(required=True, validate=validate.OneOf(["pass", "fail"]))
    checked = fields.Integer(required=True, strict=True, validate=_COUNT)
    problems = fields.List(fields.Nested(_ProblemSchema), required=True)
    assets = fields.List(fields.Nested(_AssetSchema), load_default=list)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> PublishedReport:
        return PublishedReport(
            claimed_pass=data["status"] == "pass",
            checked=data["checked"],
            problems=tuple(data["problems"]),
            assets=tuple(data["assets"]),
        )


def parse_report(data: object) -> PublishedReport:
    """A decoded JSON value -> :class:`PublishedReport`, or :class:`ReportError` naming the key."""
    if not isinstance(data, dict):
        raise ReportError("not an mdvalidator report: the top level must be a JSON object")
    try:
        report: PublishedReport = _ReportSchema().load(data)
    except ValidationError as exc:
        raise ReportError(
            "not a valid mdvalidator report: " + _first_errors(exc.messages)
        ) from None
    return report


def _read_capped(file: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` of a regular file; a FIFO or device is refused, not waited on."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReportError(f"cannot read the report {file}: not a regular file")
        if info.st_size > max_bytes:
            raise ReportError(_too_large(file, max_bytes))
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise ReportError(_too_large(file, max_bytes))
    return data


def _too_large(file: Path, max_bytes: int) -> str:
    return (
        f"{file}: larger than {max_bytes} bytes, the cap for a report "
        "(not one of ours, or raise it with --max-report-size)"
    )


def load_report(path: str | Path, max_bytes: int = MAX_REPORT_BYTES) -> PublishedReport:
    """Read (at most ``max_bytes``) and validate the report file at ``path``."""
    file = Path(path)
    try:
        text = _read_capped(file, max_bytes).decode("utf-8")
    except ReportError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"cannot read the report {file}: {_reason(exc)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{file}: not JSON (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ReportError(f"{file}: nested too deeply to be an mdvalidator report") from None
    try:
        return parse_report(data)
    except ReportError as exc:
        raise ReportError(f"{file}: {exc}") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


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
