"""YAML events -> positioned records (:mod:`mdvalidator.document`), caps checked as they arrive.

PyYAML's composer would first build its whole node graph (hundreds of bytes a node), so a
header of a million list items would take gigabytes before any cap could look at it. Here
each event becomes a record at once and the caps (``MAX_NODES`` nodes, ``MAX_DEPTH`` levels)
stop the parse the moment they are passed. libyaml's own nesting limit (PyYAML >= 6.0.4 stops
at 1,000 flow levels, possibly before our cap sees the 65th) is reported as the same problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from mdvalidator.document import Issue, IssueKind, Mapping, Node, Scalar, Sequence
from mdvalidator.families.mindspore import yamlerrors
from mdvalidator.families.mindspore.yamlmarks import MAX_DEPTH, MAX_NODES, LineMap, depth_message
from mdvalidator.sanitize import clean

_Parser: Any
C_PARSER: bool
try:
    from yaml._yaml import CParser as _Parser

    C_PARSER = True
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Parser

    C_PARSER = False

STANDARD_TAG = "tag:yaml.org,2002:"


class Budget:
    """Nodes left to build, shared by every parse of one header (recovery included)."""

    def __init__(self) -> None:
        self.nodes = 0
        self.exhausted = False


class TooComplex(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


@dataclass(frozen=True)
class Built:
    root: Node | None
    issues: tuple[Issue, ...]
    failed: bool = False  # a syntax error stopped the parse (recovery may read more)


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = (
        "anchor",
        "column",
        "dups",
        "flow",
        "has_key",
        "is_map",
        "items",
        "key",
        "line",
        "seen",
    )

    def __init__(
        self, is_map: bool, line: int, column: int, anchor: str | None, flow: bool
    ) -> None:
        self.is_map, self.flow = is_map, flow
        self.line, self.column, self.anchor = line, column, anchor
        self.items: list[Any] = []
        self.has_key = False  # a key was read, its value comes next
        self.key: Node | None = None
        self.seen: dict[str, Scalar] = {}
        self.dups: set[str] = set()


class _Builder:
    def __init__(self, lines: LineMap, budget: Budget) -> None:
        self.lines = lines
        self.budget = budget
        self.issues: list[Issue] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, Node | None] = {}
        self.root: Node | None = None
        self.documents = 0

    def issue(self, kind: IssueKind, line: int, column: int, message: str) -> None:
        self.issues.append(Issue(kind, line, column, message))

    def count(self, line: int, column: int) -> None:
        """Count one more node, stopping the parse past the cap."""
        self.budget.nodes += 1
        if self.budget.nodes > MAX_NODES:
            self.over(line, column)

    def over(self, line: int, column: int) -> None:
        self.budget.exhausted = True
        message = f"the header has more than {MAX_NODES} values; it was not read"
        raise TooComplex(line, column, message)

    def feed(self, event: Any) -> None:
        kind = type(event)
        if kind is ScalarEvent:  # most events: kept short
            if self.lines.table is None:
                base = self.lines.offset + 1
                mark = event.start_mark
                line, column, end = mark.line + base, mark.column + 1, event.end_mark.line + base
            else:
                line, column = self.lines.at(event.start_mark)
                end = self.lines.at(event.end_mark)[0]
            budget = self.budget
            budget.nodes += 1
            if budget.nodes > MAX_NODES:
                self.over(line, column)
            if event.tag is not None:
                self.tag(event.tag, line, column)
            node: Node | None = Scalar(event.value, line, column, not event.style, end)
            if event.anchor is not None:
                self.anchors[event.anchor] = node
            stack = self.stack
            if stack:
                frame = stack[-1]
                if frame.is_map and not frame.has_key:
                    frame.key, frame.has_key = node, True
                    return
            self.attach(node)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            line, column = self.lines.at(event.start_mark)
            self.count(line, column)
            if len(self.stack) >= MAX_DEPTH:
                self.budget.exhausted = True
                raise TooComplex(line, column, depth_message())
            self.tag(event.tag, line, column)
            if event.anchor is not None:
                self.anchors.setdefault(event.anchor, None)  # an alias inside gets nothing
            is_map = kind is MappingStartEvent
            frame = _Frame(is_map, line, column, event.anchor, bool(event.flow_style))
            self.stack.append(frame)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = self.stack.pop()
            if frame.is_map:
                node = Mapping(tuple(frame.items), frame.line, frame.column, frozenset(frame.dups))
            else:
                node = Sequence(tuple(frame.items), frame.line, frame.column)
            self.anchor(frame.anchor, node)
            self.attach(node)
        elif kind is AliasEvent:
            line, column = self.lines.at(event.start_mark)
            self.count(line, column)
            self.issue(
                IssueKind.UNSUPPORTED, line, column, "YAML anchors and aliases are not allowed"
            )
            self.attach(self.anchors.get(event.anchor))
        elif kind is DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                line, column = self.lines.at(event.start_mark)
                raise yamlerrors.SecondDocument(line, column)

    def open_flow(self) -> tuple[int, int, str] | None:
        """The innermost flow collection being read (for an error inside it)."""
        for frame in reversed(self.stack):
            if frame.flow:
                return frame.line, frame.column, "flow mapping" if frame.is_map else "flow sequence"
        return None

    def tag(self, tag: str | None, line: int, column: int) -> None:
        # '!!str' and the other core tags are harmless (values stay text anyway); local tags
        # ('!x'), verbatim ones and '!!python/...' mean something a card has no use for.
        standard = (
            tag is not None and tag.startswith(STANDARD_TAG) and "/" not in tag[len(STANDARD_TAG) :]
        )
        if tag and tag != "!" and not standard:
            shown = "!!" + tag[len(STANDARD_TAG) :] if tag.startswith(STANDARD_TAG) else tag
            self.issue(IssueKind.UNSUPPORTED, line, column, f"custom tag {clean(shown)} ignored")

    def anchor(self, name: str | None, node: Node | None) -> None:
        if name is not None:
            self.anchors[name] = node

    def attach(self, node: Node | None) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        if not frame.is_map:
            if node is not None:
                frame.items.append(node)
            return
        if not frame.has_key:
            frame.key, frame.has_key = node, True
            return
        frame.has_key = False
        self.pair(frame, frame.key, node)

    def pair(self, frame: _Frame, key: Node | None, value: Node | None) -> None:
        if not isinstance(key, Scalar):
            if key is not None:  # None: an alias, already reported
                self.issue(IssueKind.COMPLEX_KEY, key.line, key.column, "keys must be plain text")
            return
        if key.plain and key.text == "<<":
            self.issue(
                IssueKind.UNSUPPORTED, key.line, key.column, "YAML merge keys are not allowed"
            )
            return
        previous = frame.seen.get(key.text)
        if previous is not None:
            frame.dups.add(key.text)
            self.issue(
                IssueKind.DUPLICATE_KEY,
                key.line,
                key.column,
                f"duplicate key {clean(repr(key.text))} (first at line {previous.line})",
            )
            return
        frame.seen[key.text] = key
        if value is None:
            value = Scalar("", key.line, key.column, True, key.line)
        frame.items.append((key, value))


def build(text: str, line_offset: int, budget: Budget) -> Built:
    """Parse ``text`` into records; a syntax error ends it with ``failed`` set."""
    lines = LineMap(text, line_offset)
    builder = _Builder(lines, budget)
    parser = _Parser(text)
    feed, next_event = builder.feed, parser.get_event
    try:
        while (event := next_event()) is not None:
            feed(event)
    except TooComplex as exc:
        return Built(None, (Issue(IssueKind.TOO_COMPLEX, exc.line, exc.column, exc.message),))
    except yaml.YAMLError as exc:
        issue = yamlerrors.to_issue(exc, text, lines, C_PARSER, builder.open_flow())
        if issue.kind is IssueKind.TOO_COMPLEX:
            budget.exhausted = True
        return Built(None, (*builder.issues, issue), failed=True)
    finally:
        parser.dispose()
    return Built(builder.root, tuple(builder.issues))
