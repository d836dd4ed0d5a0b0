"""The one registry of rules: every code, its kebab-case name, summary, doc and default severity.

The rules of the run itself and of asset verification, and those of every family in the family
table (:mod:`mdvalidator.families`), in code order. A test asserts that codes and names are
unique and that the README table, ``mdvalidator rules`` and the fixtures agree with this list.
"""

from __future__ import annotations

from functools import cache

from mdvalidator.rule import Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule of every family, in code order."""
    from mdvalidator import run_rules
    from mdvalidator.assets import rules as asset_rules
    from mdvalidator.families import all_families

    groups = (run_rules.RULES, asset_rules.RULES, *(family.rules for family in all_families()))
    return tuple(sorted((r for group in groups for r in group), key=lambda r: r.code))


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
