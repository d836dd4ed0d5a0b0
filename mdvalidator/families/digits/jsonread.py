"""A small JSON parser into positioned records (:mod:`mdvalidator.document`).

The standard library's ``json`` gives no positions for keys and values, accepts ``NaN`` and
``Infinity``, silently keeps the last of two duplicate keys and recurses without a depth cap.
DIGITS reads store files with it, so these are exactly the defects a store operator needs to
see. This parser accepts what RFC 8259 accepts and reports:

- a syntax error (fatal: parsing stops) at its position, with a message that names the common
  hand-editing mistakes: trailing commas, single quotes, comments, Python literals;
- duplicate keys and ``NaN`` / ``Infinity`` (not fatal: parsing goes on, values are kept the
  way Python's ``json`` keeps them, the last of a repeated key, so checks see what DIGITS sees);
- nesting deeper than ``max_depth`` (fatal, at the opening bracket).

Strings are validated here and decoded by ``json.loads`` on their exact text, so escapes and
surrogate pairs mean what they mean in Python's ``json``.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass

from mdvalidator.document import Issue, IssueKind, Mapping, Node, Scalar, Sequence
from mdvalidator.sanitize import clean

DEFAULT_MAX_DEPTH = 64
_MAX_NUMBER_LENGTH = 400


@dataclass(frozen=True)
class ParseResult:
    """The parsed root (``None`` when a fatal error stopped parsing) and every issue found."""

    root: Node | None
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return self.root is not None


class _Fatal(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_STRING_RUN = re.compile(r'[^"\\\x00-\x1f]*')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?Infinity")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_PYTHONISMS = {"True": "true", "False": "false", "None": "null", "nan": "NaN"}


class _Parser:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.max_depth = max_depth
        self.issues: list[Issue] = []
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _issue(self, kind: IssueKind, message: str, offset: int) -> None:
        line, column = self.position(offset)
        self.issues.append(Issue(kind, line, column, message))

    def skip(self, offset: int) -> int:
        end = _WHITESPACE.match(self.text, offset)
        assert end is not None
        offset = end.end()
        if self.text.startswith(("//", "/*"), offset) or self.text.startswith("#", offset):
            raise _Fatal("comments are not allowed in JSON", offset)
        return offset

    def parse(self) -> Node:
        offset = self.skip(0)
        if offset >= len(self.text):
            raise _Fatal("the file holds no JSON value (it is empty)", offset)
        value, offset = self.value(offset, 0)
        offset = self.skip(offset)
        if offset < len(self.text):
            raise _Fatal("unexpected text after the JSON value", offset)
        return value

    def value(self, offset: int, depth: int) -> tuple[Node, int]:
        text = self.text
        if offset >= len(text):
            raise _Fatal("the file ends where a value was expected", offset)
        char = text[offset]
        line, column = self.position(offset)
        if char == "{":
            return self.object(offset, depth + 1)
        if char == "[":
            return self.array(offset, depth + 1)
        if char == '"':
            string, end = self.string(offset)
            return Scalar(string, line, column, False, line, True, string), end
        if char == "'":
            raise _Fatal("strings must be in double quotes, not single quotes", offset)
        number = _NUMBER.match(text, offset)
        word = _WORD.match(text, offset)
        if word is not None and word.group() in _NON_FINITE:
            name = word.group()
            self._issue(IssueKind.NON_FINITE, f"{name} is not a JSON number", offset)
            return Scalar(name, line, column, True, line, True, _NON_FINITE[name]), word.end()
        if number is not None:
            token = number.group()
            value = self.number(token, offset)
            return Scalar(token, line, column, True, line, True, value), number.end()
        if word is not None:
            name = word.group()
            if name in _LITERALS:
                return Scalar(name, line, column, True, line, True, _LITERALS[name]), word.end()
            hint = _PYTHONISMS.get(name)
            suffix = f" (JSON spells it {hint})" if hint else " (strings need double quotes)"
            raise _Fatal(f"unknown word {name[:40]!r}{suffix}", offset)
        if char in ",]}":
            raise _Fatal(f"a value is missing before {char!r}", offset)
        raise _Fatal(f"unexpected character {char!r} where a value was expected", offset)

    def number(self, token: str, offset: int) -> int | float:
        if len(token) > _MAX_NUMBER_LENGTH:
            raise _Fatal(f"number longer than {_MAX_NUMBER_LENGTH} characters", offset)
        if any(c in token for c in ".eE"):
            return float(token)
        return int(token)

    def string(self, offset: int) -> tuple[str, int]:
        text = self.text
        position = offset + 1
        while True:
            run = _STRING_RUN.match(text, position)
            assert run is not None
            position = run.end()
            if position >= len(text):
                raise _Fatal("unterminated string (the closing '\"' is missing)", offset)
            char = text[position]
            if char == '"':
                break
            if char == "\\":
                escape = text[position + 1 : position + 2]
                if escape == "u":
                    if _HEX4.match(text, position + 2) is None:
                        raise _Fatal("\\u must be followed by four hex digits", position)
                    position += 6
                elif escape and escape in '"\\/bfnrt':
                    position += 2
                else:
                    raise _Fatal(f"invalid escape '\\{escape}' in string", position)
                continue
            what = "line break" if char in "\r\n" else f"control character U+{ord(char):04X}"
            raise _Fatal(f"{what} inside a string (escape it)", position)
        end = position + 1
        decoded: str = json.loads(text[offset:end])
        return decoded, end

    def object(self, offset: int, depth: int) -> tuple[Mapping, int]:
        self._check_depth(offset, depth)
        line, column = self.position(offset)
        # One pair per key: a repeated key's last value at its first place (Python's dict).
        pairs: list[tuple[Scalar, Node]] = []
        seen: dict[str, int] = {}  # key -> index in pairs
        duplicates: set[str] = set()
        position = self.skip(offset + 1)
        if self.text.startswith("}", position):
            return Mapping((), line, column), position + 1
        while True:
            key_offset = position
            char = self.text[position : position + 1]
            if char != '"':
                raise _Fatal(self._bad_key(char), position)
            key, position = self.string(position)
            position = self.skip(position)
            if not self.text.startswith(":", position):
                raise _Fatal("expected ':' after the object key", position)
            value, position = self.value(self.skip(position + 1), depth)
            key_line, key_column = self.position(key_offset)
            pair = (Scalar(key, key_line, key_column, False, key_line, True, key), value)
            if key in seen:
                first = pairs[seen[key]][0].line
                self._issue(
                    IssueKind.DUPLICATE_KEY,
                    f"duplicate key {clean(key, 80)!r} (first at line {first}): "
                    "Python's json, and so DIGITS, keeps only this last value",
                    key_offset,
                )
                duplicates.add(key)
                pairs[seen[key]] = pair
            else:
                seen[key] = len(pairs)
                pairs.append(pair)
            position = self.skip(position)
            char = self.text[position : position + 1]
            if char == "}":
                mapping = Mapping(tuple(pairs), line, column, frozenset(duplicates))
                return mapping, position + 1
            if char != ",":
                raise _Fatal("expected ',' or '}' after the object member", position)
            comma = position
            position = self.skip(position + 1)
            if self.text.startswith("}", position):
                raise _Fatal("trailing comma before '}' (JSON allows none)", comma)

    def _bad_key(self, char: str) -> str:
        if char == "'":
            return "object keys must be in double quotes, not single quotes"
        if char == "":
            return "the file ends inside an object"
        if char == ",":
            return "extra ',' where an object key was expected"
        return "object keys must be strings in double quotes"

    def array(self, offset: int, depth: int) -> tuple[Sequence, int]:
        self._check_depth(offset, depth)
        line, column = self.position(offset)
        items: list[Node] = []
        position = self.skip(offset + 1)
        if self.text.startswith("]", position):
            return Sequence((), line, column), position + 1
        while True:
            value, position = self.value(position, depth)
            items.append(value)
            position = self.skip(position)
            char = self.text[position : position + 1]
            if char == "]":
                return Sequence(tuple(items), line, column), position + 1
            if char != ",":
                ending = "the file ends inside an array" if not char else ""
                raise _Fatal(ending or "expected ',' or ']' after the array item", position)
            comma = position
            position = self.skip(position + 1)
            if self.text.startswith("]", position):
                raise _Fatal("trailing comma before ']' (JSON allows none)", comma)

    def _check_depth(self, offset: int, depth: int) -> None:
        if depth > self.max_depth:
            raise _Fatal(f"nested deeper than {self.max_depth} levels", offset)


def parse_text(text: str, max_depth: int = DEFAULT_MAX_DEPTH) -> ParseResult:
    """Parse JSON text; never raises for bad input."""
    parser = _Parser(text, max_depth)
    try:
        root: Node | None = parser.parse()
    except _Fatal as fatal:
        line, column = parser.position(fatal.offset)
        parser.issues.append(Issue(IssueKind.SYNTAX, line, column, fatal.message))
        root = None
    return ParseResult(root, tuple(parser.issues))


def parse_bytes(data: bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> ParseResult:
    """Parse UTF-8 JSON bytes (a leading BOM is accepted, as Python's json accepts it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x})"
        issue = Issue(IssueKind.SYNTAX, line, column, message)
        return ParseResult(None, (issue,))
    return parse_text(text, max_depth)
