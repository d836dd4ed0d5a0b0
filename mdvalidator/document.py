"""A descriptor's content as positioned values: one model for YAML headers and JSON files.

Every value keeps the 1-based line and column where it is written, so every problem can point
at it. Parsers build these records (a card's YAML header in ``families.mindspore``, store JSON
in ``families.digits``) and report what they could not read as :class:`Issue` records; checks
read nothing but these records.

A scalar is text first. YAML scalars stay text (``1.10`` is ``"1.10"``, never the float 1.1:
mdvalidator types nothing); JSON scalars also carry the value JSON gives them (``typed``), since
there the type is part of what the file says (``"1"`` is not ``1``).

A mapping holds one pair per key: the one that counts, as the format's readers take it (the
parser decides: YAML headers keep the first, as mdvalidator always has; JSON the last, as
Python's ``json`` and so DIGITS do). Repeated keys are named in ``duplicates``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property
from typing import Union

ScalarValue = Union[str, int, float, bool, None]  # noqa: UP007 - runtime alias on 3.10


class IssueKind(str, enum.Enum):
    """Why (part of) a descriptor could not be read as intended."""

    ENCODING = "encoding"  # not valid UTF-8
    NUL = "nul"  # NUL characters in the text
    NO_HEADER = "no-header"  # a card without its '---' pair
    UNCLOSED_HEADER = "unclosed-header"
    NOT_MAPPING = "not-mapping"  # a header that is not key: value lines
    SYNTAX = "syntax"  # not valid YAML / JSON
    DUPLICATE_KEY = "duplicate-key"
    UNSUPPORTED = "unsupported"  # YAML anchors, aliases, tags, merge keys
    COMPLEX_KEY = "complex-key"  # a YAML key that is not plain text
    DASH_VALUE = "dash-value"  # 'key: -', read as 'key: no' like the hub's tools
    TOO_COMPLEX = "too-complex"  # a cap was reached: the rest was not read
    NON_FINITE = "non-finite"  # NaN or Infinity in JSON


@dataclass(frozen=True)
class Issue:
    """Something wrong with the text itself, at a 1-based position."""

    kind: IssueKind
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Scalar:
    """A string, number, boolean or null, as text (``typed``: with the value JSON gives it)."""

    text: str
    line: int
    column: int
    plain: bool = True  # unquoted (YAML 1.1 would have typed it: true, 1.5, ...)
    end_line: int = 0
    typed: bool = False
    typed_value: ScalarValue = None  # meaningful only when ``typed``

    @property
    def value(self) -> ScalarValue:
        """The value: the typed one where the format types scalars, else the text."""
        return self.typed_value if self.typed else self.text


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]
    line: int
    column: int


@dataclass(frozen=True)
class Mapping:
    """Key/value pairs in order, one per key (the pair that counts, see the module doc).

    ``duplicates`` names the keys given more than once. ``unreadable`` names keys whose entry
    could not be read (a recovered YAML header): present, value unknown.
    """

    pairs: tuple[tuple[Scalar, Node], ...]
    line: int
    column: int
    duplicates: frozenset[str] = field(default=frozenset(), compare=False)
    unreadable: frozenset[str] = field(default=frozenset(), compare=False)

    @cached_property
    def _index(self) -> dict[str, int]:
        """Key text -> position of its pair (checks look keys up dozens of times)."""
        index: dict[str, int] = {}
        for position, (k, _) in enumerate(self.pairs):
            index.setdefault(k.text, position)
        return index

    def get(self, key: str) -> Node | None:
        """The value of ``key``, or None."""
        position = self._index.get(key)
        return None if position is None else self.pairs[position][1]

    def key(self, key: str) -> Scalar | None:
        """The key itself (its position), or None."""
        position = self._index.get(key)
        return None if position is None else self.pairs[position][0]


Node = Union[Scalar, Sequence, Mapping]  # noqa: UP007 - runtime alias on 3.10


def python_value(node: Node) -> object:
    """The plain Python value of a node (what ``json.loads`` gives for a JSON document)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [python_value(item) for item in node.items]
    return {key.text: python_value(value) for key, value in node.pairs}


__all__ = [
    "Issue",
    "IssueKind",
    "Mapping",
    "Node",
    "Scalar",
    "ScalarValue",
    "Sequence",
    "python_value",
]
