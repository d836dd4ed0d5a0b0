"""Local file hashing: ``mdvalidator.assets.hashing.sha256_file`` vs ``openssl dgst -sha256``.

Target: >= 0.95x openssl's throughput on the same 1 GiB file, in the page cache for both (the
file is written, flushed to disk and read once before timing, so neither pays for I/O or for
the kernel writing it back). The runs are interleaved (ours, openssl, then openssl, ours: the
order alternates, so a drift in the machine's load hits both alike) and the median of
``--rounds`` (5) is reported, with the spread. ``--variants`` also times the other ways of
reading that were measured to choose this one (mmap, hashlib.file_digest, other buffer sizes,
the two-thread overlapped reader). The file lives in a temporary folder, removed afterwards.

    python bench/bench_hash.py [--size-mib 1024] [--rounds 5] [--dir /tmp] [--variants]
"""

from __future__ import annotations

import argparse
import hashlib
import mmap
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throughput import print_comparison

from mdvalidator.assets.hashing import sha256_file, sha256_stream_overlapped


def openssl(path: Path) -> str:
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return out.split()[-1]


def ours(path: Path) -> str:
    return sha256_file(path)[0]


def with_mmap(path: Path) -> str:
    with open(path, "rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return hashlib.sha256(m).hexdigest()


def file_digest(path: Path) -> str:
    if not hasattr(hashlib, "file_digest"):  # Python 3.11+
        return ours(path)
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def overlapped(path: Path) -> str:
    with open(path, "rb", buffering=0) as stream:
        return sha256_stream_overlapped(stream)[0]


def chunks_of(size: int) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        return sha256_file(path, chunk_size=size)[0]

    return run


VARIANTS: dict[str, Callable[[Path], str]] = {
    "mmap, one update": with_mmap,
    "hashlib.file_digest": file_digest,
    "two threads, 1 MiB buffers": overlapped,
    "readinto 1 MiB": chunks_of(1 << 20),
    "readinto 16 MiB": chunks_of(16 << 20),
}


def write_file(path: Path, mib: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as stream:
        for _ in range(mib):
            stream.write(block)
        stream.flush()
        os.fsync(stream.fileno())  # no write-back during the timed runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--variants", action="store_true", help="also time the alternatives")
    args = parser.parse_args()
    contenders: dict[str, Callable[[Path], str]] = {"ours": ours, "openssl": openssl}
    if args.variants:
        contenders.update(VARIANTS)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    with tempfile.TemporaryDirectory(prefix="mdv-bench-", dir=args.dir) as folder:
        path = Path(folder) / "asset.bin"
        write_file(path, args.size_mib)
        expected = openssl(path)  # also warms the page cache
        names = list(contenders)
        for round_ in range(args.rounds):
            for name in names if round_ % 2 == 0 else reversed(names):
                start = time.perf_counter()
                digest = contenders[name](path)
                times[name].append(time.perf_counter() - start)
                assert digest == expected, f"{name}: digest differs"
    mib = args.size_mib
    ratio = print_comparison(
        f"sha256 of a {mib} MiB local file, in the page cache",
        mib,
        times["ours"],
        times["openssl"],
        "openssl dgst",
        0.95,
        median=True,
    )
    spread = {name: (min(t), max(t)) for name, t in times.items()}
    print(f"  spread: ours {spread['ours'][0]:.3f}-{spread['ours'][1]:.3f} s, openssl "
          f"{spread['openssl'][0]:.3f}-{spread['openssl'][1]:.3f} s")  # fmt: skip
    if args.variants:
        base = statistics.median(times["openssl"])
        print("  the alternatives (median, throughput against openssl):")
        for name in VARIANTS:
            seconds = statistics.median(times[name])
            rate = mib / seconds
            print(f"    {name:<28} {seconds:6.3f} s  {rate:6.0f} MiB/s  {base / seconds:.2f}x")
    return 0 if ratio >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
