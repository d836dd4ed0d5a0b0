"""The DIGITS Model Store family as the engine sees it (``mdvalidator.families.Family``).

Files are routed by name: master.json, info.json, aux.json, the checksum file (SHA256SUMS) and
snapshot archives. Checking reads the file and lists the folder around it (links refused, never
followed); the checks themselves are pure functions in ``checks``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from mdvalidator.families.digits import archive, checks, local
from mdvalidator.families.digits import rules as R
from mdvalidator.families.digits.options import DigitsOptions, load_options
from mdvalidator.family import FileResult, Limits, Target
from mdvalidator.problem import Problem
from mdvalidator.ruleset import RuleSet


def check_path(target: Target, options: DigitsOptions, limits: Limits) -> FileResult:
    """Check one store file, or a snapshot archive named explicitly, on disk."""
    path, display, cap = target.path, target.display, limits.max_file_size
    name = path.name
    if archive.is_archive(name):
        if not target.explicit:
            return FileResult()  # archives found by a folder walk may be anything: not ours
        if path.is_symlink():
            return FileResult(
                problems=(
                    R.SYMLINK_REFUSED.problem(
                        display, 0, 0, "the archive is a symbolic link (not followed)"
                    ),
                )
            )
        return FileResult(problems=archive.inspect(path, display, options, cap).problems)
    if name == local.MASTER_NAME:
        return local.check_master(path, display, options, cap)
    if name == checks.INFO_NAME:
        return local.check_info(path, display, options, cap)
    if name == local.AUX_NAME:
        return local.check_aux(path, display, options, cap)
    if name == options.checksums.file:
        return local.check_sums(path, display, cap)
    return FileResult()


def with_required_checksums(ruleset: RuleSet) -> RuleSet:
    """``ruleset`` with ``checksums.required`` on (what ``--require-checksums`` asks for)."""
    options: DigitsOptions = ruleset.options
    checksums = dataclasses.replace(options.checksums, required=True)
    return ruleset.with_options(dataclasses.replace(options, checksums=checksums))


def duplicate_ids(items: Sequence[tuple[Target, FileResult]]) -> list[Problem]:
    """Two info.json of one store carrying the same job id (reported at the later ones)."""
    first: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    for target, result in sorted(items, key=lambda item: item[0].display):
        fact = result.facts.get("model_id")
        if not fact:
            continue
        model_id, line, column = fact
        key = (str(result.facts.get("store", "")), model_id)
        if key in first:
            problems.append(
                R.DUPLICATE_MODEL_ID.problem(
                    target.display,
                    line,
                    column,
                    f"job id {model_id!r} is also the id of {first[key]}",
                )
            )
        else:
            first[key] = target.display
    return problems


class DigitsFamily:
    name = "digits-model-store"
    rules = R.RULES

    def load_options(self, data: Mapping[str, Any]) -> DigitsOptions:
        return load_options(data)

    def check_file(self, target: Target, ruleset: RuleSet, limits: Limits) -> FileResult:
        return check_path(target, ruleset.options, limits)

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], ruleset: RuleSet
    ) -> list[Problem]:
        return duplicate_ids(items)


FAMILY = DigitsFamily()
