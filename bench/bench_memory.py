"""Peak memory of linting the worst cards under the size cap, against a real card.

Each input is written to a temporary folder and linted by a fresh child process running the
real CLI in-process (``mdvalidator.cli.main``, ``--offline --jobs 1``); the child reports its
own peak resident set: ``VmHWM`` of ``/proc/self/status``, which starts afresh at ``exec``
(``ru_maxrss`` does not: Linux carries it over from the forking parent), else ``ru_maxrss``.
The baseline is a real card of the fixtures, linted the same way in the same run.

Inputs, each as large as the cap allows (default 512 KiB), and again at 4 MiB (the old
default cap, ``--max-file-size 4M``) to show the caps hold whatever the size cap:

- a long YAML flow list (``input-shape: [1, 1, ...]``) and a long block list (``- 1`` lines);
- many keys (``k1: v`` lines);
- deep nesting (``[[[[...]]]]``);
- many headings (``# h`` lines), nested containers (``- - > > x``), blank lines.

    python bench/bench_memory.py [--repeat 1]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "fixtures" / "mindspore-hub" / "mindspore" / "2.5" / "hunyuan_dit.md"
CAPS = {"512K": 512 * 1024, "4M": 4 * 1024 * 1024}

CHILD = r"""
import re, resource, sys
from mdvalidator.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
try:
    with open("/proc/self/status") as status:
        peak = int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1))
except (OSError, AttributeError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{peak} {code}", file=sys.stderr)
"""

HEAD = b"# t\n\n---\n\nmodel-name: x\n\n"


def _fill(prefix: bytes, unit: bytes, suffix: bytes, size: int) -> bytes:
    count = max((size - len(prefix) - len(suffix) - 64) // len(unit), 1)
    return prefix + unit * count + suffix


INPUTS: dict[str, Callable[[int], bytes]] = {
    "long YAML flow list": lambda n: _fill(HEAD + b"input-shape: [", b"1, ", b"1]\n---\n", n),
    "long YAML block list": lambda n: _fill(HEAD + b"asset:\n", b"- 1\n", b"---\n", n),
    "many keys": lambda n: (
        HEAD + b"".join(b"k%d: v\n" % i for i in range((n - 200) // 12)) + b"---\n"
    ),
    "deep nesting": lambda n: (
        HEAD + b"deep: " + b"[" * ((n - 200) // 2) + b"]" * ((n - 200) // 2) + b"\n---\n"
    ),
    "many headings": lambda n: _fill(HEAD + b"---\n\n", b"# h\n", b"", n),
    "nested containers": lambda n: _fill(HEAD + b"---\n\n", b"- - - > > > x\n", b"", n),
    "blank lines": lambda n: _fill(HEAD + b"---\n\n", b"\n", b"x\n", n),
}


def peak_mib(card: Path, cap: str) -> tuple[float, int]:
    """(peak RSS in MiB, exit status) of one child linting ``card``."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            "--offline",
            "--jobs",
            "1",
            "--max-file-size",
            cap,
            "--format",
            "json",
            "-o",
            "/dev/null",
            str(card),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=600,
    )
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    try:
        peak, code = last.split()
        return int(peak) / 1024, int(code)
    except ValueError:
        raise SystemExit(f"child failed: {done.stderr[-2000:]}") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per input (lowest kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        root = Path(folder)

        def best(card: Path, cap: str) -> tuple[float, int]:
            runs = [peak_mib(card, cap) for _ in range(args.repeat)]
            return min(runs)

        base, _ = best(BASELINE, "512K")
        print(f"baseline: {BASELINE.relative_to(REPO)} ({BASELINE.stat().st_size} bytes)")
        print(f"  peak RSS {base:6.1f} MiB\n")
        print(f"{'input':24} {'cap':>5} {'bytes':>9} {'peak MiB':>9} {'x base':>7} {'exit':>5}")
        worst = 0.0
        for name, make in INPUTS.items():
            for cap, size in CAPS.items():
                card = root / f"{name.replace(' ', '_')}_{cap}.md"
                card.write_bytes(make(size))
                peak, code = best(card, cap)
                worst = max(worst, peak) if cap == "512K" else worst
                print(
                    f"{name:24} {cap:>5} {card.stat().st_size:9d} {peak:9.1f} "
                    f"{peak / base:7.2f} {code:5d}"
                )
                card.unlink()
        print(f"\nworst under the default cap: {worst:.1f} MiB = {worst / base:.2f}x the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
