"""A header that is not valid YAML: every readable entry is still checked, each problem at its
line, and the YAML error where its construct starts, with what was expected and a hint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import FIXTURES, lint

from mdvalidator.document import Scalar, Sequence
from mdvalidator.families.mindspore.card import parse_card

RECOVERY = FIXTURES / "cards" / "recovery" / "assets" / "mindspore" / "1.6"


def test_real_card_with_a_yaml_error_and_other_defects_reports_all() -> None:
    found = lint(RECOVERY / "resnet34_imagenet2012.md")
    assert [(code, line) for code, line, _ in found] == [
        ("MDV103", 11),  # fine-tunable: maybe
        ("MDV004", 15),  # input-shape: [224, 224, 3   (never closed)
        ("MDV103", 17),  # accuracy: []
        ("MDV103", 21),  # update-time: 2022-05-32
        ("MDV122", 36),  # an 8-character asset-sha256
        ("MDV004", 40),  # summary: resnet: used for cv
    ]
    messages = [message for _, _, message in found]
    assert "the '[' opened here is never closed" in messages[1]
    assert "quote the value" in messages[5]
    # 'summary' is required: its broken entry is not also reported missing.
    assert not any("'summary' is missing" in m for m in messages)


def _card(*header: str) -> bytes:
    return ("# t\n\n---\n" + "\n".join(header) + "\n---\n\nbody\n").encode()


@pytest.mark.parametrize(
    ("header", "line", "column", "texts"),
    [
        # The brief's own case: '[' opened on line 5; the parser notices two lines later.
        (
            ["a: 1", "input-shape: [224, 224, 3", "", "b: 2"],
            5,
            14,
            ["did not find expected ',' or ']'", "stopped at line", "'[' opened here"],
        ),
        (["a: 1", "m: {x: 1", "b: 2"], 5, 4, ["'{' opened here is never closed"]),
        (["a: 1", "s: 'not closed", "b: 2"], 5, 4, ["the quote opened here is never closed"]),
        (["a: 1", "accuracy: top1: 76.5", "b: 2"], 5, 15, ["quote the value"]),
        (["a: 1", "this line has no colon", "b: 2"], 5, 1, ["not 'key: value'"]),
        (["a: 1", "\tb: 2", "c: 3"], 5, 1, ["YAML indents with spaces, not tabs"]),
        (["a: 1", "b: 2", "--- c", "d: 3"], 6, 1, ["ends the header's YAML early"]),
        (["a: 1", "model-name: [] <required>", "b: 2"], 5, 16, ["quote the whole value"]),
        (["a: 1", "b: 2", "...", "c: 3"], 6, 1, ["ends the header's YAML early"]),
    ],
)
def test_yaml_error_where_its_construct_starts(
    header: list[str], line: int, column: int, texts: list[str]
) -> None:
    card = parse_card("c.md", _card(*header))
    syntax = [i for i in card.yaml_issues if i.kind == "syntax"]
    assert [(i.line, i.column) for i in syntax] == [(line, column)], card.yaml_issues
    for text in texts:
        assert text in syntax[0].message
    # The entries after the broken one are read.
    assert card.header is not None
    last = header[-1].split(": ")
    assert card.header.get(last[0]) == Scalar(last[1], 3 + len(header), 4, True, 3 + len(header))


def test_a_value_continued_at_column_0_stays_with_its_entry() -> None:
    # libyaml accepts a flow list continued at column 0; read alone, '2]' would be an error.
    card = parse_card("c.md", _card("shape: [1,", "2]", "accuracy: a: b", "z: 1"))
    assert [(i.kind, i.line) for i in card.yaml_issues] == [("syntax", 6)]
    assert card.header is not None
    shape = card.header.get("shape")
    assert isinstance(shape, Sequence) and [i.text for i in shape.items] == ["1", "2"]  # type: ignore[union-attr]
    assert card.header.get("z") == Scalar("1", 7, 4, True, 7)


def test_duplicate_keys_across_recovered_entries(make_card: Callable[..., Path]) -> None:
    card = make_card(
        replace={
            "license: Apache2.0": "license: Apache2.0\n\nlicense: MIT",
            "summary: lenet is used for cv": "summary: lenet: a cnn",
        }
    )
    assert [(c, n) for c, n, _ in lint(card)] == [("MDV005", 40), ("MDV004", 42)]


def test_every_entry_broken_reports_each_and_no_missing_field(
    make_card: Callable[..., Path],
) -> None:
    card = make_card(replace={"author: MindSpore team": "author: [MindSpore team"})
    found = lint(card)
    assert [(c, n) for c, n, _ in found] == [("MDV004", 19)]


def test_valid_header_is_parsed_once_and_unchanged() -> None:
    # Recovery is only for broken headers: a valid one gives the plain records.
    card = parse_card("c.md", _card("a: 1", "b: [x, y]"))
    assert card.yaml_issues == ()
    assert card.header is not None and card.header.unreadable == frozenset()
    assert [k.text for k, _ in card.header.pairs] == ["a", "b"]
