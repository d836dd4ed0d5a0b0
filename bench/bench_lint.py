"""Lint benchmark: cards/second through the real CLI, and the start-up time of a one-card run.

    python bench/bench_lint.py                 # 10,000 generated cards + the real fixtures
    python bench/bench_lint.py --cards 2000 --repeat 3 --check-targets

Everything runs as ``python -m mdvalidator ...`` in a subprocess, exactly as a CI job or a
pre-commit hook would, so start-up, discovery, worker processes and report writing all count.
Figures come with two baselines measured in the same run on the same machine: ``python -c
pass`` (the interpreter's own start-up) and a hub-like validator that only reads each card and
``yaml.safe_load``-s its header (roughly what the hub's own validator does).

Byte-code is cached under the temporary folder (``PYTHONPYCACHEPREFIX``) after a warm-up run,
as it is for an installed wheel, even when ``PYTHONDONTWRITEBYTECODE`` is set here.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "mindspore-hub"
ONE_CARD = FIXTURES / "mindspore" / "1.8" / "retinanet_coco2017.md"

TARGET_CARDS_PER_SECOND = 1500.0
TARGET_CARDS = 10_000
TARGET_START_UP = 0.25

PUBLISHERS = ("mindspore", "mindspore", "mindspore", "noah-cvlab", "acme-vision", "openi-lab")
VERSIONS = ("1.3", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "2.0", "2.3", "2.5")
DEFECT_RATE = 0.08

# What the hub's own validator does per card, run as one process: read, cut the header out
# between the first two '---' lines, yaml.safe_load it.
HUB_LIKE = r"""
import os, sys, yaml
count = 0
for root, _, names in os.walk(sys.argv[1]):
    for name in names:
        if not name.endswith(".md"):
            continue
        with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
            parts = f.read().split("\n---", 2)
        if len(parts) == 3:
            try:
                yaml.safe_load(parts[1])
            except yaml.YAMLError:
                pass
        count += 1
print(count)
"""


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its workers


@dataclass(frozen=True)
class Row:
    name: str
    timing: Timing
    cards: int | None = None
    ratio: str = ""  # speed against the baseline of its group (higher is faster)
    target: str = ""


@dataclass(frozen=True)
class Template:
    """A real card with its varying parts turned into ``str.format`` fields."""

    pattern: str
    model: str
    dataset: str
    hashes: int


def _field(text: str, key: str) -> str:
    match = re.search(rf"(?m)^{re.escape(key)}:[ \t]*(.*)$", text)
    return match.group(1).strip() if match else ""


def _set_field(text: str, key: str, value: str) -> str:
    return re.sub(rf"(?m)^{re.escape(key)}:.*$", lambda _: f"{key}: {value}", text)


def _template(text: str) -> Template:
    model = re.sub(r"[^a-z0-9]+", "", _field(text, "model-name").lower()) or "model"
    dataset = re.sub(r"[^a-z0-9]+", "", _field(text, "train-dataset").lower()) or "data"
    pattern = text.replace("{", "{{").replace("}", "}}")
    for key, slot in (
        ("model-name", "{model}"),
        ("mindspore-version", "{version}"),
        ("model-version", "{version}"),
        ("user-id", "{publisher}"),
    ):
        pattern = _set_field(pattern, key, slot)
    hashes = iter(range(1000))
    pattern = re.sub(
        r"(?m)^(\s*asset-sha256:\s*)\S+", lambda m: f"{m.group(1)}{{sha{next(hashes)}}}", pattern
    )
    pattern = re.sub(r"""(?m)^(\s*model\s*=\s*)["'][^"']*["']""", r'\1"{card_id}"', pattern)
    return Template(pattern, model, dataset, next(hashes))


def templates() -> list[Template]:
    """The real English cards of the fixtures (CRLF folded; put back for some cards below)."""
    found = []
    for path in sorted(FIXTURES.rglob("*.md")):
        if path.name.endswith("_cn.md"):
            continue
        text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
        if re.search(r"(?m)^model-name:", text):
            found.append(_template(text))
    return found


def _defect(text: str, rnd: random.Random) -> str:
    """One realistic mistake, of the kinds found in the hub's real cards."""
    kind = rnd.randrange(6)
    if kind == 0:  # 8-character sha256
        return re.sub(r"(?m)^(\s*asset-sha256:\s*)([0-9a-f]{8})[0-9a-f]*", r"\1\2", text, count=1)
    if kind == 1:  # the template's own typo
        return text.replace("asset-sha256:", "asset_sha256:", 1)
    if kind == 2:  # a second ': ' in a value: invalid YAML
        return _set_field(text, "evaluation", "top1: 76.5")
    if kind == 3:  # a required field missing
        return re.sub(r"(?m)^license:.*\n", "", text)
    if kind == 4:  # unknown file format
        return re.sub(r"(?m)^(\s*file-format:\s*)\S+", r"\1pt", text, count=1)
    return _set_field(text, "used-for", "training")


def card_text(template: Template, index: int, rnd: random.Random) -> tuple[str, str]:
    """A varied card from a real one: (relative path, text)."""
    publisher = rnd.choice(PUBLISHERS)
    version = rnd.choice(VERSIONS)
    model = f"{template.model}{index:05d}"
    name = f"{model}_{template.dataset}"
    hashes = {f"sha{n}": f"{rnd.getrandbits(256):064x}" for n in range(template.hashes)}
    text = template.pattern.format(
        model=model,
        version=version,
        publisher=publisher,
        card_id=f"{publisher}/{version}/{name}",
        **hashes,
    )
    if rnd.random() < DEFECT_RATE:
        text = _defect(text, rnd)
    if rnd.random() < 0.05:
        text = text.replace("\n", "\r\n")
    return f"{publisher}/{version}/{name}.md", text


