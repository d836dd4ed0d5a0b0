"""MDV132: a card's file name follows ``<model>_<dataset>.md`` (``[card] file-name-pattern``)."""

from __future__ import annotations

from collections.abc import Iterator
from re import Pattern

from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject, show
from mdvalidator.problem import Problem, Severity
from mdvalidator.rule import Rule

W = Severity.WARNING
F = "mindspore-hub"

FILE_NAME = Key[Pattern[str] | None](
    "file-name-pattern",
    Kind.PATTERN,
    None,
    "The card file name: a full-match regular expression (translations: their English name).",
)

FILE_NAME_PATTERN = Rule(
    "MDV132",
    "file-name-pattern",
    "The card's file name does not follow <model>_<dataset>.md.",
    "The pattern is [card] file-name-pattern in the rule set.",
    severity=W,
    family=F,
)


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    pattern = options.card.get(FILE_NAME)
    name = subject.place.name
    if pattern is not None and not pattern.fullmatch(name):
        message = f"file name {show(name)} does not follow <model>_<dataset>.md"
        yield FILE_NAME_PATTERN.problem(subject.card.path, 0, 0, message)


CHECK = CardRules(rules=(FILE_NAME_PATTERN,), keys=(FILE_NAME,), check=check, translations=True)
