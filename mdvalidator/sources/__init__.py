"""Sources of descriptor files: where a run's files come from, and how they are read.

A :class:`Source` discovers its targets (which files, which rule set applies to each) and
gives the families :class:`~mdvalidator.family.Files` to read them through. The engine takes
any sources: a folder walk or named files (``filesystem``), git's changed files
(``gitchanged``), files held in memory with the names of their siblings (``memory``: what a bot
fetches from a forge API), and the DIGITS family's own (a store folder, a live store, a
snapshot archive's members: ``families.digits.sources``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mdvalidator import run_rules
from mdvalidator.family import Files, Target
from mdvalidator.problem import Problem
from mdvalidator.ruleset import RuleSet


@dataclass(frozen=True)
class Discovery:
    """What a source holds for a run: its targets with their rule sets, and the problems
    found while looking (a path that does not exist, a store that cannot be reached)."""

    targets: tuple[tuple[Target, RuleSet], ...]
    problems: tuple[Problem, ...] = ()
    # Named folders in which no file is of a rule set's kind (as displayed).
    empty_folders: tuple[str, ...] = ()
    # Named files that a rule set excludes on purpose (README.md named by pre-commit).
    excluded: tuple[str, ...] = ()
    # Said when the source found nothing to check (e.g. "nothing changed since REF").
    nothing_note: Problem | None = None
    # How many descriptors the report counts (None: one per target; a live store counts one).
    counted: int | None = None

    @property
    def checked(self) -> int:
        return len(self.targets) if self.counted is None else self.counted


class Source(Protocol):
    """Where a run's descriptor files come from."""

    @property
    def files(self) -> Files:
        """How the families read this source's files."""

    def discover(self, rulesets: Sequence[RuleSet]) -> Discovery:
        """The files to check, each with the first rule set that applies to it."""

    def previous(self, target: Target) -> bytes | None:
        """The file as it was before the change being checked (``--changed-since``), or None
        when the source knows no history (every asset is then verified)."""


@dataclass(frozen=True)
class Unusable:
    """What a command was asked to check but cannot be read at all (a store that is neither
    a folder nor a URL): its problems, no files."""

    problems: tuple[Problem, ...]

    @property
    def files(self) -> Files:
        from mdvalidator.sources.memory import MemoryFiles

        return MemoryFiles()

    def discover(self, rulesets: Sequence[RuleSet]) -> Discovery:
        return Discovery((), self.problems)

    def previous(self, target: Target) -> bytes | None:
        return None


def display(path: str) -> str:
    """How reports name a path: posix separators, no leading ``./``."""
    shown = path.replace(os.sep, "/")
    while shown.startswith("./"):
        shown = shown[2:]
    return shown or "."


def ruleset_for(shown: str, rulesets: Sequence[RuleSet]) -> RuleSet | None:
    return next((r for r in rulesets if r.applies_to(shown)), None)


@dataclass
class Collector:
    """Targets and discovery problems, as a source finds files (one target per display)."""

    rulesets: Sequence[RuleSet]
    targets: dict[str, tuple[Target, RuleSet]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    def named_file(self, location: str, shown: str) -> None:
        """A file named on the command line (or the named file git says changed)."""
        ruleset = ruleset_for(shown, self.rulesets)
        if ruleset is None and any(r.matches(shown) for r in self.rulesets):
            self.excluded.append(shown)  # excluded on purpose: pre-commit names such files
            return
        if ruleset is None:
            message = "no rule set applies to this file; not checked"
            self.problems.append(run_rules.NO_RULE_SET.problem(shown, 0, 0, message))
            return
        self.targets.setdefault(shown, (Target(location, shown, explicit=True), ruleset))

    def found_file(self, location: str, shown: str) -> bool:
        """A file below a named folder; True when a rule set applies to it."""
        ruleset = ruleset_for(shown, self.rulesets)
        if ruleset is not None:
            self.targets.setdefault(shown, (Target(location, shown), ruleset))
        return ruleset is not None

    def missing(self, shown: str) -> None:
        message = "no such file or folder"
        self.problems.append(run_rules.UNREADABLE_FILE.problem(shown, 0, 0, message))

    def result(self, nothing_note: Problem | None = None) -> Discovery:
        return Discovery(
            tuple(self.targets.values()),
            tuple(self.problems),
            tuple(self.empty),
            tuple(self.excluded),
            nothing_note,
        )


__all__ = ["Collector", "Discovery", "Source", "Unusable", "display", "ruleset_for"]
