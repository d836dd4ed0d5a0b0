"""Warm-cache re-run: 20 assets verified, then verified again with the cache; the same for 20
assets whose cards give the wrong digest (a mismatch is remembered too).

Target: each warm run downloads 0 bytes and takes under 5% of its cold run's time. All runs go
through ``verify_assets`` with a temporary cache folder and cache key (removed afterwards); the
loopback server counts the body bytes it sends.

    python bench/bench_cache.py [--assets 20] [--size-mib 64]
"""

from __future__ import annotations

import argparse
import os
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
        os.environ["MDVALIDATOR_CACHE_KEY_FILE"] = str(Path(cache) / "key" / "cache-key")
        options = AssetOptions(
            allow_private_network=True, cache_dir=Path(cache) / "assets", jobs=args.jobs
        )
        wrong = "0" * 64
        scenarios = {
            "matching": ([expected_digest(size, i) for i in range(args.assets)], "cached"),
            "mismatching": ([wrong] * args.assets, "mismatch"),
        }
        print(f"{args.assets} assets of {args.size_mib} MiB, --jobs {args.jobs}")
        ok = True
        for offset, (name, (digests, warm_status)) in enumerate(scenarios.items()):
            seeds = range(offset * args.assets, (offset + 1) * args.assets)
            refs = [
                AssetRef(f"card{i}.md", 1, server.url(size, seed=seed), digest, 2)
                for i, (seed, digest) in enumerate(zip(seeds, digests, strict=True))
            ]
            runs = []
            for label in ("cold", "warm"):
                sent = server.bytes_sent()
                start = time.perf_counter()
                results = verify_assets(refs, options)
                seconds = time.perf_counter() - start
                statuses = sorted({r.status.value for r in results})
                runs.append((label, seconds, server.bytes_sent() - sent, statuses))
            warm_ok = all(r.status is AssetStatus(warm_status) for r in results)
            (_, cold, _, _), (_, warm, warm_sent, _) = runs
            print(f"  {name}")
            for label, seconds, sent, statuses in runs:
                print(
                    f"    {label}  {seconds:7.3f} s  {sent:>12,} bytes downloaded"
                    f"  {'/'.join(statuses)}"
                )
            print(f"    warm/cold time {warm / cold:.2%}  (target < 5%, 0 bytes)")
            ok = ok and warm_ok and warm_sent == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
