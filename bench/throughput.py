"""The closing table of the throughput benchmarks: times and the ratio to a baseline."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def print_comparison(
    title: str,
    mib: float,
    ours: Sequence[float],
    theirs: Sequence[float],
    baseline: str,
    target: float,
    median: bool = False,
) -> float:
    """Best (or, with ``median``, median) of each list of seconds, as MiB/s, and our throughput
    over the baseline's, which is returned."""
    pick = statistics.median if median else min
    ours_s, theirs_s = pick(ours), pick(theirs)
    how = "median" if median else "best"
    print(f"{title} ({how} of {len(ours)})")
    print(f"  {'mdvalidator':<18} {ours_s:6.3f} s  {mib / ours_s:8.0f} MiB/s")
    print(f"  {baseline:<18} {theirs_s:6.3f} s  {mib / theirs_s:8.0f} MiB/s")
    ratio = theirs_s / ours_s
    verdict = "ok" if ratio >= target else "MISSED"
    print(f"  ratio (ours/{baseline} throughput) {ratio:.2f}x  (target >= {target:.2f}x {verdict})")
    return ratio
