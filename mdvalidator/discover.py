"""Which files to check, and which rule set applies to each.

Two sources: a walk of the named folders (:func:`discover`, skipping dot-folders and
``SKIPPED_FOLDERS``), or the files git says a branch changed (:func:`discover_changed`), which
skips nothing: a pull request cannot hide a card in ``venv/`` or ``.hidden/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdvalidator import run_rules as P
from mdvalidator.family import Target
from mdvalidator.problem import Problem
from mdvalidator.ruleset import RuleSet

if TYPE_CHECKING:
    from mdvalidator.gitchanges import Changes

SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", ".venv", "site-packages"})


@dataclass(frozen=True)
class Discovery:
    targets: tuple[tuple[Target, RuleSet], ...]
    problems: tuple[Problem, ...]
    # Named folders in which no file is of a rule set's kind (as displayed).
    empty_folders: tuple[str, ...] = ()
    # Named files that a rule set excludes on purpose (README.md named by pre-commit).
    excluded: tuple[str, ...] = ()


def _display(path: str) -> str:
    shown = path.replace(os.sep, "/")
    while shown.startswith("./"):
        shown = shown[2:]
    return shown or "."


def _walk(root: str) -> Iterator[str]:
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and d not in SKIPPED_FOLDERS
        )
        for name in sorted(files):
            yield os.path.join(folder, name)


def _ruleset_for(display: str, rulesets: Sequence[RuleSet]) -> RuleSet | None:
    return next((r for r in rulesets if r.applies_to(display)), None)


class _Collector:
    def __init__(self, rulesets: Sequence[RuleSet]) -> None:
        self.rulesets = rulesets
        self.targets: dict[str, tuple[Target, RuleSet]] = {}
        self.problems: list[Problem] = []
        self.empty: list[str] = []
        self.excluded: list[str] = []

    def named_file(self, path: Path, display: str) -> None:
        """A file named on the command line (or the named file git says changed)."""
        ruleset = _ruleset_for(display, self.rulesets)
        if ruleset is None and any(r.matches(display) for r in self.rulesets):
            self.excluded.append(display)  # excluded on purpose: pre-commit names such files
            return
        if ruleset is None:
            message = "no rule set applies to this file; not checked"
            self.problems.append(P.NO_RULE_SET.problem(display, 0, 0, message))
            return
        self.targets.setdefault(display, (Target(path, display, explicit=True), ruleset))

    def found_file(self, path: Path, display: str) -> bool:
        """A file below a named folder; True when a rule set applies to it."""
        ruleset = _ruleset_for(display, self.rulesets)
        if ruleset is not None:
            self.targets.setdefault(display, (Target(path, display), ruleset))
        return ruleset is not None

    def missing(self, display: str) -> None:
        self.problems.append(P.UNREADABLE_FILE.problem(display, 0, 0, "no such file or folder"))

    def result(self) -> Discovery:
        return Discovery(
            tuple(self.targets.values()),
            tuple(self.problems),
            tuple(self.empty),
            tuple(self.excluded),
        )


def discover(paths: Sequence[str], rulesets: Sequence[RuleSet]) -> Discovery:
    """Targets for the named files and the descriptor files below named folders."""
    found = _Collector(rulesets)
    for given in paths:
        if os.path.isdir(given) and not os.path.islink(given):
            any_kind = False
            for name in _walk(given):
                if os.path.islink(name):
                    continue
                any_kind = found.found_file(Path(name), _display(name)) or any_kind
            if not any_kind:
                found.empty.append(_display(given))
        elif not os.path.lexists(given):
            found.missing(_display(given))
        else:
            found.named_file(Path(given), _display(given))
    return found.result()


def _below(path: Path, base: Path, given: str) -> str | None:
    """How to display ``path`` when it is ``base`` (named as ``given``) or inside it."""
    if path == base:
        return _display(given)
    try:
        relative = path.relative_to(base)
    except ValueError:
        return None
    return _display(os.path.join(given, *relative.parts))


def discover_changed(
    paths: Sequence[str], changes: Changes, rulesets: Sequence[RuleSet]
) -> Discovery:
    """Targets among the files git says changed, inside the named paths (nothing skipped).

    A symbolic link that changed is a target too (reported, not followed). A deleted file
    makes the files that depended on it targets (a deleted card's translation, through the
    family's optional ``affected_by_deletion(path, ruleset)``).
    """
    found = _Collector(rulesets)
    for given in paths:
        if not os.path.lexists(given):
            found.missing(_display(given))
            continue
        base = Path(given).resolve()
        for path in changes.changed:
            display = _below(path, base, given)
            if display is None or _is_folder(path):
                continue
            if path == base:
                found.named_file(path, display)
            else:
                found.found_file(path, display)
        for path in changes.deleted:
            display = _below(path, base, given)
            if display is not None:
                for companion in _affected_by_deletion(path, display, rulesets):
                    shown = _below(companion, base, given)
                    if shown is not None and os.path.isfile(companion):
                        found.found_file(companion, shown)
    return found.result()


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()  # a submodule, or a folder git cannot list


def _affected_by_deletion(path: Path, display: str, rulesets: Sequence[RuleSet]) -> list[Path]:
    ruleset = _ruleset_for(display, rulesets)
    if ruleset is None:
        return []
    hook = getattr(ruleset.get_family(), "affected_by_deletion", None)
    if hook is None:
        return []
    affected: list[Path] = hook(path, ruleset)
    return affected
