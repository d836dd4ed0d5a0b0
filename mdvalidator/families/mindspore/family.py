"""The MindSpore Hub card family: read, parse and check cards; checks across the cards of a run.

The checks are the rule modules of ``rules/`` (each its rules, its ``[card]`` keys and its
check); this module runs them over one parsed card, and the cross-card ones over a run's cards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mdvalidator.families import builtin_text
from mdvalidator.families.mindspore.card import parse_card
from mdvalidator.families.mindspore.keys import Key
from mdvalidator.families.mindspore.options import CardOptions, build_options
from mdvalidator.families.mindspore.place import KEYS as PLACE_KEYS
from mdvalidator.families.mindspore.place import TRANSLATION_SUFFIX, english_name, place_of
from mdvalidator.families.mindspore.rulekit import Subject
from mdvalidator.families.mindspore.rules import CHECKS
from mdvalidator.families.mindspore.rules.assets import asset_refs
from mdvalidator.families.mindspore.rules.parsing import DASH_MEANS_NO
from mdvalidator.family import FileResult, Files, Limits, OnlineContext, Target
from mdvalidator.problem import AssetResult, Problem
from mdvalidator.reading import ReadError, ReadFailure
from mdvalidator.rule import Rule
from mdvalidator.run_rules import FILE_TOO_LARGE, UNREADABLE_FILE
from mdvalidator.suppress import parse_directives

KEYS: tuple[Key[object], ...] = (*PLACE_KEYS, *(key for check in CHECKS for key in check.keys))


class CardFamily:
    name = "mindspore-hub"
    rules: tuple[Rule, ...] = tuple(rule for check in CHECKS for rule in check.rules)

    def ruleset_text(self) -> str | None:
        return builtin_text(self.name)

    def validate_options(self, data: Mapping[str, object]) -> None:
        from mdvalidator.families.mindspore.schema import validate_options

        validate_options(data, KEYS)

    def build_options(self, data: Mapping[str, object]) -> CardOptions:
        return build_options(data, KEYS)

    def check_file(
        self, target: Target, files: Files, options: CardOptions, limits: Limits
    ) -> FileResult:
        try:
            data = files.read(target.location, limits.max_file_size)
        except ReadError as error:
            rule = FILE_TOO_LARGE if error.kind is ReadFailure.TOO_LARGE else UNREADABLE_FILE
            return FileResult(problems=(rule.problem(target.display, 0, 0, error.message),))
        subject = _subject(target, data, options)
        card, translation = subject.card, subject.translation
        problems = [
            problem
            for check in CHECKS
            if check.check is not None and (check.translations or not translation)
            for problem in check.check(subject, options)
        ]
        return FileResult(
            problems=tuple(problems),
            assets=tuple(asset_refs(card, options)),
            disables=parse_directives(card.text.split("\n")),
        )

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], files: Files, options: CardOptions
    ) -> list[Problem]:
        return [
            problem
            for check in CHECKS
            if check.together is not None
            for problem in check.together(items, files, options)
        ]

    def check_online(
        self,
        items: Sequence[tuple[Target, FileResult]],
        files: Files,
        online: OnlineContext,
        options: CardOptions,
    ) -> list[Problem]:
        """The modules' online checks, over the cards read and parsed again (a card that can
        no longer be read is left out: its per-file check reported it)."""
        modules = [check for check in CHECKS if check.online is not None]
        subjects: list[Subject] = []
        for target, _ in items if modules else ():
            try:
                data = files.read(target.location, online.limits.max_file_size)
            except ReadError:
                continue
            subjects.append(_subject(target, data, options))
        problems: list[Problem] = []
        for check in modules:
            assert check.online is not None
            chosen = [s for s in subjects if check.translations or not s.translation]
            if chosen:
                problems.extend(check.online(chosen, online, options))
        return problems

    def affected_by_deletion(self, location: str, options: CardOptions) -> tuple[str, ...]:
        """An English card's translation: its check (MDV134) depends on the deleted card."""
        suffix = options.card.get(TRANSLATION_SUFFIX)
        if not suffix or not location.endswith(".md") or english_name(location, suffix):
            return ()
        return (location[: -len(".md")] + suffix,)

    def asset_keys(
        self, data: bytes, location: str, options: CardOptions
    ) -> frozenset[tuple[str, str]]:
        card = parse_card(location, data, options.card.get(DASH_MEANS_NO))
        return frozenset((ref.url, ref.expected) for ref in asset_refs(card, options))

    def asset_problems(self, results: Sequence[AssetResult]) -> list[Problem]:
        from mdvalidator.assets.moves import asset_problems

        return asset_problems(results)


def _subject(target: Target, data: bytes, options: CardOptions) -> Subject:
    card = parse_card(target.display, data, options.card.get(DASH_MEANS_NO))
    suffix = options.card.get(TRANSLATION_SUFFIX)
    translation = english_name(card.path.rsplit("/", 1)[-1], suffix) is not None
    return Subject(card, place_of(card.path, options.card), translation)


FAMILY = CardFamily()
