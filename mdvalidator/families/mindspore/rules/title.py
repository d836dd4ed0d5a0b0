"""MDV108: a card starts with a '# title' line above its header (the hub shows it as the name)."""

from __future__ import annotations

from collections.abc import Iterator

from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject
from mdvalidator.problem import Problem, Severity
from mdvalidator.rule import Rule

W = Severity.WARNING
F = "mindspore-hub"

TITLE = Key("title", Kind.BOOL, True, "A card starts with '# title' above its header.")

MISSING_TITLE = Rule(
    "MDV108",
    "missing-title",
    "The card does not start with a '# title' line above its header.",
    "The hub shows the title as the card's name.",
    severity=W,
    family=F,
)


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    card = subject.card
    if options.card.get(TITLE) and card.title is None:
        yield MISSING_TITLE.problem(
            card.path, 1, 1, "the card has no '# title' line before its header"
        )


CHECK = CardRules(rules=(MISSING_TITLE,), keys=(TITLE,), check=check)
