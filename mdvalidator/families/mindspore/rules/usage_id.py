"""MDV140: the Usage snippet's ``model = "..."`` names the card itself (``mshub.load`` takes it)."""

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

USAGE_ID = Key[Pattern[str] | None](
    "usage-id-pattern",
    Kind.ID_PATTERN,
    None,
    "Finds the model id in code blocks: a regular expression whose first group is the id.",
)

USAGE_ID_MISMATCH = Rule(
    "MDV140",
    "usage-id-mismatch",
    "The Usage snippet's model = \"...\" id does not match the card's own path.",
    "mshub.load(model) takes <publisher>/[<platform>/]<version>/<card name>; a snippet copied\n"
    "from another card loads the wrong model.",
    severity=W,
    family=F,
)


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    pattern, model_id = options.card.get(USAGE_ID), subject.place.model_id
    if pattern is None or model_id is None:
        return
    card = subject.card
    for block in card.code_blocks:
        for match in pattern.finditer(block.content):
            found = match.group(1)
            if found != model_id:
                line = block.line + block.content.count("\n", 0, match.start(1))
                message = f"Usage loads {show(found)} but this card is {show(model_id)}"
                yield USAGE_ID_MISMATCH.problem(card.path, line, 1, message)


CHECK = CardRules(rules=(USAGE_ID_MISMATCH,), keys=(USAGE_ID,), check=check, translations=True)
