"""Health over time: an asset is dead only after it failed the same way run after run.

One failed download says little: CDNs answer 503 for a minute, runners lose their network, a
404 can be a deployment half done. So with a history, a failed download (observed ``dead`` or
``flaky``; an ``unreachable`` status in a report without health) is reported

- ``dead`` when this run and the ``dead_after - 1`` runs before it that saw the file all
  observed the same outcome (``dead:404`` three times; ``flaky`` from reports without
  evidence);
- ``flaky`` otherwise,

each with ``since``: the date of the first run of the current streak of failed downloads, so
"flaky since 2024-05-01" and "dead since 2024-04-22" say how long it has been. Runs that skipped
the file, or did not list it, neither break a streak nor lengthen it. Mismatches, blocked links,
moved and verified assets are facts of this run and keep their health.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from mdvalidator.audit.auditreport import AuditedAsset, AuditReport
from mdvalidator.audit.health import NETWORK_FAILURES, Health
from mdvalidator.audit.history import (
    HistoryRecord,
    asset_key,
    health_counts,
    outcome_health,
    outcome_of,
    outcomes,
)

__all__ = ["DEFAULT_DEAD_AFTER", "AuditRun", "audit_run", "classify_with_history"]

DEFAULT_DEAD_AFTER = 2


def classify_with_history(
    report: AuditReport,
    history: Sequence[HistoryRecord],
    dead_after: int = DEFAULT_DEAD_AFTER,
    date: str | None = None,
) -> AuditReport:
    """``report`` with every asset's health set, given the earlier runs ``history`` (oldest
    first, this run not among them) and this run's ``date`` (``since`` of a streak that starts
    now; None leaves it out)."""
    if dead_after < 1:
        raise ValueError("dead_after must be 1 or more")
    assets = tuple(_classified(a, history, dead_after, date) for a in report.assets)
    return replace(report, assets=assets)


def _classified(
    asset: AuditedAsset, history: Sequence[HistoryRecord], dead_after: int, date: str | None
) -> AuditedAsset:
    observed = asset.observed
    if observed not in NETWORK_FAILURES:
        return replace(asset, health=observed, since=None)
    key = asset_key(asset)
    outcome = outcome_of(asset)
    same = 1
    since = date
    repeating = True
    for record in reversed(history):
        seen = record.outcomes.get(key)
        if seen is None or outcome_health(seen) is Health.SKIPPED:
            continue
        if outcome_health(seen) not in NETWORK_FAILURES:
            break
        since = record.date
        repeating = repeating and seen == outcome
        if repeating:
            same += 1
    health = Health.DEAD if same >= dead_after else Health.FLAKY
    return replace(asset, health=health, since=since)


@dataclass(frozen=True)
class AuditRun:
    """A run seen against its history: the report to write, and the history's new line."""

    report: AuditReport
    record: HistoryRecord


def audit_run(
    report: AuditReport,
    history: Sequence[HistoryRecord],
    date: str,
    dead_after: int = DEFAULT_DEAD_AFTER,
) -> AuditRun:
    """Classify ``report`` and make its history record: the outcomes it observed (before the
    history was applied: that is what "the same way" compares) and its classified counts."""
    classified = classify_with_history(report, history, dead_after, date)
    record = HistoryRecord(date=date, counts=health_counts(classified), outcomes=outcomes(report))
    return AuditRun(report=classified, record=record)
