"""The closing table of the throughput benchmarks: best times and the ratio to a baseline."""

from __future__ import annotations

from collections.abc import Sequence


def print_comparison(
    title: str,
    mib: float,
    ours: Sequence[float],
    theirs: Sequence[float],
    baseline: str,
    target: float,
) -> None:
    """Best of each list of seconds, as MiB/s, and our throughput over the baseline's."""
    best_ours, best_theirs = min(ours), min(theirs)
    print(f"{title} (best of {len(ours)})")
    print(f"  {'mdvalidator':<18} {best_ours:6.2f} s  {mib / best_ours:8.0f} MiB/s")
    print(f"  {baseline:<18} {best_theirs:6.2f} s  {mib / best_theirs:8.0f} MiB/s")
    ratio = best_theirs / best_ours
    print(f"  ratio (ours/{baseline} throughput) {ratio:.2f}x  (target >= {target:.2f}x)")
