"""YAML with positions and without implicit typing.

PyYAML's composer (the C one when available) gives a node graph with marks; we turn it into
small frozen records whose scalars stay text, so ``mindspore-version: 1.10`` is ``"1.10"`` and
``update-time: 2023-2-17`` is not a date object. Nothing is constructed: no tags, no Python
objects, no alias expansion (aliases are reported, since a card has no use for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import yaml

from mdvalidator.sanitize import clean

_STR, _SEQ, _MAP = ("tag:yaml.org,2002:" + name for name in ("str", "seq", "map"))


class _UntypedResolver:
    """Every untagged node is plain text, a list or a mapping: nothing is typed, so the
    resolver's per-scalar regular expressions (the composer's main cost) are not run."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_Loader: Any
try:
    from yaml._yaml import CParser

    class _CLoader(_UntypedResolver, CParser):
        pass

    _Loader = _CLoader
except ImportError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    return node


MAX_NODES = 20_000
MAX_DEPTH = 64


@dataclass(frozen=True)
class Scalar:
    text: str
    line: int
    column: int
    plain: bool  # unquoted, so YAML 1.1 would have typed it (true, 1.5, ...)
    end_line: int = 0


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]
    line: int
    column: int


@dataclass(frozen=True)
class Mapping:
    pairs: tuple[tuple[Scalar, Node], ...]
    line: int
    column: int

    @cached_property
    def _index(self) -> dict[str, int]:
        """Key text -> position of its first pair (checks look keys up dozens of times)."""
        index: dict[str, int] = {}
        for position, (k, _) in enumerate(self.pairs):
            index.setdefault(k.text, position)
        return index

    def get(self, key: str) -> Node | None:
        position = self._index.get(key)
        return None if position is None else self.pairs[position][1]

    def key(self, key: str) -> Scalar | None:
        position = self._index.get(key)
        return None if position is None else self.pairs[position][0]


Node = Scalar | Sequence | Mapping


@dataclass(frozen=True)
class YamlIssue:
    """A reason the YAML cannot be read as intended, at a 1-based position."""

    kind: str  # "syntax" | "duplicate-key" | "unsupported" | "complex-key"
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class YamlResult:
    root: Node | None
    issues: tuple[YamlIssue, ...]


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0


def parse_yaml(text: str, line_offset: int = 0) -> YamlResult:
    """Compose ``text``; positions are shifted by ``line_offset`` lines (the header's start)."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        column = (mark.column + 1) if mark else 1
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return YamlResult(None, (YamlIssue("syntax", line, column, clean(message)),))
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses (a control character, say): at its place, named by code.
        at = min(max(int(exc.position), 0), len(text))
        line = text.count("\n", 0, at) + 1 + line_offset
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        char = exc.character
        code = char if isinstance(char, int) else ord(str(char)[:1] or "?")
        message = f"character U+{code:04X} is not allowed in YAML ({exc.reason})"
        return YamlResult(None, (YamlIssue("syntax", line, column, clean(message)),))
    except yaml.YAMLError as exc:
        return YamlResult(None, (YamlIssue("syntax", line_offset + 1, 1, clean(str(exc))),))
    if node is None:
        return YamlResult(None, ())
    issues: list[YamlIssue] = []
    root = _convert(node, line_offset, issues, _Budget(), 0, {})
    return YamlResult(root, tuple(issues))


def _convert(
    node: yaml.Node,
    line_offset: int,
    issues: list[YamlIssue],
    budget: _Budget,
    depth: int,
    seen: dict[int, Node | None],
) -> Node | None:
    budget.nodes += 1
    mark = node.start_mark
    line, column = mark.line + 1 + line_offset, mark.column + 1
    if budget.nodes > MAX_NODES or depth > MAX_DEPTH:
        if budget.nodes == MAX_NODES + 1 or depth == MAX_DEPTH + 1:
            issues.append(YamlIssue("unsupported", line, column, "header is too large or deep"))
        return None
    identity = id(node)
    if identity in seen:
        # The composer shares one node object for an anchor and each of its aliases: report
        # it, and reuse the value converted the first time (never expand it again).
        issues.append(
            YamlIssue("unsupported", line, column, "YAML anchors and aliases are not allowed")
        )
        return seen[identity]
    seen[identity] = None  # in progress: an alias to an ancestor gets nothing
    tag = node.tag
    if tag and tag[0] == "!" and not tag.startswith("!!"):
        issues.append(YamlIssue("unsupported", line, column, f"custom tag {clean(tag)} ignored"))
    converted: Node | None
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark.line + 1 + line_offset if node.end_mark else line
        converted = Scalar(str(node.value), line, column, node.style in (None, ""), end)
    elif isinstance(node, yaml.SequenceNode):
        depth += 1
        items = [_convert(child, line_offset, issues, budget, depth, seen) for child in node.value]
        converted = Sequence(tuple(i for i in items if i is not None), line, column)
    elif isinstance(node, yaml.MappingNode):
        converted = _mapping(node, line, column, line_offset, issues, budget, depth + 1, seen)
    else:  # pragma: no cover - the composer makes no other kinds
        converted = None
    seen[identity] = converted
    return converted


def _mapping(
    node: yaml.MappingNode,
    line: int,
    column: int,
    line_offset: int,
    issues: list[YamlIssue],
    budget: _Budget,
    depth: int,
    seen: dict[int, Node | None],
) -> Mapping:
    pairs: list[tuple[Scalar, Node]] = []
    first_seen: dict[str, Scalar] = {}
    for key_node, value_node in node.value:
        key = _convert(key_node, line_offset, issues, budget, depth, seen)
        value = _convert(value_node, line_offset, issues, budget, depth, seen)
        if not isinstance(key, Scalar):
            mark = key_node.start_mark
            issues.append(
                YamlIssue(
                    "complex-key",
                    mark.line + 1 + line_offset,
                    mark.column + 1,
                    "keys must be plain text",
                )
            )
            continue
        if key.plain and key.text == "<<":
            issues.append(
                YamlIssue("unsupported", key.line, key.column, "YAML merge keys are not allowed")
            )
            continue
        previous = first_seen.get(key.text)
        if previous is not None:
            issues.append(
                YamlIssue(
                    "duplicate-key",
                    key.line,
                    key.column,
                    f"duplicate key {clean(repr(key.text))} (first at line {previous.line})",
                )
            )
            continue
        first_seen[key.text] = key
        if value is None:
            value = Scalar("", key.line, key.column, True, key.line)
        pairs.append((key, value))
    return Mapping(tuple(pairs), line, column)
