"""The DIGITS Model Store family as the engine sees it (:class:`mdvalidator.family.Family`).

Files are routed by name: master.json, info.json, aux.json, the checksum file (SHA256SUMS) and
snapshot archives. Each is read through the source's ``Files`` with the folder around it
(``storecheck``); the checks themselves are pure functions (``master``, ``model``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from mdvalidator.families import builtin_text
from mdvalidator.families.digits.checksums import CHECKSUM_FILE_INVALID
from mdvalidator.families.digits.model import STORE_FILE_UNREACHABLE
from mdvalidator.families.digits.options import DigitsOptions, build_options
from mdvalidator.family import FileResult, Files, Limits, Target
from mdvalidator.problem import AssetResult, AssetStatus, Problem
from mdvalidator.reading import ReadError
from mdvalidator.rule import Rule
from mdvalidator.ruleset import RuleSet, with_override

_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def check_target(
    target: Target, files: Files, options: DigitsOptions, limits: Limits
) -> FileResult:
    """Check one store file, or a snapshot archive named explicitly."""
    # The checks are imported when a store file is first checked: binding the built-in rule
    # set (every run does) needs only the options.
    from mdvalidator.families.digits import checks, storecheck

    name, cap = target.name, limits.max_file_size
    if checks.is_archive(name):
        from mdvalidator.families.digits import archive  # tarfile and zipfile: only for them

        if not target.explicit:
            return FileResult()  # archives found by a folder walk may be anything: not ours
        try:
            with files.open(target.location) as stream:
                found = archive.inspect_stream(stream, name, target.display, options, cap)
        except ReadError as error:
            return FileResult(problems=(storecheck.read_problem(target.display, error),))
        return FileResult(problems=found.problems)
    if name == storecheck.MASTER_NAME:
        return storecheck.check_master(target, files, options, cap)
    if name in (checks.INFO_NAME, options.archive.info_name):
        return storecheck.check_info(target, files, options, cap)
    if name == storecheck.AUX_NAME:
        return storecheck.check_aux(target, files, options, cap)
    if name == options.checksums.file:
        return storecheck.check_sums(target, files, cap)
    return FileResult()


def options_of(ruleset: RuleSet) -> DigitsOptions:
    """A DIGITS rule set's options (``TypeError`` for another family's)."""
    options = ruleset.options
    if not isinstance(options, DigitsOptions):
        raise TypeError(f"{ruleset.source}: not a {FAMILY.name} rule set")
    return options


def with_required_checksums(ruleset: RuleSet) -> RuleSet:
    """``ruleset`` with ``checksums.required`` on (what ``--require-checksums`` asks for)."""
    return with_override(ruleset, {"checksums": {"required": True}})


def _gone(result: AssetResult) -> bool:
    """Whether a failed download was a 404 or 410 (the result keeps only the error's text)."""
    match = _HTTP_STATUS.search(result.detail) if result.reason == "http" else None
    return match is not None and match.group(1) in ("404", "410")


def checksum_problems(results: Sequence[AssetResult]) -> list[Problem]:
    """The verdicts on files a SHA256SUMS lists, downloaded from a live store."""
    from mdvalidator.families.digits.checks import show
    from mdvalidator.families.digits.checksums import SumEntry, mismatch

    problems: list[Problem] = []
    for result in results:
        ref = result.ref
        entry = SumEntry(ref.line, ref.expected, ref.name)
        if result.status is AssetStatus.MISMATCH and result.actual:
            problems.append(mismatch(ref.path, entry, result.actual))
        elif result.status in (AssetStatus.UNREACHABLE, AssetStatus.BLOCKED, AssetStatus.TOO_LARGE):
            rule = CHECKSUM_FILE_INVALID if _gone(result) else STORE_FILE_UNREACHABLE
            message = f"{show(ref.name)}: {result.detail}"
            problems.append(rule.problem(ref.path, ref.line, 1, message))
    return problems


@cache
def all_rules() -> tuple[Rule, ...]:
    """The family's rules, each defined beside its check (imported only to be listed)."""
    from mdvalidator.families.digits import (
        archive,
        checks,
        checksums,
        duplicates,
        live,
        master,
        model,
        sources,
        storecheck,
    )

    modules = (checks, storecheck, model, master, checksums, archive, sources, live, duplicates)
    return tuple(sorted((r for m in modules for r in m.RULES), key=lambda r: r.code))


class DigitsFamily:
    name = "digits-model-store"

    @property
    def rules(self) -> tuple[Rule, ...]:
        return all_rules()

    def ruleset_text(self) -> str | None:
        return builtin_text(self.name)

    def validate_options(self, data: Mapping[str, object]) -> None:
        from mdvalidator.families.digits.schema import validate_options

        validate_options(data)

    def build_options(self, data: Mapping[str, object]) -> DigitsOptions:
        return build_options(data)

    def check_file(
        self, target: Target, files: Files, options: DigitsOptions, limits: Limits
    ) -> FileResult:
        return check_target(target, files, options, limits)

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], files: Files, options: DigitsOptions
    ) -> list[Problem]:
        from mdvalidator.families.digits.duplicates import duplicate_ids

        return duplicate_ids(items)

    def affected_by_deletion(self, location: str, options: DigitsOptions) -> tuple[str, ...]:
        return ()

    def asset_keys(
        self, data: bytes, location: str, options: DigitsOptions
    ) -> frozenset[tuple[str, str]]:
        return frozenset()

    def asset_problems(self, results: Sequence[AssetResult]) -> list[Problem]:
        return checksum_problems(results)


FAMILY = DigitsFamily()

__all__ = ["FAMILY", "DigitsFamily", "check_target", "options_of", "with_required_checksums"]
