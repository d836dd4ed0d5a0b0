"""Deciding which problems to report and how severely: the stage between check and report.

Order: the rule set's severity table (or ``off``), ``--select``/``--ignore`` (longest matching
prefix wins; on a tie, ignore wins), per-file ignores, inline suppressions. Names work
wherever codes do.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mdvalidator.families import Disable
from mdvalidator.problem import Problem, Severity
from mdvalidator.registry import find_rule
from mdvalidator.suppress import is_suppressed


def normalise_codes(items: Iterable[str]) -> tuple[str, ...]:
    """Codes and code prefixes upper-cased; rule names turned into their codes."""
    out: list[str] = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        if item.upper().startswith("MDV"):
            out.append(item.upper())
            continue
        found = find_rule(item)
        if found is None:
            raise ValueError(f"{item!r} is neither a rule code (MDV...) nor a rule name")
        out.append(found.code)
    return tuple(out)


def _longest(code: str, prefixes: Sequence[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


@dataclass(frozen=True)
class Decider:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def selected(self, code: str) -> bool:
        chosen = _longest(code, self.select) if self.select else 0
        dropped = _longest(code, self.ignore)
        return chosen >= 0 and chosen > dropped

    def ignored_in_file(self, path: str, code: str) -> bool:
        return any(
            fnmatch.fnmatchcase(path, pattern) and any(code.startswith(c) for c in codes)
            for pattern, codes in self.per_file_ignores
        )

    def decide(
        self,
        problems: Iterable[Problem],
        severities: Mapping[str, Severity | None],
        disables: Sequence[Disable] = (),
    ) -> list[Problem]:
        kept: list[Problem] = []
        for problem in problems:
            if problem.rule in severities:
                level = severities[problem.rule]
                if level is None:
                    continue
                problem = dataclasses.replace(problem, severity=level)
            if not self.selected(problem.rule) or self.ignored_in_file(problem.path, problem.rule):
                continue
            if disables and is_suppressed(problem.rule, problem.name, problem.line, disables):
                continue
            kept.append(problem)
        return kept
