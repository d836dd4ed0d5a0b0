"""The one registry of rules: every code, its kebab-case name, summary, doc and default severity.

Each rule family declares its rules in its own module as a tuple of :class:`Rule`; this module
joins them in a fixed order. A test asserts that codes and names are unique and that the README
table, ``mdvalidator rules`` and the fixtures agree with this list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mdvalidator.problem import Problem, Severity

CODE_PATTERN = re.compile(r"^MDV\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Rule:
    """A check's identity. ``doc`` is the long explanation shown by ``mdvalidator rules CODE``."""

    code: str
    name: str
    summary: str
    doc: str
    severity: Severity = Severity.ERROR
    family: str = "general"

    def problem(
        self,
        path: str,
        line: int,
        column: int,
        message: str,
        severity: Severity | None = None,
    ) -> Problem:
        """A problem of this rule at a place (default severity unless one is given)."""
        return Problem(
            path=path,
            line=line,
            column=column,
            rule=self.code,
            name=self.name,
            severity=self.severity if severity is None else severity,
            message=message,
        )


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule of every family, in code order."""
    from mdvalidator.assets import rules as asset_rules
    from mdvalidator.checks import card_rules, parse_rules
    from mdvalidator.digits import rules as digits_rules

    families = (parse_rules.RULES, card_rules.RULES, asset_rules.RULES, digits_rules.RULES)
    return tuple(sorted((r for family in families for r in family), key=lambda r: r.code))


@cache
def rules_by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


def rule(code: str) -> Rule:
    """The rule with this code; ``KeyError`` if there is none."""
    return rules_by_code()[code]


def find_rule(key: str) -> Rule | None:
    """Look a rule up by code (any case) or by name."""
    key = key.strip()
    by_code = rules_by_code().get(key.upper())
    if by_code is not None:
        return by_code
    return next((r for r in all_rules() if r.name == key.lower()), None)
