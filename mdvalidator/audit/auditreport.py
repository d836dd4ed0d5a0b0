"""The JSON report as an audit reads and writes it: the contract, plus the health fields.

Reports come from CI jobs that may have run pull request content, so each one is validated
here before anything is made of it, by the one JSON contract
(:func:`mdvalidator.reporters.json_report.load_report`, the publishers' reader: it also checks
``health`` against each asset's ``status`` and the shape of ``evidence``), then the audit's own
``since`` and the digests.
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

from mdvalidator.audit.health import Evidence, Health, derive_health
from mdvalidator.digests import is_sha256
from mdvalidator.problem import FAILING_ASSETS, AssetResult, Problem, Report
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
    health = _health(result, raw)
    evidence = _evidence(result, raw)
    since = raw.get("since")
    if since is not None and not (isinstance(since, str) and DATE.match(since)):
        raise ReportError(f"{where}.since: not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
    return AuditedAsset(result=result, health=health, evidence=evidence, since=since)


def _health(result: AssetResult, raw: Mapping[str, Any]) -> Health | None:
    """The health the report gave (the contract's reader checked it against the status)."""
    if raw.get("health") is None or result.health is None:
        return None
    return Health(result.health.value)


def _evidence(result: AssetResult, raw: Mapping[str, Any]) -> Evidence | None:
    """The evidence the report gave (shape checked by the contract's reader), cleaned."""
    given = result.evidence
    if raw.get("evidence") is None or given is None:
        return None
    return Evidence(
        http_status=given.http_status,
        host=clean(given.host, _HOST_LIMIT),
        attempts=given.attempts,
        moved_to=None if given.moved_to is None else clean(given.moved_to, _URL_LIMIT),
    )


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
