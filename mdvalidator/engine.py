"""The engine: discover -> check (in parallel) -> decide -> verify assets. Returns a Report.

Nothing here prints or exits; the CLI does. Each worker process receives the rule sets once
(at start-up) and then only file names, so a 10,000-card hub costs little more than its
parsing. Asset verification, the only network step, is imported only when it runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdvalidator.decide import Decider
from mdvalidator.discover import Discovery, discover, discover_changed
from mdvalidator.family import FileResult, Limits, Target
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem, Report, Severity
from mdvalidator.ruleset import RuleSet
from mdvalidator.run_rules import NOTHING_CHECKED

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from mdvalidator.gitchanges import Changes

# Below this many files a process pool costs more than it saves (starting one costs about
# what checking 100 cards does; bench/bench_lint.py, real fixtures row).
PARALLEL_THRESHOLD = 256


@dataclass(frozen=True)
class RunOptions:
    decider: Decider = field(default_factory=Decider)
    limits: Limits = field(default_factory=Limits)
    jobs: int = 0  # 0: one per core
    offline: bool = False
    changed_since: str | None = None  # a git ref (or A...B); ``changes`` when already known
    assets: Any = None  # mdvalidator.assets.options.AssetOptions when verifying
    changes: Changes | None = None


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


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# What each worker process was given at start-up (set by _init_worker).
_worker_rulesets: dict[str, RuleSet] = {}
_worker_limits: list[Limits] = [Limits()]


def _init_worker(rulesets: dict[str, RuleSet], limits: Limits) -> None:
    _worker_rulesets.update(rulesets)
    _worker_limits[0] = limits


def _check_one(item: tuple[Target, str]) -> FileResult:
    target, ruleset_name = item
    ruleset = _worker_rulesets[ruleset_name]
    return ruleset.get_family().check_file(target, ruleset, _worker_limits[0])


def _pool(jobs: int, rulesets: dict[str, RuleSet], limits: Limits) -> Executor:
    # Imported here: a one-card run (pre-commit) never starts a pool and skips ~25 ms.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(rulesets, limits),
    )


def check_files(
    targets: Sequence[tuple[Target, RuleSet]], limits: Limits, jobs: int
) -> list[FileResult]:
    """Per-file checks, in order; in worker processes when there are enough files."""
    by_name = {ruleset.name: ruleset for _, ruleset in targets}
    for ruleset in by_name.values():
        _ = ruleset.options  # validate once here, before workers fork (RuleSetError if bad)
    items = [(target, ruleset.name) for target, ruleset in targets]
    workers = min(jobs or _cores(), len(items))
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD:
        _init_worker(by_name, limits)
        return [_check_one(item) for item in items]
    chunk = max(1, min(256, len(items) // (workers * 8)))
    with _pool(workers, by_name, limits) as pool:
        return list(pool.map(_check_one, items, chunksize=chunk))


def _unchanged_assets(
    refs: Sequence[AssetRef], targets: dict[str, tuple[Target, RuleSet]], changes: Changes
) -> set[tuple[str, str, str]]:
    """(path, url, sha256) of assets declared, identically, by the file at the merge base."""
    known: set[tuple[str, str, str]] = set()
    for path in {r.path for r in refs}:
        target, ruleset = targets[path]
        old = changes.blob(changes.base, target.path.absolute())
        keys: Callable[[bytes, str, RuleSet], set[tuple[str, str]]] | None = getattr(
            ruleset.get_family(), "asset_keys", None
        )
        if old is not None and keys is not None:
            known.update((path, url, sha) for url, sha in keys(old, path, ruleset))
    return known


def verify(
    refs: Sequence[AssetRef], options: RunOptions
) -> tuple[list[AssetResult], list[Problem]]:
    if options.offline or options.assets is None or not refs:
        return [AssetResult(ref, AssetStatus.SKIPPED, detail="offline") for ref in refs], []
    from mdvalidator.assets.verify import asset_problems, verify_assets

    results = verify_assets(refs, options.assets)
    return results, asset_problems(results)


def _changes(options: RunOptions) -> Changes | None:
    if options.changes is not None or not options.changed_since:
        return options.changes
    from mdvalidator.gitchanges import changes_since

    return changes_since(options.changed_since, Path.cwd())


def run(paths: Sequence[str], rulesets: Sequence[RuleSet], options: RunOptions) -> Report:
    return execute(paths, rulesets, options).report


def execute(paths: Sequence[str], rulesets: Sequence[RuleSet], options: RunOptions) -> Outcome:
    """Discover, check, verify and decide; never prints."""
    changes = _changes(options)
    if changes is not None:
        found = discover_changed(paths, changes, rulesets)
    else:
        found = discover(paths, rulesets)
    targets = list(found.targets)
    results = check_files(targets, options.limits, options.jobs)

    by_path = {target.display: (target, ruleset) for target, ruleset in targets}
    per_file: dict[str, list[Problem]] = {
        t.display: list(r.problems) for (t, _), r in zip(targets, results, strict=True)
    }
    groups: dict[str, list[tuple[Target, FileResult]]] = {}
    for (target, ruleset), result in zip(targets, results, strict=True):
        groups.setdefault(ruleset.name, []).append((target, result))
    for items in groups.values():
        ruleset = by_path[items[0][0].display][1]
        for problem in ruleset.get_family().check_together(items, ruleset):
            per_file.setdefault(problem.path, []).append(problem)

    refs = [ref for result in results for ref in result.assets]
    skipped_unchanged: list[AssetResult] = []
    if changes is not None and refs and not options.offline:
        same = _unchanged_assets(refs, by_path, changes)
        skipped_unchanged = [
            AssetResult(r, AssetStatus.SKIPPED, detail="unchanged")
            for r in refs
            if (r.path, r.url, r.expected) in same
        ]
        refs = [r for r in refs if (r.path, r.url, r.expected) not in same]
    asset_results, asset_problems = verify(refs, options)
    for problem in asset_problems:
        per_file.setdefault(problem.path, []).append(problem)

    disables = {t.display: r.disables for (t, _), r in zip(targets, results, strict=True)}
    general = [*found.problems, *_nothing_checked(found, changes)]
    kept: list[Problem] = options.decider.decide(general, {})
    for path, problems in per_file.items():
        severities = by_path[path][1].severities if path in by_path else {}
        kept.extend(options.decider.decide(problems, severities, disables.get(path, ()), path))
    all_assets = sorted([*asset_results, *skipped_unchanged], key=lambda a: a.ref)
    report = Report(checked=len(targets), problems=tuple(sorted(kept)), assets=tuple(all_assets))
    return Outcome(report, found)


def _nothing_checked(found: Discovery, changes: Changes | None) -> list[Problem]:
    """MDV018: for each named folder without descriptors, or a run that checked no file."""
    problems = [
        NOTHING_CHECKED.problem(folder, 0, 0, "no descriptor here: no file of a rule set's kind")
        for folder in found.empty_folders
        if changes is None
    ]
    if found.targets or problems or found.problems:
        return problems  # the discovery problems (missing paths, ...) already say why
    if changes is not None and changes.ref_contains_head:
        message = (
            f"no descriptor changed: {changes.ref} already holds the commit checked out, so "
            "only uncommitted changes were compared (in CI, give the target branch's commit)"
        )
        return [NOTHING_CHECKED.problem(".", 0, 0, message)]
    if changes is not None:
        message = (
            f"no descriptor changed since {changes.ref} "
            f"(merge base {changes.base[:12]}): nothing checked"
        )
        return [NOTHING_CHECKED.problem(".", 0, 0, message, Severity.INFO)]
    if found.excluded and not found.problems:
        message = "every named file is excluded by its rule set: nothing checked"
        return [NOTHING_CHECKED.problem(".", 0, 0, message, Severity.INFO)]
    return [NOTHING_CHECKED.problem(".", 0, 0, "no descriptor was checked")]