def generate_hub(root: Path, count: int, seed: int = 2) -> int:
    rnd = random.Random(seed)
    sources = templates()
    for index in range(count):
        relative, text = card_text(sources[index % len(sources)], index, rnd)
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return count


def environment(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["NO_COLOR"] = "1"
    return env


def timed(command: Sequence[str], env: dict[str, str], cwd: Path) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(
            f"bench: {' '.join(command)} exited {done.returncode}:\n"
            + done.stderr.decode(errors="replace")[-2000:]
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def median_of(runs: int, run: Callable[[], Timing]) -> Timing:
    timings = [run() for _ in range(max(1, runs))]
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def lint(python: str, jobs: int, target: Path) -> list[str]:
    return [python, "-m", "mdvalidator", "--offline", "--format", "json", "-o", os.devnull,
            "--jobs", str(jobs), str(target)]  # fmt: skip


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def measure(args: argparse.Namespace, tmp: Path) -> list[Row]:
    python = sys.executable
    env = environment(tmp / "pycache")
    hub = tmp / "hub"
    start = time.perf_counter()
    cards = generate_hub(hub, args.cards)
    print(f"generated {cards} cards in {time.perf_counter() - start:.1f} s", flush=True)
    fixtures = sum(1 for _ in FIXTURES.rglob("*.md"))
    hub_like = [python, "-c", HUB_LIKE, str(hub)]
    single = [python, "-m", "mdvalidator", "--offline", str(ONE_CARD)]
    for command in (single, single, hub_like):  # warm-up: byte-code and file-system caches
        timed(command, env, tmp)

    # Rounds interleave the commands, so a burst of load from elsewhere on the machine slows
    # one round of each rather than every run of one; the fastest run of each is kept.
    commands = {
        "baseline": hub_like,
        "one": lint(python, 1, hub),
        "every": lint(python, 0, hub),
        "real_one": lint(python, 1, FIXTURES),
        "real_every": lint(python, 0, FIXTURES),
    }
    runs: dict[str, list[Timing]] = {name: [] for name in commands}
    for _ in range(max(1, args.repeat)):
        for name, command in commands.items():
            runs[name].append(timed(command, env, tmp))
    fastest = {name: min(timings, key=lambda t: t.wall) for name, timings in runs.items()}
    baseline, one, every = fastest["baseline"], fastest["one"], fastest["every"]
    real_one, real_every = fastest["real_one"], fastest["real_every"]
    empty = median_of(args.startup_runs, lambda: timed([python, "-c", "pass"], env, tmp))
    start_up = median_of(args.startup_runs, lambda: timed(single, env, tmp))

    def ratio(timing: Timing) -> str:
        return f"{baseline.wall / timing.wall:.2f}x"

    rate = cards / every.wall
    cores = _cores()
    return [
        Row("hub-like baseline: yaml.safe_load headers", baseline, cards, "1.00x"),
        Row("generated hub, --jobs 1", one, cards, ratio(one)),
        Row(
            f"generated hub, --jobs 0 ({cores} cores)",
            every,
            cards,
            ratio(every),
            (
                f">= {TARGET_CARDS_PER_SECOND:,.0f}/s {_verdict(rate >= TARGET_CARDS_PER_SECOND)}"
                if cards >= TARGET_CARDS
                else f"(the target is for {TARGET_CARDS:,} cards)"
            ),
        ),
        Row("real fixtures, --jobs 1", real_one, fixtures),
        Row(f"real fixtures, --jobs 0 ({cores} cores)", real_every, fixtures),
        Row("start-up: python -c pass (median)", empty, None, "1.00x"),
        Row(
            "start-up: one card (median)",
            start_up,
            None,
            f"{start_up.wall / empty.wall:.1f}x",
            f"< {TARGET_START_UP:.2f} s {_verdict(start_up.wall < TARGET_START_UP)}",
        ),
    ]


def table(rows: Sequence[Row]) -> str:
    head = f"{'measurement':42} {'cards':>6} {'wall s':>7} {'cards/s':>8} {'cpu ms/card':>11}"
    lines = [f"{head} {'speed':>6}  target"]
    for row in rows:
        t = row.timing
        cards = f"{row.cards:6d}" if row.cards else f"{'':6}"
        rate = f"{row.cards / t.wall:8.0f}" if row.cards else f"{'':8}"
        cpu = f"{t.cpu * 1000 / row.cards:11.3f}" if row.cards else f"{'':11}"
        line = f"{row.name:42} {cards} {t.wall:7.3f} {rate} {cpu} {row.ratio:>6}  {row.target}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000, help="cards to generate (10000)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of throughput runs; the fastest is kept (1)"
    )
    parser.add_argument(
        "--startup-runs", type=int, default=10, help="runs per start-up figure; median (10)"
    )
    parser.add_argument(
        "--check-targets", action="store_true", help="exit 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    if args.cards < 1:
        parser.error("--cards must be at least 1")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mdv-bench-") as tmp:
        rows = measure(args, Path(tmp))
    print(f"mdvalidator lint benchmark: Python {sys.version.split()[0]}, {_cores()} cores")
    print(table(rows))
    print(
        "speed: the baseline's wall time over the row's (throughput rows), or the row's over\n"
        "`python -c pass` (start-up rows). cpu: user+system time of the run and its workers.\n"
        f"whole benchmark: {time.perf_counter() - started:.0f} s"
    )
    missed = any("MISSED" in row.target for row in rows)
    return 1 if args.check_targets and missed else 0


if __name__ == "__main__":
    sys.exit(main())
