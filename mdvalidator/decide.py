"""Deciding which problems to report and how severely: the stage between check and report.

Order: the rule set's severity table (or ``off``), ``--select``/``--ignore`` (longest matching
prefix wins; on a tie, ignore wins), per-file ignores, inline suppressions. Names work
wherever codes do.

Integrity rules (``registry.is_integrity``) are never silenced by inline directives, and the
choices that come from a source found in the checked tree (``Decider.untrusted``) do not touch
them either; the command line, an explicit --config and the base branch's settings may.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mdvalidator.family import Disable
from mdvalidator.problem import Problem, Severity
from mdvalidator.registry import did_you_mean, matching_codes, rule
from mdvalidator.rule import is_integrity
from mdvalidator.run_rules import SUPPRESSION_REFUSED, UNKNOWN_DIRECTIVE_CODE
from mdvalidator.suppress import Directive, covers, is_suppressed

# The names of the choices a Decider holds, as used in ``Decider.untrusted``.
CHOICES = ("select", "ignore", "per-file-ignores")


def normalise_codes(items: Iterable[str]) -> tuple[str, ...]:
    """Codes and code prefixes upper-cased; rule names turned into their codes.

    ``ValueError`` (with a did-you-mean) for anything that matches no rule: a code list that
    names nothing would silently select or ignore nothing.
    """
    out: list[str] = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        codes = matching_codes(item)
        if not codes:
            kind = "code" if item.upper().startswith("MDV") else "code or name"
            raise ValueError(f"{item!r} matches no rule {kind}{did_you_mean(item)}")
        out.append(item.upper() if item.upper().startswith("MDV") else codes[0])
    return tuple(out)


def _longest(code: str, prefixes: Sequence[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


@dataclass(frozen=True)
class Decider:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Which of CHOICES come from a source that may not touch integrity rules.
    untrusted: frozenset[str] = frozenset()
    # A hub setting (inline-directives = false): cards cannot silence anything.
    inline_directives: bool = True

    def selected(self, code: str) -> bool:
        locked = is_integrity(code)
        if self.select and not (locked and "select" in self.untrusted):
            chosen = _longest(code, self.select)
        else:
            chosen = 0
        dropped = -1 if locked and "ignore" in self.untrusted else _longest(code, self.ignore)
        return chosen >= 0 and chosen > dropped

    def ignored_in_file(self, path: str, code: str) -> bool:
        if is_integrity(code) and "per-file-ignores" in self.untrusted:
            return False
        return any(
            fnmatch.fnmatchcase(path, pattern) and any(code.startswith(c) for c in codes)
            for pattern, codes in self.per_file_ignores
        )

    def decide(
        self,
        problems: Iterable[Problem],
        severities: Mapping[str, Severity | None],
        disables: Sequence[Disable] = (),
        path: str = "",
    ) -> list[Problem]:
        """The problems of one file (``path``) that are reported, with their severity."""
        problems = list(problems)
        if not self.inline_directives:
            disables = ()
        elif disables:
            problems.extend(directive_problems(path, problems, disables))
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


def directive_problems(
    path: str, problems: Sequence[Problem], disables: Sequence[Disable]
) -> list[Problem]:
    """MDV017 for codes a directive names that match no rule; MDV016 for every directive that
    names an integrity rule or covers a line where one is reported (one per directive line)."""
    out: list[Problem] = []
    refused: dict[int, set[str]] = {}
    for disable in disables:
        if not isinstance(disable, Directive):
            continue
        if disable.unknown:
            named = ", ".join(f"{code!r}{did_you_mean(code)}" for code in disable.unknown)
            message = f"directive names no rule: {named}; it silences nothing for them"
            out.append(UNKNOWN_DIRECTIVE_CODE.problem(path or "-", disable.line, 0, message))
        if disable.refused:
            refused.setdefault(disable.line, set()).update(disable.refused)
    for problem in problems:
        if not is_integrity(problem.rule):
            continue
        for disable in disables:
            if isinstance(disable, Directive) and covers(
                disable, problem.rule, problem.name, problem.line
            ):
                refused.setdefault(disable.line, set()).add(problem.rule)
    for line, codes in sorted(refused.items()):
        named = ", ".join(_describe(code) for code in sorted(codes))
        message = (
            f"inline directives cannot silence integrity rules ({named}); "
            "this directive has no effect on them"
        )
        out.append(SUPPRESSION_REFUSED.problem(path or "-", line, 0, message))
    return out


def _describe(code: str) -> str:
    try:
        return f"{code} {rule(code).name}"
    except KeyError:  # a prefix or name as written
        return code


__all__ = ["CHOICES", "Decider", "directive_problems", "normalise_codes"]
