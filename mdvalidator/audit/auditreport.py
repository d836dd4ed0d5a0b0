"""The JSON report as an audit reads and writes it: the contract, plus the health fields.

Reports come from CI jobs that may have run pull request content, so each one is validated
here before anything is made of it: its shape by the one JSON contract
(:func:`mdvalidator.reporters.json_report.load_report`, the publishers' reader), then the
optional asset fields of an audit (``health``, ``evidence``, ``since``), each against the
asset's ``status`` (the contract's reader ignores keys it does not know; an audit does not).
Its own ``status`` is never believed: :meth:`AuditReport.failed` recomputes the verdict from
what it lists (a merge recomputes it with or without ``--strict``). Output goes through the
JSON reporter's own functions and the contract's key order, so a merged report is byte for
byte what one run would write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mdvalidator.audit.health import Evidence, Health, allowed_health, derive_health, health_fits
from mdvalidator.digests import is_sha256
from mdvalidator.problem import FAILING_ASSETS, AssetResult, AssetStatus, Problem, Report
from mdvalidator.reporters.contract import REPORT, VERSION
from mdvalidator.reporters.json_report import (
    ReportError,
    asset_object,
    load_report,
    problem_object,
)
from mdvalidator.sanitize import clean

__all__ = [
    "AuditReport",
    "AuditedAsset",
    "ReportError",
    "audit_report_object",
    "parse_audit_report",
    "render_audit_report",
]

# A run's date as the history writes it: an ISO 8601 date or date and time (UTC).
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z)?$")
_HOST_LIMIT = 255
_URL_LIMIT = 4000
_MAX_ATTEMPTS = 10_000


@dataclass(frozen=True)
class AuditedAsset:
    """One asset entry: what verification found, and what an audit made of it."""

    result: AssetResult
    health: Health | None = None
    evidence: Evidence | None = None
    since: str | None = None  # first run of the current failing streak (with a history)

    @property
    def key(self) -> tuple[str, int, str, str]:
        """The entry: the card, the line of its link, the link and the digest it promises."""
        ref = self.result.ref
        return (ref.path, ref.line, ref.url, ref.expected)

    @property
    def link(self) -> tuple[str, str]:
        """The file: the link and the digest (the history's key; cards may share one)."""
        return (self.result.ref.url, self.result.ref.expected)

    @property
    def observed(self) -> Health:
        """The health the report gives, or the one its status implies."""
        return self.health if self.health is not None else derive_health(self.result.status)

    @property
    def failed(self) -> bool:
        return self.result.status in FAILING_ASSETS


@dataclass(frozen=True)
class AuditReport:
    checked: int
    problems: tuple[Problem, ...]
    assets: tuple[AuditedAsset, ...] = field(default=())

    def as_report(self) -> Report:
        """The report without the audit's fields (what every format and publisher takes)."""
        return Report(self.checked, self.problems, tuple(a.result for a in self.assets))

    def failed(self, strict: bool = False) -> bool:
        """The verdict, from the problems and assets themselves (never a report's word)."""
        return self.as_report().failed(strict)


def parse_audit_report(data: object) -> AuditReport:
    """A decoded JSON value -> :class:`AuditReport`, or :class:`ReportError` naming the key."""
    published = load_report(data)
    assert isinstance(data, dict)  # load_report refuses anything else
    raw_assets = data.get("assets") or []
    assets = tuple(
        _audited(result, raw, index)
        for index, (result, raw) in enumerate(zip(published.assets, raw_assets, strict=True))
    )
    return AuditReport(checked=published.checked, problems=published.problems, assets=assets)


def _audited(result: AssetResult, raw: Mapping[str, Any], index: int) -> AuditedAsset:
    where = f"assets.{index}"
    actual = result.actual
    if actual is not None and not is_sha256(actual):
        raise ReportError(f"{where}.actual: not a sha256 (64 lower-case hex digits)")
    health = _health(raw.get("health"), result.status, where)
    evidence = _evidence(raw.get("evidence"), f"{where}.evidence")
    since = raw.get("since")
    if since is not None and not (isinstance(since, str) and DATE.match(since)):
        raise ReportError(f"{where}.since: not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
    return AuditedAsset(result=result, health=health, evidence=evidence, since=since)


def _health(value: object, status: AssetStatus, where: str) -> Health | None:
    if value is None:
        return None
    try:
        health = Health(value) if isinstance(value, str) else None
    except ValueError:
        health = None
    if health is None:
        choices = ", ".join(h.value for h in Health)
        raise ReportError(f"{where}.health: must be one of {choices}")
    if not health_fits(status, health):
        raise ReportError(
            f"{where}.health: {health.value!r} contradicts status {status.value!r} "
            f"(allowed: {', '.join(allowed_health(status))})"
        )
    return health


def _evidence(value: object, where: str) -> Evidence | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ReportError(f"{where}: must be an object")
    status = value.get("http_status")
    if status is not None and not (_is_int(status) and 100 <= status <= 599):
        raise ReportError(f"{where}.http_status: must be an HTTP status (100-599) or null")
    host = value.get("host", "")
    if not isinstance(host, str):
        raise ReportError(f"{where}.host: must be a string")
    attempts = value.get("attempts", 0)
    if not (_is_int(attempts) and 0 <= attempts <= _MAX_ATTEMPTS):
        raise ReportError(f"{where}.attempts: must be a count (0-{_MAX_ATTEMPTS})")
    moved_to = value.get("moved_to")
    if moved_to is not None and not isinstance(moved_to, str):
        raise ReportError(f"{where}.moved_to: must be a string or null")
    return Evidence(
        http_status=status,
        host=clean(host, _HOST_LIMIT),
        attempts=attempts,
        moved_to=None if moved_to is None else clean(moved_to, _URL_LIMIT),
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _asset_json(asset: AuditedAsset) -> dict[str, Any]:
    entry = asset_object(asset.result)
    if asset.health is not None:
        entry["health"] = asset.health.value
    if asset.evidence is not None:
        entry["evidence"] = asset.evidence.as_json()
    if asset.since is not None:
        entry["since"] = asset.since
    return entry


def audit_report_object(report: AuditReport, strict: bool = False) -> dict[str, Any]:
    """The JSON contract (problems sorted, assets by path, line and link), plus the optional
    health fields of the assets that have them."""
    assets = sorted(report.assets, key=lambda a: a.key)
    values: dict[str, Any] = {
        "version": VERSION,
        "status": "fail" if report.failed(strict) else "pass",
        "checked": report.checked,
        "problems": [problem_object(p) for p in sorted(report.problems)],
        "assets": [_asset_json(a) for a in assets],
    }
    return {key.name: values[key.name] for key in REPORT}


def render_audit_report(report: AuditReport, strict: bool = False) -> str:
    """As ``mdvalidator --format json`` prints it."""
    return json.dumps(audit_report_object(report, strict), indent=2, ensure_ascii=False) + "\n"
