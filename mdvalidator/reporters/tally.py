"""Counting a report's problems into the one-line verdict every human-facing format ends with."""

from __future__ import annotations

from collections import Counter

from mdvalidator.problem import FAILING_ASSETS, AssetStatus, Report, Severity

PASSED = "All Passed"
__all__ = [
    "FAILING_ASSETS",
    "PASSED",
    "asset_line",
    "count_line",
    "count_severity",
    "failed",
    "verdict_lines",
]

# The one way a count of problems is said, in every format and summary ("info" is the label
# of its severity, so "1 info", "3 info").
_PLURALS = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def count_severity(n: int, severity: Severity) -> str:
    """``"1 error"``, ``"2 warnings"``, ``"3 info"``."""
    return _count(n, severity.label, _PLURALS[severity])


def count_files(n: int) -> str:
    """``"1 file"``, ``"3 files"``."""
    return _count(n, "file", "files")


def count_line(report: Report) -> str:
    """``"3 errors, 1 warning in 2 files"``; empty when there is no problem at all."""
    if not report.problems:
        return ""
    by_severity = Counter(p.severity for p in report.problems)
    parts = [count_severity(by_severity[s], s) for s in sorted(by_severity, reverse=True)]
    files = len({p.path for p in report.problems})
    return f"{', '.join(parts)} in {count_files(files)}"


def failed(report: Report, strict: bool = False) -> bool:
    """The verdict every format shows (:meth:`Report.failed`)."""
    return report.failed(strict)


def verdict_lines(report: Report, strict: bool = False) -> list[str]:
    """The closing lines: the count (if any), then ``All Passed`` when nothing failed."""
    lines = [line for line in (count_line(report),) if line]
    unverified = report.failed_assets()
    if unverified and not report.problems_failed(strict):
        lines.append(_count(unverified, "asset", "assets") + " not verified")
    if not failed(report, strict):
        lines.append(PASSED)
    return lines


def asset_line(report: Report) -> str:
    """``"assets: 3 verified, 1 mismatch"`` in status order; empty without assets."""
    if not report.assets:
        return ""
    counts = Counter(result.status for result in report.assets)
    # Enum definition order (verified, mismatch, ...) keeps the line stable.
    parts = [f"{counts[s]} {s.value}" for s in AssetStatus if counts[s]]
    # An unreachable link is gone (dead) or may answer next time (flaky): say which.
    kinds = Counter(
        result.health.value
        for result in report.assets
        if result.status is AssetStatus.UNREACHABLE and result.health is not None
    )
    if kinds:
        unreachable = f"{counts[AssetStatus.UNREACHABLE]} {AssetStatus.UNREACHABLE.value}"
        detail = ", ".join(f"{kinds[k]} {k}" for k in ("dead", "flaky") if kinds[k])
        parts = [f"{p} ({detail})" if p == unreachable else p for p in parts]
    return "assets: " + ", ".join(parts)
