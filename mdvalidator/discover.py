"""Which files to check, and which rule set applies to each."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mdvalidator.checks import parse_rules as P
from mdvalidator.families import Target
from mdvalidator.problem import Problem
from mdvalidator.ruleset import RuleSet

SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", ".venv", "site-packages"})


@dataclass(frozen=True)
class Discovery:
    targets: tuple[tuple[Target, RuleSet], ...]
    problems: tuple[Problem, ...]


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


def discover(paths: Sequence[str], rulesets: Sequence[RuleSet]) -> Discovery:
    """Targets for the named files and the descriptor files below named folders."""
    targets: dict[str, tuple[Target, RuleSet]] = {}
    problems: list[Problem] = []
    for given in paths:
        if os.path.isdir(given) and not os.path.islink(given):
            for found in _walk(given):
                display = _display(found)
                ruleset = _ruleset_for(display, rulesets)
                if ruleset is not None and not os.path.islink(found):
                    targets.setdefault(display, (Target(Path(found), display), ruleset))
            continue
        display = _display(given)
        if not os.path.lexists(given):
            problems.append(P.UNREADABLE_FILE.problem(display, 0, 0, "no such file or folder"))
            continue
        ruleset = _ruleset_for(display, rulesets)
        if ruleset is None and any(r.matches(display) for r in rulesets):
            continue  # excluded on purpose (README.md, docs/): pre-commit names such files too
        if ruleset is None:
            problems.append(
                P.NO_RULE_SET.problem(
                    display, 0, 0, "no rule set applies to this file; not checked"
                )
            )
            continue
        targets.setdefault(display, (Target(Path(given), display, explicit=True), ruleset))
    return Discovery(tuple(targets.values()), tuple(problems))
