"""MDV150-MDV152: will ``mindspore_hub.load`` work? The repo-link and the weights, read offline
the way the hub's loader reads them (``docs/loadability.md``).

The checks are :mod:`mdvalidator.loadability`'s; their identities are its table
(:mod:`mdvalidator.loadability.codes`), made into rules here, so the table stays one place.
Translations (``*_cn.md``) are not checked: the loader never reads them.
"""

from __future__ import annotations

from collections.abc import Iterator

from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject
from mdvalidator.loadability import codes as C
from mdvalidator.loadability.card_values import from_card
from mdvalidator.loadability.findings import Finding, card_findings
from mdvalidator.problem import Problem
from mdvalidator.rule import Rule

F = "mindspore-hub"


def loader_rule(check: C.LoaderCheck) -> Rule:
    """The rule of one loadability check (its code, name, summary, doc and severity)."""
    return Rule(check.code, check.name, check.summary, check.doc, severity=check.severity, family=F)


REPO_LINK_SHAPE = loader_rule(C.REPO_LINK_SHAPE)
WEIGHTS_CHOICE = loader_rule(C.WEIGHTS_CHOICE)
WEIGHTS_SUFFIX = loader_rule(C.WEIGHTS_SUFFIX)
OFFLINE = {rule.code: rule for rule in (REPO_LINK_SHAPE, WEIGHTS_CHOICE, WEIGHTS_SUFFIX)}


def problem_of(rules: dict[str, Rule], path: str, finding: Finding) -> Problem:
    return rules[finding.code].problem(path, finding.line, 1, finding.message)


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    card = subject.card
    for finding in card_findings(from_card(card, load_call=False)):
        yield problem_of(OFFLINE, card.path, finding)


CHECK = CardRules(rules=tuple(OFFLINE.values()), check=check)
