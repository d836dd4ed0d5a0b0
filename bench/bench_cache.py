"""Warm-cache re-run: 20 assets verified, then verified again with the cache.

Target: the warm run downloads 0 bytes and takes under 5% of the cold run's time. Both runs go
through ``verify_assets`` with a temporary cache folder (removed afterwards); the loopback
server counts the body bytes it sends.

    python bench/bench_cache.py [--assets 20] [--size-mib 64]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_download import BLOCK, LoopbackServer, expected_digest  # noqa: E402

from mdvalidator.assets.options import AssetOptions  # noqa: E402
from mdvalidator.assets.verify import verify_assets  # noqa: E402
from mdvalidator.problem import AssetRef, AssetStatus  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=20)
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    size = args.size_mib * BLOCK
    with tempfile.TemporaryDirectory(prefix="mdv-cache-") as cache, LoopbackServer() as server:
        refs = [
            AssetRef(f"card{i}.md", 1, server.url(size, seed=i), expected_digest(size, i), 2)
            for i in range(args.assets)
        ]
        options = AssetOptions(allow_private_network=True, cache_dir=Path(cache), jobs=args.jobs)
        runs = []
        for label in ("cold", "warm"):
            sent = server.bytes_sent()
            start = time.perf_counter()
            results = verify_assets(refs, options)
            seconds = time.perf_counter() - start
            statuses = sorted({r.status.value for r in results})
            runs.append((label, seconds, server.bytes_sent() - sent, statuses))
        assert all(r.status is AssetStatus.CACHED for r in results), "warm run not all cached"
    (_, cold, _, _), (_, warm, _, _) = runs
    print(f"{args.assets} assets of {args.size_mib} MiB, --jobs {args.jobs}")
    for label, seconds, sent, statuses in runs:
        print(f"  {label}  {seconds:7.3f} s  {sent:>12,} bytes downloaded  {'/'.join(statuses)}")
    print(f"  warm/cold time {warm / cold:.2%}  (target < 5%, 0 bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
