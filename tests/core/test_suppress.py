"""Inline suppression directives: one regex, one state machine, tables of cases."""

from __future__ import annotations

import pytest

from mdvalidator.decide import Decider
from mdvalidator.family import Disable
from mdvalidator.problem import Problem, Severity
from mdvalidator.registry import all_rules, rule
from mdvalidator.rule import is_integrity
from mdvalidator.suppress import END_OF_FILE, Directive, is_suppressed, parse_directives

MDV1 = tuple(r.code for r in all_rules() if r.code.startswith("MDV1"))
EVERY = tuple(r.code for r in all_rules())


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["<!-- mdvalidator: disable=MDV106 -->"], [Directive(("MDV106",), 1, END_OF_FILE, 1)]),
        (
            ["<!--mdvalidator:disable=mdv106, MDV107-->"],
            [Directive(("MDV106", "MDV107"), 1, END_OF_FILE, 1)],
        ),
        (
            ["<!-- mdvalidator: disable -->", "x", "<!-- mdvalidator: enable -->"],
            [Directive(tuple(sorted(EVERY)), 1, 3, 1)],
        ),
        (["a: b  # mdvalidator: disable-line=MDV106"], [Directive(("MDV106",), 1, 1, 1)]),
        (
            ["<!-- mdvalidator: disable-next-line=heading-colon -->", "## A:"],
            [Directive(("MDV141",), 2, 2, 1)],
        ),
        (
            ["<!-- mdvalidator: disable-file=MDV132 -->"],
            [Directive(("MDV132",), 0, END_OF_FILE, 1)],
        ),
        (
            ["<!-- mdvalidator: disable=MDV1 -->", "<!-- mdvalidator: enable=MDV1 -->"],
            [Directive(tuple(sorted(MDV1)), 1, 2, 1)],
        ),
        (
            # the bug of issue 8: enable=MDV141 lifts MDV141 only, and does lift it
            [
                "<!-- mdvalidator: disable=MDV106,MDV141 -->",
                "x",
                "<!-- mdvalidator: enable=MDV141 -->",
            ],
            [Directive(("MDV141",), 1, 3, 1), Directive(("MDV106",), 1, END_OF_FILE, 1)],
        ),
        (
            ["<!-- mdvalidator: disable=MDV999 -->"],
            [Directive((), 1, 0, 1, unknown=("MDV999",))],
        ),
        (
            ["<!-- mdvalidator: disable-line=asset-sha256-mismatch,nope -->"],
            [
                Directive(
                    ("MDV201",), 1, 1, 1, unknown=("nope",), refused=("asset-sha256-mismatch",)
                )
            ],
        ),
        (["mdvalidator: disable=MDV106"], []),  # not in a comment
        (["<!-- mdvalidator: disabled=MDV106 -->"], []),  # unknown verb
        (["<!-- mdvalidator: disable=MDV106 extra -->"], []),  # trailing junk
    ],
)
def test_directives(lines: list[str], expected: list[Disable]) -> None:
    assert list(parse_directives(lines)) == expected


ENABLE_CASES = [
    # (directive lines by line number, rule, line of the problem, silenced?)
    ({1: "disable=MDV106,MDV141", 3: "enable=MDV141"}, "MDV141", 2, True),
    ({1: "disable=MDV106,MDV141", 3: "enable=MDV141"}, "MDV141", 5, False),
    ({1: "disable=MDV106,MDV141", 3: "enable=MDV141"}, "MDV106", 5, True),
    ({1: "disable=MDV1", 3: "enable=MDV106"}, "MDV106", 5, False),
    ({1: "disable=MDV1", 3: "enable=MDV106"}, "MDV107", 5, True),
    ({1: "disable", 3: "enable=heading-colon"}, "MDV141", 5, False),
    ({1: "disable", 3: "enable=heading-colon"}, "MDV106", 5, True),
    ({1: "disable", 3: "enable"}, "MDV106", 5, False),
    ({1: "disable=MDV106", 3: "disable=MDV141", 5: "enable"}, "MDV141", 4, True),
    ({1: "disable=MDV106", 3: "disable=MDV141", 5: "enable"}, "MDV106", 6, False),
    ({1: "disable=MDV106", 3: "enable=MDV141"}, "MDV106", 6, True),  # enable of another code
    ({2: "disable"}, "MDV132", 0, True),  # whole-file problem, disable never lifted
    ({2: "disable", 4: "enable"}, "MDV132", 0, False),
    ({1: "disable-next-line=MDV141"}, "MDV141", 2, True),
    ({1: "disable-next-line=MDV141"}, "MDV141", 3, False),
    # integrity rules: never silenced, whatever the directive says
    ({1: "disable"}, "MDV201", 5, False),
    ({1: "disable-file=MDV2"}, "MDV203", 0, False),
    ({5: "disable-line=asset-sha256-mismatch"}, "MDV201", 5, False),
    ({1: "disable-file"}, "MDV005", 3, False),
    ({1: "disable-file"}, "MDV001", 0, False),
    ({1: "disable=MDV0"}, "MDV010", 3, False),
    ({1: "disable=MDV0"}, "MDV004", 3, False),
    ({1: "disable=MDV0"}, "MDV108", 3, False),
    ({1: "disable=MDV1"}, "MDV108", 3, True),
]


