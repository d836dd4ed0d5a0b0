"""MDV133-MDV134: a card among the files of its folder: names that collide by case, and
translations without their English card. Checked over the cards of a run together, against the
names the source lists in each folder."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Sequence

from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.place import TRANSLATION_SUFFIX, english_name
from mdvalidator.families.mindspore.rulekit import CardRules, show
from mdvalidator.family import FileResult, Files, Target
from mdvalidator.problem import Problem
from mdvalidator.rule import Rule

F = "mindspore-hub"

CASE_COLLISION = Rule(
    "MDV133",
    "case-collision",
    "Two files in one folder have names that differ only by case.",
    "They collide on case-insensitive file systems (Windows, macOS): a checkout keeps one.",
    family=F,
)

TRANSLATION_ORPHAN = Rule(
    "MDV134",
    "translation-orphan",
    "A translated card (e.g. *_cn.md) has no English card beside it.",
    "A translation repeats a card in another language; the card itself must exist too.",
    family=F,
)


def case_collisions(names: Iterable[str]) -> dict[str, list[str]]:
    """Names grouped by their case-folded form, only groups with more than one name."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.casefold(), []).append(name)
    return {k: sorted(v) for k, v in groups.items() if len(v) > 1}


def together(
    items: Sequence[tuple[Target, FileResult]], files: Files, options: CardOptions
) -> Iterator[Problem]:
    suffix = options.card.get(TRANSLATION_SUFFIX)
    by_folder: dict[str, list[Target]] = {}
    for target, _ in items:
        by_folder.setdefault(posixpath.dirname(target.location), []).append(target)
    for folder, targets in by_folder.items():
        listing = files.listing(folder)
        names = listing.names if listing.error is None else {t.name for t in targets}
        collisions = case_collisions(names)
        for target in targets:
            group = collisions.get(target.name.casefold())
            if group:
                others = ", ".join(show(n) for n in group if n != target.name)
                message = f"name differs only by case from {others}"
                yield CASE_COLLISION.problem(target.display, 0, 0, message)
            english = english_name(target.name, suffix)
            if english is not None and english not in names:
                message = f"translation of {show(english)}, which does not exist"
                yield TRANSLATION_ORPHAN.problem(target.display, 0, 0, message)


CHECK = CardRules(rules=(CASE_COLLISION, TRANSLATION_ORPHAN), together=together)
