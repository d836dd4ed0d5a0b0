"""bench/bench_serve.py runs and prints what issue 11 asks of it (a small load: the figures
themselves are measured by hand, see bench/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_prints_latency_drain_rate_and_one_comment_per_pull_request() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_serve.py"), "--prs", "4", "--deliveries",
         "3", "--cards", "1", "--senders", "2", "--workers", "1,2", "--timeout", "90"],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("workers"))
    for name in ("p50", "p99", "last delivery->verdict s", "verdicts/s", "comments"):
        assert name in lines[head]
    rows = [line.split() for line in lines[head + 1 : head + 3]]
    assert [row[0] for row in rows] == ["1", "2"]
    for row in rows:
        deliveries, comments, missing, duplicated = row[1], row[-3], row[-2], row[-1]
        assert (deliveries, comments, missing, duplicated) == ("12", "4", "0", "0")
    assert lines[-1].startswith("targets: answer p99 < 50 ms")
