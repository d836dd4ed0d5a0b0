"""The ``[card]`` table of a rule set: typed keys, each declared by the rule that reads it.

A rule module declares the settings it reads as :class:`Key` objects (name, kind, default,
doc) next to its check; :class:`CardSettings` holds their values, built once when the rule set
is loaded, and a check reads one with ``settings.get(KEY)``, typed. The schema that validates a
user's ``[card]`` table is made from the same keys (``schema``), so a rule and its settings
live in one module.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

T_co = TypeVar("T_co", covariant=True)
V = TypeVar("V")


class Kind(str, enum.Enum):
    """What a key's TOML value is (the schema validates it accordingly)."""

    BOOL = "bool"
    TEXT = "text"
    TEXTS = "texts"  # a list of strings
    PATTERN = "pattern"  # a regular expression
    ID_PATTERN = "id-pattern"  # a regular expression with one capturing group


def _texts(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _pattern(value: object) -> re.Pattern[str] | None:
    return re.compile(value, re.MULTILINE) if isinstance(value, str) else None


_READ: dict[Kind, Callable[[object], object]] = {
    Kind.BOOL: bool,
    Kind.TEXT: str,
    Kind.TEXTS: _texts,
    Kind.PATTERN: _pattern,
    Kind.ID_PATTERN: _pattern,
}


@dataclass(frozen=True)
class Key(Generic[T_co]):
    """One key of ``[card]``: its TOML name, kind, value when absent, and what it means."""

    name: str
    kind: Kind
    default: T_co
    doc: str = field(default="", compare=False)

    def read(self, value: object) -> T_co:
        """The typed value of a valid TOML value."""
        return cast(T_co, _READ[self.kind](value))


@dataclass(frozen=True)
class CardSettings:
    """The values of every declared key (the rule set's, else the key's default)."""

    values: Mapping[str, object] = field(default_factory=dict)

    def get(self, key: Key[V]) -> V:
        return cast(V, self.values.get(key.name, key.default))


def build_settings(keys: Iterable[Key[object]], table: Mapping[str, object]) -> CardSettings:
    return CardSettings(
        {k.name: k.read(table[k.name]) if k.name in table else k.default for k in keys}
    )


__all__ = ["CardSettings", "Key", "Kind", "build_settings"]
