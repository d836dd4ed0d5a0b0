"""The card parser: where the header is, positions, text values, and bad input as issues."""

from __future__ import annotations

import pytest

from mdvalidator.document import Mapping, Scalar, Sequence
from mdvalidator.families.mindspore.card import parse_card

BASE = "# t\n\n---\n\nmodel-name: m\n\nmindspore-version: 1.10\n\n---\n\nbody\n"


def header_keys(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    card = parse_card("c.md", data)
    assert card.header is not None, card.issues
    return [k.text for k, _ in card.header.pairs]


def test_values_stay_text_with_positions() -> None:
    card = parse_card("c.md", BASE.encode())
    assert card.header_lines == (3, 9)
    assert card.header is not None
    version = card.header.get("mindspore-version")
    assert isinstance(version, Scalar)
    assert (version.text, version.line, version.column) == ("1.10", 7, 20)


@pytest.mark.parametrize(
    "body",
    [
        "```\n---\nx: 1\n---\n```\n",  # fenced code
        "    ---\n    x: 1\n    ---\n",  # indented code
        "\n---\n\nmore\n",  # a thematic break in the body
    ],
)
def test_later_dashes_are_not_the_header(body: str) -> None:
    card = parse_card("c.md", (BASE + body).encode())
    assert card.header_lines == (3, 9)


def test_code_block_before_header_is_skipped() -> None:
    text = "# t\n\n```\n---\nfake: 1\n---\n```\n\n---\n\nreal: 1\n\n---\n"
    assert header_keys(text) == ["real"]


def test_closing_dashes_right_under_text() -> None:
    # Markdown reads "summary: x\n---" as a setext heading; the hub reads it as the end.
    assert header_keys("# t\n\n---\nmodel-name: m\nsummary: x\n---\n") == ["model-name", "summary"]


def test_crlf_bom_and_tabs() -> None:
    data = b"\xef\xbb\xbf# t\r\n\r\n---\r\n\r\nmodel-name: m\r\nsummary:\tx y\r\n\r\n---\r\n"
    card = parse_card("c.md", data)
    assert card.header is not None and not card.issues
    summary = card.header.get("summary")
    assert isinstance(summary, Scalar) and summary.text == "x y" and summary.line == 6


def test_lists_and_nested_items_keep_positions() -> None:
    text = "# t\n\n---\nasset:\n-\n    file-format: ckpt\n    asset-sha256: ab\n---\n"
    card = parse_card("c.md", text.encode())
    assert card.header is not None
    assets = card.header.get("asset")
    assert isinstance(assets, Sequence)
    item = assets.items[0]
    assert isinstance(item, Mapping)
    sha = item.get("asset-sha256")
    assert isinstance(sha, Scalar) and (sha.line, sha.column) == (7, 19)


@pytest.mark.parametrize(
    ("data", "kind", "line"),
    [
        (b"# t\n\nno header here\n", "no-header", 1),
        (b"# t\n\n---\n\nmodel-name: m\n", "unclosed-header", 3),
        (b"# t\n\n---\n\n---\n", "not-mapping", 3),
        (b"# t\n\n---\n\n- a\n- b\n\n---\n", "not-mapping", 5),
        (b"# t\n\n---\nname: caf\xe9\n---\n", "encoding", 4),
    ],
)
def test_bad_cards_become_issues_at_their_line(data: bytes, kind: str, line: int) -> None:
    card = parse_card("c.md", data)
    assert [(i.kind, i.line) for i in card.issues] == [(kind, line)]


def test_yaml_errors_are_positioned_in_the_file() -> None:
    card = parse_card("c.md", b"# t\n\n---\n\nmodel-name: m\naccuracy: top1: 1\n\n---\n")
    assert [(i.kind, i.line, i.column) for i in card.yaml_issues] == [("syntax", 6, 15)]
    # The readable rest of the header is still there; the broken entry's key is known.
    assert card.header is not None and card.header.get("model-name") == Scalar("m", 5, 13, True, 5)
    assert card.header.unreadable == {"accuracy"}


def test_duplicate_keys_reported_at_second() -> None:
    card = parse_card("c.md", b"# t\n\n---\na: 1\nb: 2\na: 3\n---\n")
    assert [(i.kind, i.line) for i in card.yaml_issues] == [("duplicate-key", 6)]
    assert card.header is not None and card.header.get("a") == Scalar("1", 4, 4, True, 4)


def test_billion_laughs_is_not_expanded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        previous, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    card = parse_card("c.md", ("# t\n\n---\n" + "\n".join(lines) + "\n---\n").encode())
    assert any(i.kind == "unsupported" for i in card.yaml_issues)


def test_python_tags_are_never_constructed() -> None:
    card = parse_card("c.md", b"# t\n\n---\na: !!python/object/apply:os.system ['echo hi']\n---\n")
    assert card.header is not None or card.yaml_issues


@pytest.mark.parametrize("brk", ["\x85", "\u2028", "\u2029"])
def test_yaml_positions_are_newline_lines_whatever_yaml_breaks_at(brk: str) -> None:
    text = f'# t\n\n---\na: "x{brk}y{brk}z"\nb: 1\n# c{brk}d: 2\ne: [1,{brk}2]\n---\n'
    card = parse_card("c.md", text.encode())
    assert card.header is not None and card.yaml_issues == ()
    positions = {k.text: (k.line, k.column) for k, _ in card.header.pairs}
    # The comment ends at the break: 'd' is a key, on the comment's own line of the file.
    assert positions == {"a": (4, 1), "b": (5, 1), "d": (6, 5), "e": (7, 1)}
    items = card.header.get("e")
    assert isinstance(items, Sequence)
    assert [(i.line, i.column) for i in items.items] == [(7, 5), (7, 8)]  # type: ignore[union-attr]


def test_yaml_error_after_a_yaml_only_break_is_at_its_file_line() -> None:
    card = parse_card("c.md", "# t\n\n---\na: 'x\u2028y'\nb: c: d\n---\n".encode())
    assert [(i.kind, i.line, i.column) for i in card.yaml_issues] == [("syntax", 5, 5)]


def test_nul_characters_are_issues_at_their_lines() -> None:
    card = parse_card("c.md", b"# t\x00\n\n---\na: x\x00\x00y\n---\nbody\x00\n")
    assert [(i.kind, i.line, i.column, i.message) for i in card.issues] == [
        ("nul", 1, 4, "a NUL character (U+0000) in the text"),
        ("nul", 4, 5, "2 NUL characters (U+0000) in the text"),
        ("nul", 6, 5, "a NUL character (U+0000) in the text"),
    ]
    assert card.header is not None and card.header.get("a") == Scalar(
        "x\ufffd\ufffdy", 4, 4, True, 4
    )


def test_nul_characters_on_many_lines_are_counted() -> None:
    card = parse_card("c.md", b"# t\n\n---\na: 1\n---\n" + b"\x00\n" * 30)
    nul = [i for i in card.issues if i.kind == "nul"]
    assert len(nul) == 11 and nul[-1].message == "NUL characters on 20 more lines from here"


def test_markdown_token_cap_stops_at_its_line() -> None:
    from mdvalidator.families.mindspore import card as card_module

    body = "# h\n" * 10_000
    card = parse_card("c.md", ("# t\n\n---\na: 1\n---\n" + body).encode())
    [cap] = [i for i in card.issues if i.kind == "too-complex"]
    assert cap.line == 6 + (card_module.MAX_TOKENS - 4) // 3
    assert len(card.headings) == (card_module.MAX_TOKENS - 4) // 3 + 1  # the last one opened
