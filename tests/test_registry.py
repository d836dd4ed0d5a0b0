"""The one registry of rules agrees with itself, the README and `mdvalidator rules`."""

from __future__ import annotations

import re

from helpers import ROOT, run_cli

from mdvalidator.registry import all_rules
from mdvalidator.rule import CODE_PATTERN, NAME_PATTERN


def test_codes_and_names_unique_and_well_formed() -> None:
    rules = all_rules()
    codes = [r.code for r in rules]
    names = [r.name for r in rules]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    for rule in rules:
        assert CODE_PATTERN.match(rule.code), rule
        assert NAME_PATTERN.match(rule.name), rule
        assert rule.summary.strip() and rule.doc.strip(), rule


def test_readme_table_lists_every_rule() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    table = dict(re.findall(r"^\| (MDV\d{3}) \| `([a-z0-9-]+)` \|", readme, re.MULTILINE))
    assert table == {r.code: r.name for r in all_rules()}


def test_rules_command_lists_every_rule() -> None:
    listed = re.findall(r"^(MDV\d{3}) ", run_cli(["rules"]).stdout, re.MULTILINE)
    assert listed == [r.code for r in all_rules()]
