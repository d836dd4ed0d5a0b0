"""YAML with positions and without implicit typing.

PyYAML's composer (the C one when available) gives a node graph with marks; we turn it into
small frozen records whose scalars stay text, so ``mindspore-version: 1.10`` is ``"1.10"`` and
``update-time: 2023-2-17`` is not a date object. Nothing is constructed: no tags, no Python
objects, no alias expansion (aliases are reported, since a card has no use for them).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

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

    def get(self, key: str) -> Node | None:
        return next((value for k, value in self.pairs if k.text == key), None)

    def key(self, key: str) -> Scalar | None:
        return next((k for k, _ in self.pairs if k.text == key), None)


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
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        column = (mark.column + 1) if mark else 1
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return YamlResult(None, (YamlIssue("syntax", line, column, message),))
    except yaml.YAMLError as exc:
        return YamlResult(None, (YamlIssue("syntax", line_offset + 1, 1, str(exc)),))
    if node is None:
        return YamlResult(None, ())
    issues: list[YamlIssue] = []
    root = _convert(node, line_offset, issues, _Budget(), 0, {})
    return YamlResult(root, tuple(issues))


def _position(node: yaml.Node, line_offset: int) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1 + line_offset, mark.column + 1


def _convert(
    node: yaml.Node,
    line_offset: int,
    issues: list[YamlIssue],
    budget: _Budget,
    depth: int,
    seen: dict[int, Node | None],
) -> Node | None:
    budget.nodes += 1
    line, column = _position(node, line_offset)
    if budget.nodes > MAX_NODES or depth > MAX_DEPTH:
        if budget.nodes == MAX_NODES + 1 or depth == MAX_DEPTH + 1:
            issues.append(YamlIssue("unsupported", line, column, "header is too large or deep"))
        return None
    if id(node) in seen:
        # The composer shares one node object for an anchor and each of its aliases: report
        # it, and reuse the value converted the first time (never expand it again).
        issues.append(
            YamlIssue("unsupported", line, column, "YAML anchors and aliases are not allowed")
        )
        return seen[id(node)]
    seen[id(node)] = None  # in progress: an alias to an ancestor gets nothing
    converted = _convert_new(node, line, column, line_offset, issues, budget, depth, seen)
    seen[id(node)] = converted
    return converted


def _convert_new(
    node: yaml.Node,
    line: int,
    column: int,
    line_offset: int,
    issues: list[YamlIssue],
    budget: _Budget,
    depth: int,
    seen: dict[int, Node | None],
) -> Node | None:
    if node.tag and node.tag.startswith("!") and not node.tag.startswith("!!"):
        issues.append(YamlIssue("unsupported", line, column, f"custom tag {node.tag} ignored"))
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark.line + 1 + line_offset if node.end_mark else line
        return Scalar(str(node.value), line, column, node.style in (None, ""), end)
    if isinstance(node, yaml.SequenceNode):
        items = [
            _convert(child, line_offset, issues, budget, depth + 1, seen) for child in node.value
        ]
        return Sequence(tuple(i for i in items if i is not None), line, column)
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[Scalar, Node]] = []
        first_seen: dict[str, Scalar] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, line_offset, issues, budget, depth + 1, seen)
            value = _convert(value_node, line_offset, issues, budget, depth + 1, seen)
            if not isinstance(key, Scalar):
                k_line, k_col = _position(key_node, line_offset)
                issues.append(YamlIssue("complex-key", k_line, k_col, "keys must be plain text"))
                continue
            if key.text == "<<" and key.plain:
                issues.append(
                    YamlIssue(
                        "unsupported", key.line, key.column, "YAML merge keys are not allowed"
                    )
                )
                continue
            previous = first_seen.get(key.text)
            if previous is not None:
                issues.append(
                    YamlIssue(
                        "duplicate-key",
                        key.line,
                        key.column,
                        f"duplicate key {key.text!r} (first at line {previous.line})",
                    )
                )
                continue
            first_seen[key.text] = key
            if value is None:
                value = Scalar("", key.line, key.column, True, key.line)
            pairs.append((key, value))
        return Mapping(tuple(pairs), line, column)
    return None  # pragma: no cover - the composer makes no other kinds
