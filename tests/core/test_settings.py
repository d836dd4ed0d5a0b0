"""Choosing rules: --select/--ignore, per-file ignores, settings files, rule sets as data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import GOOD_CARD, ROOT, run_cli

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
    with pytest.raises(ValueError, match="matches no rule code or name"):
        normalise_codes(["no-such-rule"])


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("MDV99", "'MDV99' matches no rule code"),
        ("MDV1O6", "'MDV1O6' matches no rule code (did you mean MDV106 unknown-key?)"),
        ("unknwn-key", "(did you mean MDV106 unknown-key?)"),
        ("E501", "'E501' matches no rule code or name"),
    ],
)
def test_codes_that_match_no_rule_are_usage_errors(codes: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        normalise_codes([codes])
    assert message in str(caught.value)
    for flag in ("--select", "--ignore"):
        result = run_cli(["--offline", flag, f"MDV1,{codes}", str(GOOD_CARD)])
        assert result.returncode == 2, result.stdout
        assert f"mdvalidator: {flag}: " in result.stderr and message in result.stderr
        assert result.stdout == ""


def test_codes_in_a_settings_file_that_match_no_rule(tmp_path: Path) -> None:
    for text, where in (
        ("ignore = MDV1,MDV77\n", "setup.cfg: ignore: 'MDV77' matches no rule"),
        ("per-file-ignores =\n    a/*: MDV1O7\n", "setup.cfg: per-file-ignores: 'MDV1O7'"),
    ):
        (tmp_path / "setup.cfg").write_text("[mdvalidator]\n" + text, "utf-8")
        result = run_cli(["--offline", "."], cwd=tmp_path)
        assert result.returncode == 2 and where in result.stderr, result.stderr


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


def test_every_documented_setting_is_known_and_has_a_flag() -> None:
    """One table: the keys a file may hold, the flags and the README agree."""
    from mdvalidator.commands.check import configure
    from mdvalidator.config import KNOWN_KEYS
    from mdvalidator.settings import SETTINGS, markdown_table

    parser = __import__("argparse").ArgumentParser()
    configure(parser)
    flags = {o for action in parser._actions for o in action.option_strings}
    for setting in SETTINGS:
        assert (setting.key in KNOWN_KEYS) is setting.in_file
        assert setting.flag is None or setting.flag in flags, setting.key
    assert {"allow-networks", "ca-file", "inline-directives"} <= KNOWN_KEYS
    assert {"--allow-networks", "--ca-file", "--no-inline-directives"} <= flags
    readme = (ROOT / "README.md").read_text("utf-8")
    assert markdown_table() in readme, "regenerate: python -m mdvalidator.settings"


def test_allow_networks_and_ca_file_are_accepted(tmp_path: Path) -> None:
    """Documented, and refused as unknown before: now read from an explicit --config."""
    import argparse

    from mdvalidator.assets.options import from_args
    from mdvalidator.config import read_config_file

    config = tmp_path / "hub.cfg"
    config.write_text(
        "[mdvalidator]\nallow-networks = 10.1.2.0/24\nca-file = certs/ca.pem\n", "utf-8"
    )
    values = read_config_file(config).values
    options = from_args(argparse.Namespace(), values)
    assert options.allow_networks == ("10.1.2.0/24",)
    assert options.ca_file == Path("certs/ca.pem")
    result = run_cli(["--offline", "--config", str(config), str(GOOD_CARD)])
    assert result.returncode == 0, result.stderr


def test_inline_directives_can_be_turned_off(
    make_card: Callable[..., Path], tmp_path: Path
) -> None:
    card = make_card(
        replace={"evaluation: acc98.8": "evaluaton: acc98.8  # mdvalidator: disable-line=MDV106"}
    )
    assert run_cli(["--offline", "--strict", str(card)]).returncode == 0
    off = run_cli(["--offline", "--strict", "--no-inline-directives", str(card)])
    assert off.returncode == 1 and "MDV106" in off.stdout
    (tmp_path / "setup.cfg").write_text("[mdvalidator]\ninline-directives = false\n", "utf-8")
    from_file = run_cli(["--offline", "--strict", "assets"], cwd=tmp_path)
    assert from_file.returncode == 1 and "MDV106" in from_file.stdout


def test_relative_cache_dir(tmp_path: Path) -> None:
    """Relative to the --config file's folder; refused when it lands in the checked tree."""
    hub = tmp_path / "hub"
    (hub / "assets").mkdir(parents=True)
    elsewhere = tmp_path / "ci"
    elsewhere.mkdir()
    (elsewhere / "hub.cfg").write_text("[mdvalidator]\ncache-dir = cache\n", "utf-8")
    (hub / "inside.cfg").write_text("[mdvalidator]\ncache-dir = .cache\n", "utf-8")
    card = hub / "assets" / "x.md"
    card.write_text("# x\n", "utf-8")
    ok = run_cli(["--config", str(elsewhere / "hub.cfg"), "--format", "json", "assets"], cwd=hub)
    assert ok.returncode == 1 and "cache-dir" not in ok.stderr, ok.stderr
    for args in (["--config", "inside.cfg"], ["--cache-dir", ".cache"], ["--cache-dir", "a/c"]):
        refused = run_cli([*args, "."], cwd=hub)
        assert refused.returncode == 2, refused.stdout
        assert "inside the checked path" in refused.stderr
        assert not (hub / ".cache").exists()


def test_found_files_never_set_network_keys(tmp_path: Path) -> None:
    from mdvalidator.config import find_config, read_config_file

    text = (
        "[mdvalidator]\nstrict = true\nallow-private-network = true\nmirror = https://a/=/etc\n"
        "cache-dir = .c\nca-file = x.pem\nallow-networks = 10.0.0.0/8\n"
    )
    (tmp_path / "setup.cfg").write_text(text, "utf-8")
    (tmp_path / ".git").mkdir()
    found = find_config(tmp_path)
    assert dict(found.values) == {"strict": "true"} and not found.trusted
    assert found.refused == (
        "allow-networks", "allow-private-network", "ca-file", "cache-dir", "mirror"
    )  # fmt: skip
    explicit = read_config_file(tmp_path / "setup.cfg")
    assert explicit.trusted and explicit.refused == () and len(explicit.values) == 6


def test_settings_at_a_ref_are_searched_like_the_working_tree(tmp_path: Path) -> None:
    from mdvalidator.config import AT_REF, find_config_at

    root = tmp_path / "repo"
    files = {
        root / "pyproject.toml": b"[tool.other]\nx = 1\n",  # no [tool.mdvalidator]: skipped
        root / "setup.cfg": b"[mdvalidator]\nignore = MDV107\nmirror = https://a/=/etc\n",
    }
    config = find_config_at(files.get, root / "hub" / "assets", root, "main")
    assert config.origin == AT_REF and config.trusted
    assert dict(config.values) == {"ignore": "MDV107"} and config.refused == ("mirror",)
    assert config.label == "main:setup.cfg"
    assert find_config_at(files.get, tmp_path / "elsewhere", root, "main").values == {}