@pytest.mark.parametrize(("directives", "code", "line", "silenced"), ENABLE_CASES)
def test_directives_in_order(
    directives: dict[int, str], code: str, line: int, silenced: bool
) -> None:
    lines = [
        f"<!-- mdvalidator: {directives[n]} -->" if n in directives else "text" for n in range(1, 8)
    ]
    disables = parse_directives(lines)
    assert is_suppressed(code, rule(code).name, line, disables) is silenced


@pytest.mark.parametrize(
    ("rule_code", "name", "line", "disables", "suppressed"),
    [
        ("MDV106", "unknown-key", 5, [Disable(("MDV106",), 1, 9)], True),
        ("MDV106", "unknown-key", 10, [Disable(("MDV106",), 1, 9)], False),
        ("MDV106", "unknown-key", 5, [Disable(("MDV1",), 1, 9)], True),
        ("MDV106", "unknown-key", 5, [Disable(("unknown-key",), 5, 5)], True),
        ("MDV122", "invalid-sha256", 5, [Disable(("MDV106",), 1, 9)], False),
        ("MDV132", "file-name-pattern", 0, [Disable((), 3, END_OF_FILE)], True),
        ("MDV132", "file-name-pattern", 0, [Disable((), 3, 4)], False),
        ("MDV201", "asset-sha256-mismatch", 5, [Disable((), 1, END_OF_FILE)], False),
    ],
)
def test_is_suppressed(
    rule_code: str, name: str, line: int, disables: list[Disable], suppressed: bool
) -> None:
    assert is_suppressed(rule_code, name, line, disables) is suppressed


def _problem(code: str, line: int) -> Problem:
    return rule(code).problem("a.md", line, 1, "x")


@pytest.mark.parametrize(
    ("directive", "problems", "notes"),
    [
        # (the directive on line 2, problems found, the notes expected: (code, line, text))
        ("disable=MDV1O6", [], [("MDV017", 2, "'MDV1O6' (did you mean MDV106 unknown-key?)")]),
        ("disable=MDV106", [_problem("MDV106", 5)], []),
        ("disable=MDV201", [], [("MDV016", 2, "MDV201")]),
        ("disable", [_problem("MDV201", 5)], [("MDV016", 2, "MDV201 asset-sha256-mismatch")]),
        ("disable", [_problem("MDV106", 5)], []),
        ("disable-file=MDV2", [_problem("MDV203", 6)], [("MDV016", 2, "MDV2")]),
        ("disable-next-line", [_problem("MDV005", 3)], [("MDV016", 2, "MDV005 duplicate-key")]),
        ("disable-next-line", [_problem("MDV005", 4)], []),  # does not reach line 4
    ],
)
def test_directive_notes(
    directive: str, problems: list[Problem], notes: list[tuple[str, int, str]]
) -> None:
    disables = parse_directives(["# t", f"<!-- mdvalidator: {directive} -->", "", "", ""])
    reported = Decider().decide(problems, {}, disables, "a.md")
    found = [(p.rule, p.line, p.message) for p in reported if p.rule in ("MDV016", "MDV017")]
    assert [(c, n) for c, n, _ in found] == [(c, n) for c, n, _ in notes]
    for (_, _, message), (_, _, text) in zip(found, notes, strict=True):
        assert text in message
    assert all(p.severity is Severity.WARNING for p in reported if p.rule in ("MDV016", "MDV017"))
    integrity = [p for p in problems if is_integrity(p.rule)]
    assert all(p in reported for p in integrity)  # never silenced


def test_hub_can_turn_directives_off() -> None:
    disables = parse_directives(["<!-- mdvalidator: disable=MDV106,MDV1O6 -->"])
    problem = _problem("MDV106", 3)
    assert Decider().decide([problem], {}, disables, "a.md") == [
        p for p in Decider().decide([problem], {}, disables, "a.md") if p.rule == "MDV017"
    ]
    assert Decider(inline_directives=False).decide([problem], {}, disables, "a.md") == [problem]
