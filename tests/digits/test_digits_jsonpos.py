"""The position-tracking JSON parser: positions, the hand-editing mistakes, hostile input."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdvalidator.document import IssueKind, Mapping, Scalar, Sequence
from mdvalidator.document import python_value as plain
from mdvalidator.families.digits.jsonread import parse_bytes, parse_text


def test_keys_and_values_keep_their_line_and_column() -> None:
    text = (
        '{\n    "msg": "store",\n    "children": [\n        "lenet",\n        "alexnet"\n    ]\n}\n'
    )
    result = parse_text(text)
    assert result.ok and not result.issues
    root = result.root
    assert isinstance(root, Mapping)
    msg = root.key("msg")
    assert msg is not None and (msg.line, msg.column) == (2, 5)
    value = root.get("msg")
    assert isinstance(value, Scalar) and (value.line, value.column) == (2, 12)
    children = root.get("children")
    assert children is not None and isinstance(children, Sequence)
    assert [(i.line, i.column) for i in children.items] == [(4, 9), (5, 9)]


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        # the corpus' own examples: DIGITS docs with single quotes, and a trailing comma
        ("{'msg':'x', 'children':['a']}", 1, 2, "double quotes, not single quotes"),
        ("{\"msg\": 'x'}", 1, 9, "double quotes, not single quotes"),
        ('{\n    "children": [\n        "lenet",\n    ]\n}', 3, 16, "trailing comma before ']'"),
        ('{"a": 1,\n}', 1, 8, "trailing comma before '}'"),
        ('{"a": 1}\n// note', 2, 1, "comments are not allowed"),
        ('{"a": True}', 1, 7, "JSON spells it true"),
        ('{"a": None}', 1, 7, "JSON spells it null"),
        ('{"a": 1 "b": 2}', 1, 9, "expected ',' or '}'"),
        ('{"a" 1}', 1, 6, "expected ':'"),
        ("[1, 2", 1, 6, "the file ends inside an array"),
        ('{"a": "b', 1, 7, "unterminated string"),
        ('{"a": "x\\q"}', 1, 9, "invalid escape"),
        ('{"a": "\\u12"}', 1, 8, "four hex digits"),
        ('{"a": "tab\there"}', 1, 11, "control character U+0009"),
        ("", 1, 1, "empty"),
        ("   \n  ", 2, 3, "empty"),
        ('{"a": 1} {"b": 2}', 1, 10, "unexpected text after"),
        ("[,1]", 1, 2, "a value is missing before ','"),
        ("{,}", 1, 2, "extra ','"),
        ("@", 1, 1, "unexpected character '@'"),
        ("[01]", 1, 3, "expected ',' or ']'"),
    ],
)
def test_syntax_errors_are_reported_at_their_position(
    text: str, line: int, column: int, fragment: str
) -> None:
    result = parse_text(text)
    assert result.root is None
    [issue] = result.issues
    assert issue.kind is IssueKind.SYNTAX
    assert (issue.line, issue.column) == (line, column), issue.message
    assert fragment in issue.message


def test_duplicate_keys_are_reported_and_the_last_one_wins_like_python() -> None:
    result = parse_text('{\n"framework": "caffe",\n"framework": "torch"\n}')
    assert result.ok
    [issue] = result.issues
    assert issue.kind is IssueKind.DUPLICATE_KEY
    assert (issue.line, issue.column) == (3, 1)
    assert "first at line 2" in issue.message
    assert plain(result.root) == {"framework": "torch"}  # type: ignore[arg-type]


def test_nan_and_infinity_are_reported_but_parsed_like_python() -> None:
    result = parse_text("[NaN, Infinity, -Infinity, 1e400]")
    assert result.ok
    assert [(i.kind, i.column) for i in result.issues] == [
        (IssueKind.NON_FINITE, 2),
        (IssueKind.NON_FINITE, 7),
        (IssueKind.NON_FINITE, 17),
    ]
    values = plain(result.root)  # type: ignore[arg-type]
    assert isinstance(values, list) and math.isnan(values[0])
    assert values[1:] == [math.inf, -math.inf, math.inf]


def test_nesting_deeper_than_the_cap_is_reported_not_a_recursion_error() -> None:
    assert parse_text("[" * 64 + "]" * 64).ok
    result = parse_text("[" * 65 + "]" * 65)
    assert not result.ok and "deeper than 64" in result.issues[0].message
    assert result.issues[0].column == 65
    huge = parse_text("[" * 200_000)
    assert not huge.ok and huge.issues[0].kind is IssueKind.SYNTAX


def test_invalid_utf8_is_reported_at_the_bad_byte() -> None:
    result = parse_bytes(b'{\n  "name": "Le\xffNet"\n}')
    assert not result.ok
    assert (result.issues[0].line, result.issues[0].column) == (2, 14)
    assert "0xff" in result.issues[0].message


def test_a_bom_is_accepted_as_python_accepts_it() -> None:
    assert plain(parse_bytes(b'\xef\xbb\xbf{"a": 1}').root) == {"a": 1}  # type: ignore[arg-type]


def test_overlong_numbers_are_refused_not_converted() -> None:
    result = parse_text("[" + "9" * 5000 + "]")
    assert not result.ok and "number longer than" in result.issues[0].message


def test_strings_decode_exactly_as_python_json() -> None:
    text = r'["\ud83d\ude00", "a\"b\\c\/d\n", "\u00e9"]'
    assert plain(parse_text(text).root) == json.loads(text)  # type: ignore[arg-type]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(_json_values, st.sampled_from([None, 0, 2, 4]))
def test_valid_json_parses_to_what_json_loads_gives(value: object, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    result = parse_text(text)
    assert result.ok and not result.issues
    assert plain(result.root) == json.loads(text)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_raise(data: bytes) -> None:
    result = parse_bytes(data)
    assert result.ok or result.issues


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="{}[]\",:'tfnrue0123456789.-+eE \n\\/aNI", max_size=60))
def test_json_like_text_never_raises_and_agrees_with_json(text: str) -> None:
    result = parse_text(text)
    try:
        expected = json.loads(text)
    except (ValueError, RecursionError):
        # json refuses it: we refuse it too (NaN/duplicates are accepted by json, not here)
        assert not result.ok
        return
    if result.ok:
        assert plain(result.root) == expected or any(  # type: ignore[arg-type]
            i.kind is IssueKind.NON_FINITE for i in result.issues
        )
    else:  # only what Python's json is lax about: nothing else
        pytest.fail(f"refused valid JSON {text!r}: {result.issues}")
