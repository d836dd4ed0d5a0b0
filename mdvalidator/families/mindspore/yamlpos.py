"""YAML with positions and without implicit typing.

The header is read event by event (libyaml's parser when available) into small frozen records
whose scalars stay text, so ``mindspore-version: 1.10`` is ``"1.10"`` and ``update-time:
2023-2-17`` is not a date object. Nothing is constructed: no tags, no Python objects, no alias
expansion (aliases are reported, since a card has no use for them). Building from events, not
from PyYAML's node graph, lets the caps stop the parse as soon as they are reached, so memory
stays bounded whatever the header holds.

Positions are 1-based lines of the file as the rest of mdvalidator counts them: ``\\n`` lines.
libyaml also breaks lines at U+0085, U+2028 and U+2029; its marks are converted here, once.

A header that is not valid YAML is read again entry by entry (``recover``), so one bad line
never hides the problems of the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

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
    """Key/value pairs in order; a repeated key keeps its first pair here.

    ``duplicates`` names the keys given more than once (YAML loaders keep the LAST value, so
    nothing read from such a key can be trusted to mean what a loader reads). ``unreadable``
    names keys whose entry is not valid YAML (recovered headers): present, value unknown.
    """

    pairs: tuple[tuple[Scalar, Node], ...]
    line: int
    column: int
    duplicates: frozenset[str] = field(default=frozenset(), compare=False)
    unreadable: frozenset[str] = field(default=frozenset(), compare=False)

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

    # "syntax" | "duplicate-key" | "unsupported" | "complex-key" | "too-complex"
    kind: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class YamlResult:
    root: Node | None
    issues: tuple[YamlIssue, ...]


def parse_yaml(text: str, line_offset: int = 0) -> YamlResult:
    """Read ``text``; positions are shifted by ``line_offset`` lines (the header's start)."""
    from mdvalidator.families.mindspore import recover
    from mdvalidator.families.mindspore.yamlbuild import Budget, build

    budget = Budget()
    result = build(text, line_offset, budget)
    if result.failed and not budget.exhausted:
        return recover.by_entries(text, line_offset, result)
    return YamlResult(result.root, result.issues)
