"""``report merge``: the reports of a sharded run (``--shard I/N``) made into one.

Every shard checks every file and verifies only its slice of the assets, marking the others
``skipped``. So the merge takes, for each asset entry, what the shard that verified it found
(when inputs disagree, the worst: a merge never turns a failure into a pass), the union of the
problems, and the largest ``checked``. The verdict is recomputed from that, never taken from an
input. Merging the N shards of a run gives what one unsharded run reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mdvalidator.assets.shard import in_shard
from mdvalidator.audit.auditreport import AuditedAsset, AuditReport
from mdvalidator.problem import AssetStatus

__all__ = ["MergeError", "Merged", "merge_reports"]

# Which entry wins when inputs disagree about one asset: failures first, worst first.
_STATUS_ORDER = (
    AssetStatus.MISMATCH,
    AssetStatus.BLOCKED,
    AssetStatus.TOO_LARGE,
    AssetStatus.UNREACHABLE,
    AssetStatus.VERIFIED,
    AssetStatus.CACHED,
    AssetStatus.SKIPPED,
)
_NOTE_LIMIT = 5


class MergeError(Exception):
    """The inputs cannot make a whole run (a shard is missing)."""


@dataclass(frozen=True)
class Merged:
    report: AuditReport
    notes: tuple[str, ...] = ()  # for the user: inconsistencies that did not stop the merge


def _rank(asset: AuditedAsset) -> tuple[int, int, str, int]:
    result = asset.result
    return (
        _STATUS_ORDER.index(result.status),
        asset.observed.rank,
        result.actual or "",
        result.bytes,
    )


def merge_reports(
    reports: Sequence[AuditReport], names: Sequence[str] = (), shards: int | None = None
) -> Merged:
    """One report of ``reports`` (named ``names`` in notes); with ``shards``, a
    :class:`MergeError` when an asset that should have been verified belongs to a shard
    that no input verified."""
    if not reports:
        raise MergeError("no report to merge")
    labels = list(names) or [f"report {i + 1}" for i in range(len(reports))]
    entries: dict[tuple[str, int, str, str], list[AuditedAsset]] = {}
    for report in reports:
        for asset in report.assets:
            entries.setdefault(asset.key, []).append(asset)
    chosen = {key: min(found, key=_rank) for key, found in entries.items()}
    conflicts = [
        _describe(found[0])
        for found in entries.values()
        if len({_verdict(a) for a in found if not _skipped(a)}) > 1
    ]
    problems = frozenset(p for report in reports for p in report.problems)
    paths = {p.path for p in problems} | {key[0] for key in chosen}
    merged = AuditReport(
        checked=max([len(paths), *(r.checked for r in reports)]),
        problems=tuple(sorted(problems)),
        assets=tuple(chosen[key] for key in sorted(chosen)),
    )
    notes = _conflict_notes(conflicts) + _coverage_notes(reports, labels, chosen)
    unverified = [
        a for a in merged.assets if a.result.status is AssetStatus.SKIPPED and _has_digest(a)
    ]
    if shards is not None and unverified:
        raise MergeError(_missing_shards(unverified, shards))
    if unverified:
        notes.append(
            f"{len(unverified)} asset(s) with a sha256 were skipped by every report (run "
            "offline, or a shard is missing? --shards N makes that an error)"
        )
    return Merged(report=merged, notes=tuple(notes))


def _skipped(asset: AuditedAsset) -> bool:
    return asset.result.status is AssetStatus.SKIPPED


def _verdict(asset: AuditedAsset) -> tuple[str, str | None]:
    status = asset.result.status
    return ("verified" if status is AssetStatus.CACHED else status.value, asset.result.actual)


def _has_digest(asset: AuditedAsset) -> bool:
    expected = asset.result.ref.expected.strip().lower()
    return len(expected) == 64 and all(c in "0123456789abcdef" for c in expected)


def _describe(asset: AuditedAsset) -> str:
    ref = asset.result.ref
    return f"{ref.path}:{ref.line}"


def _conflict_notes(conflicts: list[str]) -> list[str]:
    if not conflicts:
        return []
    shown = ", ".join(sorted(conflicts)[:_NOTE_LIMIT])
    return [
        f"{len(conflicts)} asset(s) were verified differently by two reports ({shown}); "
        "the worse result was kept"
    ]


_Key = tuple[str, int, str, str]


def _coverage_notes(
    reports: Sequence[AuditReport], labels: list[str], chosen: dict[_Key, AuditedAsset]
) -> list[str]:
    """Shards of one run list the same assets (each verifies its own slice, skips the rest)."""
    notes = []
    for report, label in zip(reports, labels, strict=False):
        missing = len(set(chosen) - {a.key for a in report.assets})
        if missing:
            notes.append(
                f"{label} does not list {missing} asset(s) that other reports list "
                "(were all shards run over the same tree, at the same commit?)"
            )
    return notes[:_NOTE_LIMIT]


def _missing_shards(unverified: list[AuditedAsset], count: int) -> str:
    missing: dict[int, int] = {}
    for asset in unverified:
        index = next(i for i in range(1, count + 1) if in_shard(asset.result.ref, (i, count)))
        missing[index] = missing.get(index, 0) + 1
    listed = ", ".join(f"{i}/{count} ({n} asset(s))" for i, n in sorted(missing.items()))
    return (
        f"no report verified shard {listed}: its job failed or ran offline; merge its report "
        "too (or leave out --shards to merge what there is, those assets marked skipped)"
    )
