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

A mismatch whose body is much shorter than the file the last run that verified it hashed (less
than :data:`SHORTER_BODY_RATIO` of its size) is named in its problem's message ("the link
served 1,234 bytes; on 2024-05-01 it served 4,567,890 bytes (the asset): a truncated or replaced
file"): the message flows to the merged report, the dashboard's card page and the rolling
issue alike. It stays a mismatch, and a failure.
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
    last_verified_size,
    outcome_health,
    outcome_of,
    outcomes,
)
from mdvalidator.problem import AssetStatus, Problem

__all__ = [
    "DEFAULT_DEAD_AFTER",
    "SHORTER_BODY_RATIO",
    "AuditRun",
    "audit_run",
    "classify_with_history",
    "shorter_body_note",
]

DEFAULT_DEAD_AFTER = 2
# A mismatched body under this fraction of the size a verified run saw is named as shorter.
SHORTER_BODY_RATIO = 0.5
# The problems a mismatch is reported by (asset-sha256-mismatch, asset-link-serves-placeholder):
# the codes of mdvalidator.assets.rules, not imported so the audit stays off the network code.
_MISMATCH_RULES = frozenset({"MDV201", "MDV230"})


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
    problems = _with_notes(report.problems, report.assets, history)
    return replace(report, assets=assets, problems=problems)


def shorter_body_note(asset: AuditedAsset, history: Sequence[HistoryRecord]) -> str:
    """Why a mismatch may be a truncated or replaced file: its body is much shorter than the one
    the last run that verified the file hashed ("" when it is not, or no size is known)."""
    result = asset.result
    if result.status is not AssetStatus.MISMATCH:
        return ""
    seen = last_verified_size(history, asset_key(asset))
    if seen is None or result.bytes >= seen[1] * SHORTER_BODY_RATIO:
        return ""
    date, size = seen
    return (
        f"the link served {result.bytes:,} bytes; on {date[:10]} it served {size:,} bytes "
        "(the asset): a truncated or replaced file"
    )


def _with_notes(
    problems: tuple[Problem, ...],
    assets: Sequence[AuditedAsset],
    history: Sequence[HistoryRecord],
) -> tuple[Problem, ...]:
    """``problems`` with each shorter body's note at the start of its mismatch's message (found
    by card and served digest: the digest's problem is at the asset-sha256 line, which the
    report does not keep). The note leads, so a message cut to fit an issue keeps it."""
    notes: dict[tuple[str, str], str] = {}
    for asset in assets:
        note = shorter_body_note(asset, history)
        if note and asset.result.actual:
            notes[(asset.result.ref.path, asset.result.actual)] = note
    if not notes:
        return problems
    return tuple(_noted(problem, notes) for problem in problems)


def _noted(problem: Problem, notes: dict[tuple[str, str], str]) -> Problem:
    if problem.rule not in _MISMATCH_RULES:
        return problem
    for (path, actual), note in notes.items():
        if path == problem.path and actual in problem.message:
            if note in problem.message:  # classified before (a merged report merged again)
                return problem
            return replace(problem, message=f"{note}; {problem.message}")
    return problem


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
