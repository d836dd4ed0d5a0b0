"""Choosing rules: --select/--ignore, per-file ignores, settings files, rule sets as data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import run_cli

from mdvalidator.decide import Decider, normalise_codes
from mdvalidator.ruleset import RuleSetError, parse_ruleset

BAD = {"license: Apache2.0": None, "evaluation: acc98.8": "evaluaton: acc98.8"}  # MDV101 + MDV106


@pytest.mark.parametrize(
    ("select", "ignore", "code", "selected"),
    [
        ((), (), "MDV101", True),
        (("MDV1",), (), "MDV101", True),
        (("MDV1",), (), "MDV201", False),
        (("MDV1",), ("MDV10",), "MDV101", False),
        (("MDV10",), ("MDV1",), "MDV101", True),  # longest prefix wins
        (("MDV101",), ("MDV101",), "MDV101", False),  # a tie: ignore wins
    ],
)
def test_select_ignore_longest_prefix(
    select: tuple[str, ...], ignore: tuple[str, ...], code: str, selected: bool
) -> None:
    assert Decider(select=select, ignore=ignore).selected(code) is selected


def test_rule_names_work_like_codes() -> None:
    assert normalise_codes(["unknown-key", "mdv1"]) == ("MDV106", "MDV1")
    with pytest.raises(ValueError, match="neither a rule code"):
        normalise_codes(["no-such-rule"])


def test_cli_select_ignore_and_strict(make_card: Callable[..., Path]) -> None:
    card = make_card(replace=BAD)
    assert run_cli(["--offline", "--ignore", "MDV101", str(card)]).returncode == 0
    assert run_cli(["--offline", "--ignore", "MDV101", "--strict", str(card)]).returncode == 1
    result = run_cli(["--offline", "--select", "unknown-key", "--format", "json", str(card)])
    assert '"MDV101"' not in result.stdout and '"MDV106"' in result.stdout


def test_setup_cfg_settings_and_per_file_ignores(
    make_card: Callable[..., Path], tmp_path: Path
) -> None:
    card = make_card(replace=BAD)
    (tmp_path / "setup.cfg").write_text(
        "[mdvalidator]\nstrict = true\nper-file-ignores =\n    assets/*: MDV101\n", "utf-8"
    )
    result = run_cli(["--offline", "assets"], cwd=tmp_path)
    assert result.returncode == 1 and "MDV106" in result.stdout and "MDV101" not in result.stdout
    assert card.exists()


def test_pyproject_settings(make_card: Callable[..., Path], tmp_path: Path) -> None:
    make_card(replace=BAD)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mdvalidator]\nignore = ["MDV101", "MDV106"]\noffline = true\n', "utf-8"
    )
    result = run_cli(["assets"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("All Passed")


def test_unknown_setting_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[mdvalidator]\nselekt = MDV1\n", "utf-8")
    result = run_cli(["--offline", "."], cwd=tmp_path)
    assert result.returncode == 2
    assert "setup.cfg: unknown setting 'selekt'" in result.stderr
    assert "Traceback" not in result.stderr


def test_inline_suppression_through_cli(make_card: Callable[..., Path]) -> None:
    card = make_card(
        replace={
            "evaluation: acc98.8": "evaluaton: acc98.8  # mdvalidator: disable-line=MDV106",
            "## Usage": "<!-- mdvalidator: disable-next-line=heading-colon -->\n## Usage:",
        }
    )
    result = run_cli(["--offline", str(card)])
    assert result.returncode == 0, result.stdout
    assert "All Passed" in result.stdout


RULESET_ERRORS = [
    ("[ruleset]\nname='x'\n", "hub.toml: invalid rule set: ruleset.family: Missing data"),
    ("not toml [", "hub.toml: not valid TOML"),
    (
        "[ruleset]\nname='x'\nfamily='mindspore-hub'\nfiles=['*.md']\n[fields.a]\ntype='float'\n",
        "hub.toml: invalid rule set: fields.a.type: Must be one of",
    ),
    (
        "[ruleset]\nname='x'\nfamily='mindspore-hub'\nfiles=['*.md']\n[fields.a]\nrequird=true\n",
        "fields.a.requird: Unknown field",
    ),
    (
        "[ruleset]\nname='x'\nfamily='mindspore-hub'\nfiles=['*.md']\n[fields]\n[severity]\nMDV999='error'\n",
        "hub.toml: severity.MDV999: no rule has this code or name",
    ),
    (
        "[ruleset]\nname='x'\nfamily='mindspore-hub'\nfiles=['*.md']\n[fields]\n[severity]\nMDV106='loud'\n",
        "hub.toml: severity.MDV106: level must be one of",
    ),
    ("[ruleset]\nextends='nope'\n", "hub.toml: ruleset.extends: unknown rule set 'nope'"),
    (
        "[ruleset]\nextends='mindspore-hub'\nname='x'\n[card]\nusage-id-pattern='model'\n",
        "card.usage-id-pattern: needs one capturing group",
    ),
]


@pytest.mark.parametrize(("text", "message"), RULESET_ERRORS)
def test_malformed_rule_set_names_file_and_key(text: str, message: str) -> None:
    with pytest.raises(RuleSetError) as caught:
        parse_ruleset("hub.toml", text)
    assert message in str(caught.value)


def test_hub_rule_set_extends_builtin(make_card: Callable[..., Path], tmp_path: Path) -> None:
    card = make_card(replace={"    file-format: ckpt": "    file-format: safetensors"})
    assert run_cli(["--offline", str(card)]).returncode == 1
    rules = tmp_path / "hub.toml"
    rules.write_text(
        "[ruleset]\nextends = 'mindspore-hub'\nname = 'my-hub'\n"
        "[asset-fields.file-format]\nrequired = true\ncase-sensitive = false\n"
        "allowed = ['ckpt', 'safetensors']\n[formats]\nsafetensors = ['.ckpt']\n"
        "[severity]\nunknown-dataset = 'off'\n",
        "utf-8",
    )
    result = run_cli(["--offline", "--rules", str(rules), str(card)])
    assert result.returncode == 0, result.stdout


def test_bad_rules_file_on_cli_is_usage_error(tmp_path: Path) -> None:
    rules = tmp_path / "hub.toml"
    rules.write_text("[ruleset]\nname = 1\n", "utf-8")
    result = run_cli(["--offline", "--rules", str(rules), "."], cwd=tmp_path)
    assert result.returncode == 2
    assert "hub.toml: invalid rule set: ruleset." in result.stderr
    assert "Traceback" not in result.stderr
