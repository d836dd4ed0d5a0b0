"""MDV141: headings are titles, not lead-ins: '## Usage', not '## Usage:'."""

from __future__ import annotations

from collections.abc import Iterator

from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject, show
from mdvalidator.problem import Problem, Severity
from mdvalidator.rule import Rule

W = Severity.WARNING
F = "mindspore-hub"

HEADING_COLON_ON = Key(
    "heading-colon", Kind.BOOL, True, "Headings in the body must not end with ':'."
)

HEADING_COLON = Rule(
    "MDV141",
    "heading-colon",
    "A heading ends with ':'.",
    "Headings are titles, not lead-ins: '## Usage' rather than '## Usage:'.",
    severity=W,
    family=F,
)


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    if not options.card.get(HEADING_COLON_ON):
        return
    card = subject.card
    for heading in card.headings:
        if heading.text.endswith((":", "：")):
            message = f"heading {show(heading.text)} ends with ':'"
            yield HEADING_COLON.problem(card.path, heading.line, 1, message)


CHECK = CardRules(rules=(HEADING_COLON,), keys=(HEADING_COLON_ON,), check=check)
