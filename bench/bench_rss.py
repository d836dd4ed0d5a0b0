"""Peak memory while verifying a 2 GiB asset over loopback.

Target: peak RSS <= 64 MB. The verification runs in a child process (``verify_assets``, the
path ``mdvalidator check`` takes) and its peak resident set is read from the kernel
(``ru_maxrss`` of the waited-for child); the baseline of the same interpreter with the same
imports, doing nothing, is printed for comparison.

    python bench/bench_rss.py [--size-mib 2048]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_download import BLOCK, LoopbackServer, expected_digest  # noqa: E402

CHILD = """
import sys
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.verify import verify_assets
from mdvalidator.problem import AssetRef, AssetStatus
if sys.argv[1] == "idle":
    sys.exit(0)
ref = AssetRef("card.md", 1, sys.argv[1], sys.argv[2], 2, "ckpt")
options = AssetOptions(allow_private_network=True, use_cache=False, jobs=1)
[result] = verify_assets([ref], options)
print(result.status.value, result.bytes)
sys.exit(0 if result.status is AssetStatus.VERIFIED else 1)
"""


def peak_rss_mib(argv: list[str]) -> tuple[float, str, float]:
    """(peak RSS of a fresh child running CHILD with argv, its output, seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *argv],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(HERE.parent), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(f"child failed: {done.stdout} {done.stderr}")
    # ru_maxrss of children is the max over all waited children: only meaningful when rising,
    # so the idle baseline is measured first.
    return max(peak, before) / 1024, done.stdout.strip(), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=2048)
    args = parser.parse_args()
    size = args.size_mib * BLOCK
    expected = expected_digest(size)
    idle, _, _ = peak_rss_mib(["idle"])
    with LoopbackServer() as server:
        peak, output, seconds = peak_rss_mib([server.url(size), expected])
    print(f"verify a {args.size_mib} MiB asset over loopback: {output} in {seconds:.1f} s")
    print(f"  peak RSS of the verifying process  {peak:6.1f} MiB  (target <= 64 MB = 61.0 MiB)")
    print(f"  same interpreter and imports, idle {idle:6.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
