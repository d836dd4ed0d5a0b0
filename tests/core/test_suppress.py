"""Inline suppression directives: one regex, a table of cases."""

from __future__ import annotations

import pytest

from mdvalidator.families import Disable
from mdvalidator.suppress import END_OF_FILE, is_suppressed, parse_directives


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["<!-- mdvalidator: disable=MDV106 -->"], [Disable(("MDV106",), 1, END_OF_FILE)]),
        (
            ["<!--mdvalidator:disable=mdv106, MDV107-->"],
            [Disable(("MDV106", "MDV107"), 1, END_OF_FILE)],
        ),
        (
            ["<!-- mdvalidator: disable -->", "x", "<!-- mdvalidator: enable -->"],
            [Disable((), 1, 3)],
        ),
        (["a: b  # mdvalidator: disable-line=MDV106"], [Disable(("MDV106",), 1, 1)]),
        (
            ["<!-- mdvalidator: disable-next-line=heading-colon -->", "## A:"],
            [Disable(("heading-colon",), 2, 2)],
        ),
        (["<!-- mdvalidator: disable-file=MDV132 -->"], [Disable(("MDV132",), 0, END_OF_FILE)]),
        (
            ["<!-- mdvalidator: disable=MDV1 -->", "<!-- mdvalidator: enable=MDV1 -->"],
            [Disable(("MDV1",), 1, 2)],
        ),
        (["mdvalidator: disable=MDV106"], []),  # not in a comment
        (["<!-- mdvalidator: disabled=MDV106 -->"], []),  # unknown verb
        (["<!-- mdvalidator: disable=MDV106 extra -->"], []),  # trailing junk
    ],
)
def test_directives(lines: list[str], expected: list[Disable]) -> None:
    assert list(parse_directives(lines)) == expected


@pytest.mark.parametrize(
    ("rule", "name", "line", "disables", "suppressed"),
    [
        ("MDV106", "unknown-key", 5, [Disable(("MDV106",), 1, 9)], True),
        ("MDV106", "unknown-key", 10, [Disable(("MDV106",), 1, 9)], False),
        ("MDV106", "unknown-key", 5, [Disable(("MDV1",), 1, 9)], True),
        ("MDV106", "unknown-key", 5, [Disable(("unknown-key",), 5, 5)], True),
        ("MDV122", "invalid-sha256", 5, [Disable(("MDV106",), 1, 9)], False),
        ("MDV132", "file-name-pattern", 0, [Disable((), 3, END_OF_FILE)], True),
        ("MDV132", "file-name-pattern", 0, [Disable((), 3, 4)], False),
    ],
)
def test_is_suppressed(
    rule: str, name: str, line: int, disables: list[Disable], suppressed: bool
) -> None:
    assert is_suppressed(rule, name, line, disables) is suppressed
