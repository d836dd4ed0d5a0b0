"""The MindSpore Hub card family: read, parse and check cards; cross-card checks."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from mdvalidator import run_rules
from mdvalidator.families.mindspore import parse_rules as P
from mdvalidator.families.mindspore import rules as R
from mdvalidator.families.mindspore.asset_list import asset_refs, check_assets
from mdvalidator.families.mindspore.card import AssetCard, parse_card
from mdvalidator.families.mindspore.header import check_header, show
from mdvalidator.families.mindspore.layout import (
    case_collisions,
    check_body,
    check_file_name,
    check_folders,
    check_usage_id,
    english_name,
    place_of,
)
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.family import FileResult, Limits, Target
from mdvalidator.problem import Problem
from mdvalidator.ruleset import RuleSet
from mdvalidator.suppress import parse_directives

_ISSUE_RULES = {
    "encoding": P.INVALID_ENCODING,
    "no-header": P.MISSING_HEADER,
    "unclosed-header": P.UNCLOSED_HEADER,
    "not-mapping": P.HEADER_NOT_MAPPING,
    "syntax": P.INVALID_YAML,
    "duplicate-key": P.DUPLICATE_KEY,
    "unsupported": P.UNSUPPORTED_YAML,
    "complex-key": P.UNSUPPORTED_YAML,
    "dash-value": P.DASH_VALUE,
    "too-complex": P.TOO_COMPLEX,
    "nul": P.NUL_CHARACTER,
}


def read_limited(target: Target, limits: Limits) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, or the problem that stops us reading it (never follows symlinks).

    Opened first (no symlink followed, no wait on a FIFO), then checked through the open
    descriptor, then read in as many bytes as it has: never a cap-sized buffer per file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(target.path, flags)
    except OSError as exc:
        if os.path.islink(target.path):
            return None, run_rules.UNREADABLE_FILE.problem(
                target.display, 0, 0, "is a symbolic link (not followed)"
            )
        return None, run_rules.UNREADABLE_FILE.problem(
            target.display, 0, 0, f"cannot read: {exc.strerror}"
        )
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None, run_rules.UNREADABLE_FILE.problem(
                target.display, 0, 0, "is not a regular file"
            )
        if info.st_size > limits.max_file_size:
            return None, run_rules.FILE_TOO_LARGE.problem(
                target.display,
                0,
                0,
                f"file is {info.st_size} bytes, over the {limits.max_file_size}-byte cap",
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limits.max_file_size:
            want = info.st_size + 1 - size if size < info.st_size else 65536
            chunk = os.read(descriptor, min(want, limits.max_file_size + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return None, run_rules.UNREADABLE_FILE.problem(
            target.display, 0, 0, f"cannot read: {exc.strerror}"
        )
    finally:
        os.close(descriptor)
    if size > limits.max_file_size:
        return None, run_rules.FILE_TOO_LARGE.problem(
            target.display, 0, 0, f"file grew over the {limits.max_file_size}-byte cap"
        )
    return b"".join(chunks), None


def parse_problems(card: AssetCard, translation: bool) -> Iterator[Problem]:
    for issue in card.issues:
        if translation and issue.kind == "not-mapping":
            continue  # translated headers use full-width colons and are not YAML
        yield _ISSUE_RULES[issue.kind].problem(card.path, issue.line, issue.column, issue.message)
    if translation:
        return
    for yaml_issue in card.yaml_issues:
        rule = _ISSUE_RULES[yaml_issue.kind]
        yield rule.problem(card.path, yaml_issue.line, yaml_issue.column, yaml_issue.message)


def check_card(card: AssetCard, options: CardOptions) -> Iterator[Problem]:
    """Every per-file check of one parsed card."""
    translation = english_name(card.path.rsplit("/", 1)[-1], options.card.translation_suffix)
    place = place_of(card.path, options)
    yield from parse_problems(card, translation is not None)
    if translation is None:
        yield from check_header(card, options)
        yield from check_assets(card, options)
        yield from check_folders(card, place, options)
        yield from check_body(card, options)
    yield from check_file_name(card, place, options)
    yield from check_usage_id(card, place, options)


class CardFamily:
    name = "mindspore-hub"
    rules = (*P.RULES, *R.RULES)

    def load_options(self, data: Mapping[str, Any]) -> Any:
        from mdvalidator.families.mindspore.schema import load_card_options

        return load_card_options(data)

    def check_file(self, target: Target, ruleset: RuleSet, limits: Limits) -> FileResult:
        data, problem = read_limited(target, limits)
        if data is None:
            return FileResult(problems=(problem,) if problem else ())
        options: CardOptions = ruleset.options
        card = parse_card(target.display, data, options.card.dash_means_no)
        try:
            problems = tuple(check_card(card, options))
            refs = tuple(asset_refs(card, options))
        except Exception as exc:  # a bug of ours must not hide the other files' results
            message = f"checking stopped: {type(exc).__name__}: {show(str(exc))}"
            return FileResult(
                problems=(run_rules.INTERNAL_ERROR.problem(target.display, 0, 0, message),)
            )
        return FileResult(
            problems=problems,
            assets=refs,
            disables=parse_directives(card.text.split("\n")),
        )

    def asset_keys(self, data: bytes, path: str, ruleset: RuleSet) -> set[tuple[str, str]]:
        """(url, sha256) of the assets a version of this card declares (for --changed-since)."""
        options: CardOptions = ruleset.options
        card = parse_card(path, data, options.card.dash_means_no)
        return {(ref.url, ref.expected) for ref in asset_refs(card, options)}

    def affected_by_deletion(self, path: Path, ruleset: RuleSet) -> list[Path]:
        """Files whose checks depend on the deleted ``path``: an English card's translation
        (for --changed-since, which would not look at the unchanged translation otherwise)."""
        suffix = ruleset.options.card.translation_suffix
        if not suffix or not path.name.endswith(".md") or english_name(path.name, suffix):
            return []
        return [path.with_name(path.name[: -len(".md")] + suffix)]

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], ruleset: RuleSet
    ) -> list[Problem]:
        options: CardOptions = ruleset.options
        problems: list[Problem] = []
        by_folder: dict[Path, list[Target]] = {}
        for target, _ in items:
            by_folder.setdefault(target.path.parent, []).append(target)
        for folder, targets in by_folder.items():
            try:
                names = os.listdir(folder)
            except OSError:
                names = [t.path.name for t in targets]
            collisions = case_collisions(names)
            present = set(names)
            for target in targets:
                group = collisions.get(target.path.name.casefold())
                if group:
                    others = ", ".join(show(n) for n in group if n != target.path.name)
                    problems.append(
                        R.CASE_COLLISION.problem(
                            target.display, 0, 0, f"name differs only by case from {others}"
                        )
                    )
                english = english_name(target.path.name, options.card.translation_suffix)
                if english is not None and english not in present:
                    problems.append(
                        R.TRANSLATION_ORPHAN.problem(
                            target.display,
                            0,
                            0,
                            f"translation of {show(english)}, which does not exist",
                        )
                    )
        return problems


FAMILY = CardFamily()
