"""Local file hashing: ``mdvalidator.assets.hashing.sha256_file`` vs ``openssl dgst -sha256``.

Target: >= 0.95x openssl's throughput on the same 1 GiB file (in the page cache for both; the
file is read once before timing). The file lives in a temporary folder, removed afterwards.

    python bench/bench_hash.py [--size-mib 1024] [--rounds 3] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throughput import print_comparison

from mdvalidator.assets.hashing import sha256_file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mdv-bench-", dir=args.dir) as folder:
        path = Path(folder) / "asset.bin"
        block = os.urandom(1 << 20)
        with open(path, "wb") as stream:
            for _ in range(args.size_mib):
                stream.write(block)
        sha256_file(path)  # warm the page cache
        ours, theirs = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            digest, _size = sha256_file(path)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            out = subprocess.run(
                ["openssl", "dgst", "-sha256", str(path)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            theirs.append(time.perf_counter() - start)
            assert digest in out, "digests differ"
    mib = args.size_mib
    title = f"sha256 of a {mib} MiB local file"
    print_comparison(title, mib, ours, theirs, "openssl dgst", 0.95)
    return 0


if __name__ == "__main__":
    sys.exit(main())
