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

# Integrity rules: what a descriptor promises about its bytes and its one meaning. Nothing
# written inside a pull request (an inline directive, a settings file or rule set found in the
# checked tree) can silence or downgrade them; only the command line, an explicit --config or
# the base branch's settings can. The one list: a later rule joins by adding its code here.
INTEGRITY_CODES = frozenset(
    {
        "MDV001",  # invalid-encoding: the text read is not the text stored
        "MDV004",  # invalid-yaml: an entry not read may be the asset list (nothing verified)
        "MDV005",  # duplicate-key: loaders disagree about which value counts
        "MDV010",  # unsupported-yaml: anchors, aliases, tags make the header mean something else
        "MDV013",  # too-complex: the rest of the card was not read (its assets not verified)
        "MDV014",  # nul-character: the text shown is not the text stored
        "MDV301",  # json-syntax (DIGITS)
        "MDV302",  # json-duplicate-key (DIGITS)
        "MDV303",  # json-non-finite-number (DIGITS)
        "MDV326",  # checksum-mismatch (DIGITS SHA256SUMS): a file's bytes are not the ones listed
        # The notes that say such an attempt was made must not be silenced by the attempt.
        "MDV016",  # suppression-refused
        "MDV019",  # untrusted-setting
    }
)
INTEGRITY_PREFIXES = ("MDV2",)  # every asset verification verdict


def is_integrity(code: str) -> bool:
    """Whether a rule code is an integrity rule (see ``INTEGRITY_CODES``)."""
    return code in INTEGRITY_CODES or code.startswith(INTEGRITY_PREFIXES)


@dataclass(frozen=True)
class Rule:
    """A check's identity. ``doc`` is the long explanation shown by ``mdvalidator rules CODE``."""

    code: str
    name: str
    summary: str
    doc: str
    severity: Severity = Severity.ERROR
    family: str = "general"

    @property
    def integrity(self) -> bool:
        """An integrity rule: nothing inside a pull request can silence it."""
        return is_integrity(self.code)

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
    from mdvalidator import run_rules
    from mdvalidator.assets import rules as asset_rules
    from mdvalidator.checks import card_rules, parse_rules
    from mdvalidator.digits import rules as digits_rules

    families = (
        parse_rules.RULES,
        run_rules.RULES,
        card_rules.RULES,
        asset_rules.RULES,
        digits_rules.RULES,
    )
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


def did_you_mean(key: str) -> str:
    """`` (did you mean MDV106 unknown-key?)`` for the closest code or name, else ``""``."""
    import difflib

    key = key.strip()
    found: Rule | None = None
    if key.upper().startswith("MDV"):
        found = _close_code(key.upper())
    else:
        by_name = {r.name: r for r in all_rules()}
        names = difflib.get_close_matches(key.lower(), list(by_name), n=1, cutoff=0.6)
        found = by_name[names[0]] if names else None
    return f" (did you mean {found.code} {found.name}?)" if found else ""


def _close_code(key: str) -> Rule | None:
    """The code one character away (after reading O as 0 and I, L as 1), if there is one."""
    key = "MDV" + key[3:].translate(str.maketrans("OIL", "011"))
    codes = rules_by_code()
    if key in codes:
        return codes[key]
    distance = {
        c: sum(a != b for a, b in zip(c, key, strict=True)) for c in codes if len(c) == len(key)
    }
    best = min(distance, key=lambda c: (distance[c], c), default=None)
    return codes[best] if best is not None and distance[best] <= 1 else None


def matching_codes(item: str) -> tuple[str, ...]:
    """The codes a code, a code prefix (``MDV2``) or a rule name stands for; () for none."""
    item = item.strip()
    if not item:
        return ()
    found = find_rule(item)
    if found is not None:
        return (found.code,)
    prefix = item.upper()
    if not prefix.startswith("MDV"):
        return ()
    return tuple(code for code in rules_by_code() if code.startswith(prefix))
