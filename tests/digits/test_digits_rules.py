"""The MDV3xx registry and the rule set as data: every rule documented, the TOML validated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mdvalidator.families.digits.family import FAMILY as DIGITS
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.ruledef import FAMILY
from mdvalidator.registry import all_rules
from mdvalidator.ruleset import RuleSetError, parse_ruleset

RULES = DIGITS.rules
HEADER = '[ruleset]\nname = "hub"\nfamily = "digits-model-store"\nextends = "digits-model-store"\n'
SOURCES = Path(__file__).resolve().parents[2] / "mdvalidator" / "families" / "digits"


def test_codes_names_and_docs() -> None:
    codes = [rule.code for rule in RULES]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"MDV3\d\d", c) for c in codes)
    assert len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.family == FAMILY and rule in all_rules()
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert rule.summary and "\n" not in rule.summary and not rule.summary.endswith(".")
        assert "Failing:" in rule.doc and "Passing:" in rule.doc, rule.code


def test_every_rule_is_raised_somewhere_in_the_code() -> None:
    """Each rule is defined beside its check (yamllint-style): raised in its own module, or
    in another that imports it."""
    files = [*SOURCES.glob("*.py"), SOURCES.parents[1] / "commands" / "store.py"]
    texts = {p: p.read_text() for p in files}
    defined = {
        name: path
        for path, text in texts.items()
        for name in re.findall(r"^(\w+) = rule\(", text, re.MULTILINE)
    }
    assert len(defined) == len(RULES)
    # what is left once each module's definitions and its RULES tuple are taken out
    used = "\n".join(
        re.sub(r"^\w+ = rule\(.*?^\)$|^RULES = \(.*?\)$", "", text, flags=re.M | re.S)
        for text in texts.values()
    )
    assert [name for name in defined if not re.search(rf"\b{name}\b", used)] == []


def test_a_hub_extends_the_builtin_set_and_overrides_data() -> None:
    text = (
        HEADER + 'files = ["info.json"]\n[info.fields.framework]\nallowed = ["caffe", "pytorch"]\n'
    )
    text += "[archive]\nmax-members = 20\n"
    ruleset = parse_ruleset("hub.toml", text)
    options: DigitsOptions = ruleset.options
    assert options.info.section.allowed["framework"] == ("caffe", "pytorch")
    assert options.info.section.allowed["image resize mode"] == (
        "squash",
        "crop",
        "fill",
        "half_crop",
    )
    assert options.archive.max_members == 20 and options.master.required == ("msg", "children")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[info]\nrequierd = ['name']\n",
            "hub.toml: invalid rule set: info.requierd: Unknown field.",
        ),
        (
            "[info.fields.name]\ntype = 'text'\n",
            "info.fields.name.type: Must be one of: any, string, string-or-null",
        ),
        (
            "[info.fields.id]\npattern = '(['\n",
            "info.fields.id.pattern: not a valid regular expression",
        ),
        ("[archive]\nmax-members = 0\n", "archive.max-members: Must be greater than or equal to 1"),
        ("[checksums]\nfile = '../SUMS'\n", "checksums.file: String does not match"),
        ("[surprise]\nx = 1\n", "surprise: Unknown field."),
    ],
)
def test_a_malformed_rule_set_names_file_and_key(table: str, message: str) -> None:
    with pytest.raises(RuleSetError) as error:
        parse_ruleset("hub.toml", HEADER + 'files = ["info.json"]\n' + table)
    assert message in str(error.value)
