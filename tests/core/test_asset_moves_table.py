"""A rule set's ``[asset-moves]``: read by the one URL parser, refused at its line when bad."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

from mdvalidator.asset_moves import Move, find_move
from mdvalidator.ruleset import RuleSetError, parse_ruleset

HEAD = """\
[ruleset]
name = "my-hub"
extends = "mindspore-hub"

[asset-moves]
"""


def moves_of(lines: str) -> tuple[Move, ...]:
    return parse_ruleset("hub.toml", HEAD + lines).moves


def test_moves_are_normalised_and_longest_first() -> None:
    moves = moves_of(
        '"https://Download.MindSpore.cn/" = "https://download-mindspore.osinfra.cn/"\n'
        "'https://download.mindspore.cn:443/models/' = 'https://models.example/m/'\n"
    )
    assert moves == (
        Move("https://download.mindspore.cn/models/", "https://models.example/m/"),
        Move("https://download.mindspore.cn/", "https://download-mindspore.osinfra.cn/"),
    )
    link = "https://download.mindspore.cn/models/a.ckpt"
    assert find_move(link, moves) == moves[0]
    assert moves[0].apply(link) == "https://models.example/m/a.ckpt"
    assert find_move("https://download.mindspore.cn.evil.example/a.ckpt", moves) is None
    assert find_move("http://download.mindspore.cn/a.ckpt", moves) is None


def test_a_rule_set_without_the_table_has_no_moves() -> None:
    assert parse_ruleset("hub.toml", HEAD.replace("[asset-moves]\n", "")).moves == ()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('"http://old.example/" = "https://new.example/"', "old prefix must be an https URL"),
        ('"https://old.example/" = "ftp://new.example/"', "new prefix is not an absolute"),
        ('"https://old.example" = "https://new.example/"', "must end with '/'"),
        ('"https://old.example/a" = "https://new.example/a/"', "must end with '/'"),
        ('"https://old.example/" = "https://new.example/?x=/"', "query or fragment"),
        ('"https://u@old.example/" = "https://new.example/"', "user information"),
        ('"https://old.example\\\\@x/" = "https://new.example/"', "backslash"),
        ('"https://old.example/" = 3', "new prefix must be a string"),
        ('"https://old.example/" = "https://OLD.example/"', "onto itself"),
    ],
)
def test_bad_entries_are_refused_at_their_line(entry: str, message: str) -> None:
    with pytest.raises(RuleSetError) as caught:
        moves_of("# the hub's moves\n" + entry + "\n")
    text = str(caught.value)
    assert text.startswith("hub.toml:7: invalid rule set: asset-moves."), text
    assert message in text


def test_two_spellings_of_one_prefix_are_refused() -> None:
    with pytest.raises(RuleSetError, match=r"hub.toml:7: .*the same prefix as"):
        moves_of(
            '"https://old.example/" = "https://new.example/"\n'
            '"https://OLD.example/" = "https://other.example/"\n'
        )


def test_not_a_table() -> None:
    text = 'asset-moves = "https://a/"\n' + HEAD.replace("[asset-moves]\n", "")
    with pytest.raises(RuleSetError, match=r"^hub.toml: invalid rule set: asset-moves: must be"):
        parse_ruleset("hub.toml", text)


def test_the_cli_says_where_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "hub.toml").write_text(HEAD + '"https://old.example/" = "http://new.example/"\n')
    (tmp_path / "card.md").write_text("# x\n")
    result = run_cli(["check", "--offline", "--rules", "hub.toml", "card.md"], cwd=tmp_path)
    assert result.returncode == 2
    assert "hub.toml:6: invalid rule set: asset-moves." in result.stderr
    assert "new prefix must be an https URL" in result.stderr
    assert "Traceback" not in result.stderr
