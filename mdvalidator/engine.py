"""The engine: sources -> check (in parallel) -> across files -> verify assets -> online checks
-> decide -> Report.

Every entry point runs this: ``check`` (a folder walk or git's changed files), ``store``
(store folders, live stores, snapshot archives), ``store add``'s validation, and a bot's
in-memory files. Nothing here prints or exits; the caller does. Each worker process receives
the sources and rule sets once (at start-up) and then only targets, so a 10,000-card hub costs
little more than its parsing. Asset verification and the families' online checks (with
``check_conf``: a card's ``mindspore_hub_conf.py``), the only network steps, run after every
file was checked, and are imported only when they run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mdvalidator import run_rules
from mdvalidator.decide import Decider
from mdvalidator.family import FileResult, Limits, OnlineContext, Target
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem, Report, Severity
from mdvalidator.progress import Progress
from mdvalidator.ruleset import RuleSet
from mdvalidator.sanitize import clean
from mdvalidator.sources import Discovery, Source

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from mdvalidator.assets.options import AssetOptions

# Below this many files a process pool costs more than it saves (starting one costs about
# what checking 100 cards does; bench/bench_lint.py, real fixtures row).
PARALLEL_THRESHOLD = 256


@dataclass(frozen=True)
class RunOptions:
    decider: Decider = field(default_factory=Decider)
    limits: Limits = field(default_factory=Limits)
    jobs: int = 0  # 0: one per core
    offline: bool = False
    assets: AssetOptions | None = None  # how to fetch and verify assets (None: not verified)
    progress: bool = False  # show progress on a terminal
    # The families' network checks of the descriptors themselves (the card family: each card's
    # mindspore_hub_conf.py, MDV153-MDV159), fetched like assets (``assets``); never offline.
    check_conf: bool = False


@dataclass(frozen=True)
class Outcome:
    """A run's report and what discovery found (the CLI's exit status depends on both)."""

    report: Report
    discovery: Discovery

    @property
    def nothing_to_check(self) -> bool:
        """Every named path was a folder holding no descriptor (a usage error, exit 2)."""
        return bool(self.discovery.empty_folders) and not (
            self.discovery.targets or self.discovery.problems or self.discovery.excluded
        )


@dataclass(frozen=True)
class _Item:
    source: int  # index into the run's sources
    target: Target
    ruleset: int  # index into the run's rule sets


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# What each worker process was given at start-up (set by _init_worker).
_worker: dict[str, tuple[object, ...]] = {}


def _init_worker(
    sources: tuple[Source, ...], rulesets: tuple[RuleSet, ...], limits: Limits
) -> None:
    _worker["run"] = (sources, rulesets, limits)


def _check_one(item: _Item) -> FileResult:
    sources, rulesets, limits = _worker["run"]
    assert isinstance(sources, tuple) and isinstance(rulesets, tuple)
    assert isinstance(limits, Limits)
    source: Source = sources[item.source]
    ruleset: RuleSet = rulesets[item.ruleset]
    try:
        return ruleset.checks.check_file(item.target, source.files, limits)
    except Exception as exc:  # a bug of ours must not hide the other files' results
        message = f"checking stopped: {type(exc).__name__}: '{clean(str(exc), 80)}'"
        problem = run_rules.INTERNAL_ERROR.problem(item.target.display, 0, 0, message)
        return FileResult(problems=(problem,))


def _pool(
    jobs: int, sources: tuple[Source, ...], rulesets: tuple[RuleSet, ...], limits: Limits
) -> Executor:
    # Imported here: a one-card run (pre-commit) never starts a pool and skips ~25 ms.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(sources, rulesets, limits),
    )


def check_files(
    items: Sequence[_Item],
    sources: tuple[Source, ...],
    rulesets: tuple[RuleSet, ...],
    options: RunOptions,
) -> list[FileResult]:
    """Per-file checks, in order; in worker processes when there are enough files."""
    workers = min(options.jobs or _cores(), len(items))
    progress = Progress(len(items), "checking", "file", options.progress and len(items) > 1)
    try:
        if workers <= 1 or len(items) < PARALLEL_THRESHOLD:
            _init_worker(sources, rulesets, options.limits)
            return list(progress.count(_check_one(item) for item in items))
        chunk = max(1, min(256, len(items) // (workers * 8)))
        with _pool(workers, sources, rulesets, options.limits) as pool:
            return list(progress.count(pool.map(_check_one, items, chunksize=chunk)))
    finally:
        progress.close()


def _unchanged(
    refs: Sequence[tuple[AssetRef, _Item]], sources: Sequence[Source], rulesets: Sequence[RuleSet]
) -> set[tuple[str, str, str]]:
    """(path, url, sha256) of assets declared, identically, by the file before the change."""
    known: set[tuple[str, str, str]] = set()
    seen: set[str] = set()
    for ref, item in refs:
        if ref.path in seen:
            continue
        seen.add(ref.path)
        old = sources[item.source].previous(item.target)
        if old is not None:
            keys = rulesets[item.ruleset].checks.asset_keys(old, item.target.location)
            known.update((ref.path, url, sha) for url, sha in keys)
    return known


def _verify(
    refs: Sequence[tuple[AssetRef, _Item]], rulesets: Sequence[RuleSet], options: RunOptions
) -> tuple[list[AssetResult], list[tuple[Problem, _Item]]]:
    """Each ref verified (or skipped offline), and the problems the families make of them."""
    plain = [ref for ref, _ in refs]
    if options.offline or options.assets is None or not refs:
        return [AssetResult(ref, AssetStatus.SKIPPED, detail="offline") for ref in plain], []
    from mdvalidator.assets.verify import verify_assets

    results = verify_assets(plain, options.assets)
    declared = [rulesets[item.ruleset].moves for _, item in refs]
    if any(declared):
        from mdvalidator.assets.moves import follow_moves

        results = follow_moves(results, declared, options.assets)
    by_ruleset: dict[int, list[tuple[AssetResult, _Item]]] = {}
    for result, (_, item) in zip(results, refs, strict=True):
        by_ruleset.setdefault(item.ruleset, []).append((result, item))
    problems: list[tuple[Problem, _Item]] = []
    for index, pairs in by_ruleset.items():
        owner = {result.ref.path: item for result, item in pairs}
        found = rulesets[index].checks.asset_problems([result for result, _ in pairs])
        problems.extend((p, owner.get(p.path, pairs[0][1])) for p in found)
    return list(results), problems


def run(sources: Sequence[Source], rulesets: Sequence[RuleSet], options: RunOptions) -> Report:
    return execute(sources, rulesets, options).report


def execute(sources: Sequence[Source], rulesets: Sequence[RuleSet], options: RunOptions) -> Outcome:
    """Discover, check, verify and decide; never prints."""
    sources, rulesets = tuple(sources), tuple(rulesets)
    index = {id(ruleset): number for number, ruleset in enumerate(rulesets)}
    discoveries = [source.discover(rulesets) for source in sources]
    items = [
        _Item(number, target, index[id(ruleset)])
        for number, found in enumerate(discoveries)
        for target, ruleset in found.targets
    ]
    results = check_files(items, sources, rulesets, options)

    # Each problem belongs to the target that produced it: decided with its rule set.
    owned: list[tuple[Problem, _Item]] = [
        (problem, item) for item, result in zip(items, results, strict=True)
        for problem in result.problems
    ]  # fmt: skip
    owned.extend(_together(items, results, sources, rulesets))
    refs = [
        (ref, item) for item, result in zip(items, results, strict=True) for ref in result.assets
    ]
    skipped: list[AssetResult] = []
    if refs and not options.offline:
        same = _unchanged(refs, sources, rulesets)
        skipped = [
            AssetResult(ref, AssetStatus.SKIPPED, detail="unchanged")
            for ref, _ in refs
            if (ref.path, ref.url, ref.expected) in same
        ]
        refs = [(ref, item) for ref, item in refs if (ref.path, ref.url, ref.expected) not in same]
    asset_results, asset_problems = _verify(refs, rulesets, options)
    owned.extend(asset_problems)
    if options.check_conf and not options.offline and options.assets is not None:
        owned.extend(
            _online(
                items, results, sources, rulesets, OnlineContext(options.assets, options.limits)
            )
        )

    found = _joined(discoveries)
    kept = options.decider.decide([*found.problems, *_nothing_checked(found)], {})
    disables = {id(item): result.disables for item, result in zip(items, results, strict=True)}
    by_item: dict[int, tuple[_Item, list[Problem]]] = {}
    for problem, item in owned:
        by_item.setdefault(id(item), (item, []))[1].append(problem)
    for item, problems in by_item.values():
        severities = rulesets[item.ruleset].severities
        shown = item.target.display
        kept.extend(options.decider.decide(problems, severities, disables[id(item)], shown))
    all_assets = sorted([*asset_results, *skipped], key=lambda a: a.ref)
    report = Report(checked=found.checked, problems=tuple(sorted(kept)), assets=tuple(all_assets))
    return Outcome(report, found)


def _together(
    items: Sequence[_Item],
    results: Sequence[FileResult],
    sources: Sequence[Source],
    rulesets: Sequence[RuleSet],
) -> Iterator[tuple[Problem, _Item]]:
    """Checks across the files of one rule set and source."""
    return _per_group(
        items,
        results,
        lambda source, ruleset, pairs: rulesets[ruleset].checks.check_together(
            pairs, sources[source].files
        ),
    )


def _online(
    items: Sequence[_Item],
    results: Sequence[FileResult],
    sources: Sequence[Source],
    rulesets: Sequence[RuleSet],
    online: OnlineContext,
) -> Iterator[tuple[Problem, _Item]]:
    """The families' online checks, per rule set and source, sharing one context (one memo) for
    the run."""
    return _per_group(
        items,
        results,
        lambda source, ruleset, pairs: rulesets[ruleset].checks.check_online(
            pairs, sources[source].files, online
        ),
    )


def _per_group(
    items: Sequence[_Item],
    results: Sequence[FileResult],
    check: Callable[[int, int, list[tuple[Target, FileResult]]], Iterable[Problem]],
) -> Iterator[tuple[Problem, _Item]]:
    """``check(source, ruleset, pairs)`` for each group of files of one source and rule set;
    each problem goes to the target it names (or the group's first)."""
    groups: dict[tuple[int, int], list[tuple[_Item, FileResult]]] = {}
    for item, result in zip(items, results, strict=True):
        groups.setdefault((item.source, item.ruleset), []).append((item, result))
    for (source, ruleset), members in groups.items():
        by_display = {item.target.display: item for item, _ in members}
        pairs = [(item.target, result) for item, result in members]
        for problem in check(source, ruleset, pairs):
            yield problem, by_display.get(problem.path, members[0][0])


def _joined(discoveries: Iterable[Discovery]) -> Discovery:
    found = list(discoveries)
    notes = [d.nothing_note for d in found if d.nothing_note is not None]
    return Discovery(
        targets=tuple(t for d in found for t in d.targets),
        problems=tuple(p for d in found for p in d.problems),
        empty_folders=tuple(f for d in found for f in d.empty_folders),
        excluded=tuple(e for d in found for e in d.excluded),
        nothing_note=notes[0] if notes else None,
        counted=sum(d.checked for d in found),
    )


def _nothing_checked(found: Discovery) -> list[Problem]:
    """MDV018: for each named folder without descriptors, or a run that checked no file."""
    rule = run_rules.NOTHING_CHECKED
    message = "no descriptor here: no file of a rule set's kind"
    problems = [rule.problem(folder, 0, 0, message) for folder in found.empty_folders]
    if found.targets or problems or found.problems:
        return problems  # the discovery problems (missing paths, ...) already say why
    if found.nothing_note is not None:
        return [found.nothing_note]
    if found.excluded:
        message = "every named file is excluded by its rule set: nothing checked"
        return [rule.problem(".", 0, 0, message, Severity.INFO)]
    return [rule.problem(".", 0, 0, "no descriptor was checked")]


__all__ = ["PARALLEL_THRESHOLD", "Outcome", "RunOptions", "check_files", "execute", "run"]
