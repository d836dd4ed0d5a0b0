"""Files that are not cards are not checked as cards, and a rule set that extends a built-in one
keeps its exclusions and takes its place; a field table that sets ``type`` replaces the field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import GOOD_CARD, run_cli

from mdvalidator.ruleset import (
    RuleSetError,
    builtin_ruleset,
    load_rulesets,
    parse_ruleset,
)

NOT_CARDS = [
    "mshub_res/README.md",
    "mshub_res/README_cn.md",
    "mshub_res/RELEASE.md",
    "mshub_res/RELEASE_CN.md",
    "CONTRIBUTING.md",
    "CHANGELOG.md",
    "mshub_res/examples/commit_example.md",
    "mshub_res/examples/commit_example_cn.md",
]
CARD = "mshub_res/assets/mindspore/1.10/lenet_mnist.md"
LEGACY = "mshub_res/assets/legacy/1.10/lenet_mnist.md"


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    """A replica of the real hub's layout: cards, documents and the template folder."""
    for name in [CARD, LEGACY]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(GOOD_CARD, tmp_path / name)
    for name in NOT_CARDS:  # none of them is a card: each would fail every header rule
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# Not a card\n\nmodel-name: [] <required>\n", "utf-8")
    return tmp_path


MY_HUB = "[ruleset]\nextends = 'mindspore-hub'\nname = 'my-hub'\nexclude = ['assets/legacy/*']\n"


def _checked(result_stdout: str) -> tuple[int, set[str]]:
    report = json.loads(result_stdout)
    return report["checked"], {p["path"] for p in report["problems"]}


def test_documents_and_templates_are_not_checked(hub: Path) -> None:
    result = run_cli(["--offline", "--format", "json", "."], cwd=hub)
    assert result.returncode == 0, result.stdout
    checked, with_problems = _checked(result.stdout)
    assert checked == 2  # the card and the legacy card
    assert with_problems == {LEGACY}  # its Usage id names mindspore/: a warning


def test_documents_named_on_the_command_line_are_skipped_too(hub: Path) -> None:
    result = run_cli(["--offline", "--format", "json", *NOT_CARDS, CARD], cwd=hub)
    assert result.returncode == 0, result.stdout
    assert _checked(result.stdout) == (1, set())


def test_hub_rule_set_extends_the_exclusions_and_replaces_the_builtin(hub: Path) -> None:
    # The README's own example set is 'my-hub': the built-in 'mindspore-hub' must not check
    # what 'my-hub' leaves out (legacy/), and 'my-hub' keeps the built-in exclusions.
    (hub / "hub-rules.toml").write_text(MY_HUB, "utf-8")
    result = run_cli(["--offline", "--format", "json", "--rules", "hub-rules.toml", "."], cwd=hub)
    assert result.returncode == 0, result.stdout
    assert _checked(result.stdout) == (1, set())
    names = [r.name for r in load_rulesets((hub / "hub-rules.toml",))]
    assert names == ["my-hub", "digits-model-store"]


def test_exclude_adds_to_the_parent_list() -> None:
    ruleset = parse_ruleset("hub.toml", MY_HUB)
    builtin = builtin_ruleset("mindspore-hub").exclude
    assert ruleset.exclude == (*builtin, "assets/legacy/*")
    assert ruleset.extends == "mindspore-hub"
    assert not ruleset.applies_to("mshub_res/README.md")
    assert not ruleset.applies_to("mshub_res/examples/commit_example.md")
    assert ruleset.applies_to(CARD)


def _fields(text: str) -> dict[str, object]:
    options = parse_ruleset("hub.toml", MY_HUB + text).options
    return options.fields  # type: ignore[no-any-return]


def test_setting_type_replaces_the_inherited_field() -> None:
    fields = _fields("[fields.module-type]\ntype = 'string'\n")
    spec = fields["module-type"]
    # Nothing of the old field is left: no allowed list, no prefix rule, no pattern.
    assert (spec.type, spec.allowed, spec.part, spec.pattern, spec.required) == (  # type: ignore[attr-defined]
        "string",
        (),
        "whole",
        None,
        False,
    )
    shape = _fields("[fields.input-shape]\ntype = 'int-list'\nrequired = true\n")["input-shape"]
    assert (shape.type, shape.required) == ("int-list", True)  # type: ignore[attr-defined]


def test_a_field_table_without_type_merges_key_by_key() -> None:
    spec = _fields("[fields.module-type]\nrequired = false\n")["module-type"]
    assert spec.required is False  # type: ignore[attr-defined]
    assert spec.part == "prefix" and "cv" in spec.allowed  # type: ignore[attr-defined]


def test_replaced_type_takes_effect_on_cards(hub: Path) -> None:
    card = hub / CARD
    text = card.read_text("utf-8").replace(
        "evaluation: acc98.8", "evaluation: acc98.8\n\ninput-shape: [[1, 2], [3, 4]]"
    )
    card.write_text(text, "utf-8")
    assert run_cli(["--offline", str(card)]).returncode == 0
    rules = hub / "hub-rules.toml"
    rules.write_text(MY_HUB + "[fields.input-shape]\ntype = 'int-list'\n", "utf-8")
    result = run_cli(["--offline", "--format", "json", "--rules", str(rules), str(card)])
    problems = json.loads(result.stdout)["problems"]
    assert [(p["rule"], p["line"]) for p in problems] == [("MDV103", 19)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fields]\nmodule-type = 1\n", "fields.module-type"),
        ("[fields.x]\ntype = 'shapes'\n", "fields.x.type: Must be one of"),
        ("[fields.x]\npattern-severity = 'loud'\n", "fields.x.pattern-severity"),
        ("[card]\ndash-means-no = 'evaluation'\n", "card.dash-means-no"),
    ],
)
def test_malformed_field_tables_name_their_key(text: str, message: str) -> None:
    with pytest.raises(RuleSetError) as caught:
        parse_ruleset("hub.toml", MY_HUB + text)
    assert message in str(caught.value)
