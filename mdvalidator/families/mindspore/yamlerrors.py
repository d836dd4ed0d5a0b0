"""PyYAML's errors as issues: where the broken construct starts, what was expected, a hint.

PyYAML marks two places: the ``context`` (the construct being read, e.g. the ``[`` of a flow
sequence) and the ``problem`` (where the parser gave up, often lines later). A construct left
open (a flow collection, a quoted scalar, a key without ``:``) is reported where it starts,
with the line where the parser noticed; any other error at the problem itself.
"""

from __future__ import annotations

from typing import Any

import yaml

from mdvalidator.document import Issue, IssueKind
from mdvalidator.families.mindspore.yamlmarks import LineMap, depth_message
from mdvalidator.sanitize import clean

END_OF_YAML = "a '...' or '---' line ends the header's YAML early: remove it"


class SecondDocument(yaml.YAMLError):
    """A '...' or '---' inside the header starts a second YAML document."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__("a second YAML document")
        self.line, self.column = line, column


# Contexts whose mark is where an unclosed construct starts.
_OPENED = ("flow sequence", "flow mapping", "quoted scalar", "simple key", "block scalar")

# (text in the problem or context, hint) - the first that applies is given.
_HINTS: tuple[tuple[str, str], ...] = (
    (
        "mapping values are not allowed",
        "a ': ' inside a value (or a line indented as if it continued the value above): "
        "quote the value, e.g. key: 'a: b'",
    ),
    (
        "block sequence entries are not allowed",
        "a '- ' where a value was expected: quote the value ('-'), or start the list on the "
        "next line",
    ),
    ("tab", "YAML indents with spaces, not tabs"),
    (
        "could not find expected ':'",
        "every header line is 'key: value' (quote a value that "
        "goes on over several lines, and indent its continuation)",
    ),
    ("did not find expected key", "text after a quoted or bracketed value: quote the whole value"),
    ("undefined alias", "'*' starts a YAML alias: quote the value"),
    ("found character '@'", "'@' and '`' cannot start a value: quote it"),
    ("found character '`'", "'@' and '`' cannot start a value: quote it"),
    ("expected <block end>", "check the indentation of this line"),
)

_CLOSERS = {"flow sequence": "'['", "flow mapping": "'{'", "quoted scalar": "quote"}


def _hint(context: str, problem: str, reopened: bool) -> str:
    if reopened:
        for construct, opener in _CLOSERS.items():
            if construct in context:
                return f"the {opener} opened here is never closed"
    for needle, hint in _HINTS:
        if needle in problem or needle in context:
            return hint
    return ""


def _depth_exceeded(exc: yaml.YAMLError) -> bool:
    return "exceeded maximum nesting depth" in str(getattr(exc, "problem", "") or exc)


def to_issue(
    exc: yaml.YAMLError,
    text: str,
    lines: LineMap,
    c_parser: bool,
    open_flow: tuple[int, int, str] | None = None,
) -> Issue:
    """The issue for a PyYAML error raised while reading ``text``.

    ``open_flow`` is the innermost flow collection still open when it was raised (line,
    column, ``"flow sequence"`` or ``"flow mapping"``): a later error inside it usually means
    it was never closed.
    """
    if isinstance(exc, SecondDocument):
        return Issue(IssueKind.SYNTAX, exc.line, exc.column, END_OF_YAML)
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_issue(exc, text, lines, c_parser)
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Issue(IssueKind.SYNTAX, lines.offset + 1, 1, clean(str(exc)))
    problem_mark: Any = exc.problem_mark
    context_mark: Any = exc.context_mark
    if _depth_exceeded(exc):
        mark = problem_mark or context_mark
        line, column = lines.at(mark) if mark else (lines.offset + 1, 1)
        return Issue(IssueKind.TOO_COMPLEX, line, column, depth_message())
    context, problem = exc.context or "", exc.problem or ""
    where = problem_mark or context_mark
    line, column = lines.at(where) if where else (lines.offset + 1, 1)
    if "expected <document start>" in problem:  # content after a '...' line
        return Issue(IssueKind.SYNTAX, line, column, END_OF_YAML)
    noticed = ""
    reopened = False
    start: tuple[int, int] | None = None
    construct = context
    if context_mark is not None and any(word in context for word in _OPENED):
        start = lines.at(context_mark)
    elif open_flow is not None and open_flow[0] != line:
        start, construct = open_flow[:2], open_flow[2]
    if start is not None:
        if start[0] != line:
            noticed = f" (the parser stopped at line {line})"
        reopened = start[0] != line or "end of stream" in problem
        line, column = start
    message = ": ".join(p for p in (context, problem) if p) or "invalid YAML"
    hint = _hint(construct, problem, reopened)
    full = f"{message}{noticed}" + (f"; {hint}" if hint else "")
    return Issue(IssueKind.SYNTAX, line, column, clean(full, 300))


def _reader_issue(exc: yaml.reader.ReaderError, text: str, lines: LineMap, c_parser: bool) -> Issue:
    """A character YAML refuses (a control character, say): at its place, named by code."""
    at = max(int(exc.position), 0)
    if c_parser:  # libyaml counts bytes of the UTF-8 text, not characters
        at = len(text.encode("utf-8")[:at].decode("utf-8", "ignore"))
    line, column = lines.at_index(text, at)
    char = exc.character
    code = char if isinstance(char, int) else ord(str(char)[:1] or "?")
    message = f"character U+{code:04X} is not allowed in YAML ({exc.reason})"
    return Issue(IssueKind.SYNTAX, line, column, clean(message))
