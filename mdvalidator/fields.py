"""Fields as a rule set declares them: one vocabulary of value types, one check for every family.

A rule set describes the keys a descriptor holds with field tables (``[fields.NAME]`` of a card,
``[info.fields.NAME]`` of a DIGITS info.json): required, non-empty, type, allowed values (with
split and case rules), a pattern, a list of known names. :func:`check_fields` checks a
:class:`~mdvalidator.document.Mapping` against them and yields :class:`Finding` records, the
facts of what is wrong; each family turns them into problems of its own rules and words.

The value types are :mod:`mdvalidator.value_types`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from mdvalidator.document import Mapping as Fields
from mdvalidator.document import Node, Scalar
from mdvalidator.problem import Severity
from mdvalidator.value_types import is_empty, type_error


@dataclass(frozen=True)
class FieldSpec:
    """One declared key: what its value must be."""

    name: str
    required: bool = False  # the key must be present
    non_empty: bool = False  # its value must hold something
    type: str = "string"  # a name of value_types.TYPES
    allowed: tuple[str, ...] = ()
    case_sensitive: bool = True
    split: str | None = None  # allowed values apply to each part
    part: str = "whole"  # "whole" | "prefix" (before the first separator)
    separator: str = "-"
    pattern: re.Pattern[str] | None = None  # the whole value must match
    pattern_message: str | None = None  # said instead of the pattern when it does not match
    pattern_severity: Severity | None = None  # default: the pattern rule's own
    known: str | None = None  # name of a list of known names in the rule set ("datasets")

    def allows(self, value: str) -> bool:
        if not self.allowed:
            return True
        if self.case_sensitive:
            return value in self.allowed
        return value.casefold() in _folded(self.allowed)

    def same_but_case(self, value: str) -> str | None:
        """The allowed value that ``value`` differs from only by case."""
        folded = value.casefold()
        return next((a for a in self.allowed if a.casefold() == folded), None)


@cache
def _folded(names: frozenset[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(n.casefold() for n in names)


# ----------------------------------------------------------------------------- the check


class Wrong(str, enum.Enum):
    """What :func:`check_fields` found wrong."""

    MISSING = "missing"  # a required key is absent
    EMPTY = "empty"  # a non-empty key's value holds nothing (``node`` is the key)
    TYPE = "type"  # ``detail``: why ("must be a number")
    NOT_ALLOWED = "not-allowed"  # ``detail``: the part not allowed; ``near``: same but case
    PATTERN = "pattern"
    NOT_KNOWN = "not-known"  # not in the known-names list ``spec.known``
    UNKNOWN_KEY = "unknown-key"  # a key no field declares (``node`` is the key)


@dataclass(frozen=True)
class Finding:
    wrong: Wrong
    name: str  # the field's (or unknown key's) name
    node: Node | None = None  # where: the value, or the key for EMPTY / UNKNOWN_KEY
    spec: FieldSpec | None = None
    detail: str = ""
    near: str | None = None


def check_fields(
    mapping: Fields,
    specs: Mapping[str, FieldSpec],
    lists: Mapping[str, frozenset[str]] | None = None,
    unknown_keys: bool = True,
    typed: bool = False,
) -> Iterator[Finding]:
    """Every field of ``specs`` checked in ``mapping`` (in the order declared), then the keys
    no field declares (in the order written) when ``unknown_keys``."""
    for name, spec in specs.items():
        node = mapping.get(name)
        key = mapping.key(name)
        if node is None or key is None:
            if spec.required and name not in mapping.unreadable:
                yield Finding(Wrong.MISSING, name, spec=spec)
            continue
        if is_empty(node, spec.type, typed):
            if spec.non_empty:
                yield Finding(Wrong.EMPTY, name, key, spec)
            continue
        yield from check_value(name, spec, node, lists or {}, typed)
    if unknown_keys:
        for key, _ in mapping.pairs:
            if key.text not in specs:
                yield Finding(Wrong.UNKNOWN_KEY, key.text, key)


def check_value(
    name: str,
    spec: FieldSpec,
    node: Node,
    lists: Mapping[str, frozenset[str]],
    typed: bool = False,
) -> Iterator[Finding]:
    """Type, allowed values, pattern and known names of one present, non-empty value."""
    error = type_error(spec.type, node, typed)
    if error is not None:
        yield Finding(Wrong.TYPE, name, node, spec, error)
        return
    if not isinstance(node, Scalar) or not isinstance(node.value, str):
        return
    text = node.text if node.typed else node.text.strip()  # a JSON string is what it says
    parts = [p.strip() for p in text.split(spec.split)] if spec.split else [text]
    if spec.part == "prefix":
        parts = [p.split(spec.separator, 1)[0] for p in parts]
    bad = [p for p in parts if not spec.allows(p)]
    if bad:
        near = spec.same_but_case(bad[0]) if spec.case_sensitive else None
        yield Finding(Wrong.NOT_ALLOWED, name, node, spec, bad[0], near)
    if spec.pattern is not None and not spec.pattern.fullmatch(text):
        yield Finding(Wrong.PATTERN, name, node, spec, text)
    if spec.known is not None and not _known(text, spec, (lists or {}).get(spec.known)):
        yield Finding(Wrong.NOT_KNOWN, name, node, spec, text)


def _known(text: str, spec: FieldSpec, names: frozenset[str] | None) -> bool:
    """Whether a value is in a known-names list: whole, or every part of it when the field
    splits (the hub joins several datasets with '_'); ignoring case unless case matters."""
    names = names or frozenset()
    if not spec.case_sensitive:
        names = _folded(names)
        text = text.casefold()
    if text in names:
        return True
    if spec.split is None or spec.split not in text:
        return False
    return all(part.strip() in names for part in text.split(spec.split))


# ------------------------------------------------------------------- field tables, built


def build_field(name: str, table: Mapping[str, object]) -> FieldSpec:
    """A field table of a rule set (valid: see ``fields_schema``) as a :class:`FieldSpec`.
    ``non-empty`` defaults to ``required``: a required value must say something."""
    required = bool(table.get("required", False))
    pattern = table.get("pattern")
    severity = table.get("pattern-severity")
    return FieldSpec(
        name=name,
        required=required,
        non_empty=bool(table.get("non-empty", required)),
        type=str(table.get("type", "string")),
        allowed=tuple(str(a) for a in _list(table.get("allowed"))),
        case_sensitive=bool(table.get("case-sensitive", True)),
        split=_optional(table.get("split")),
        part=str(table.get("part", "whole")),
        separator=str(table.get("separator", "-")),
        pattern=re.compile(pattern, re.MULTILINE) if isinstance(pattern, str) else None,
        pattern_message=_optional(table.get("pattern-message")),
        pattern_severity=Severity.parse(severity) if isinstance(severity, str) else None,
        known=_optional(table.get("known")),
    )


def build_fields(tables: object) -> dict[str, FieldSpec]:
    """``[fields]`` (name -> field table) as specs, in the order declared."""
    if not isinstance(tables, Mapping):
        return {}
    return {str(name): build_field(str(name), table) for name, table in tables.items()}


def _list(value: object) -> Sequence[object]:
    return value if isinstance(value, list | tuple) else ()


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


__all__ = [
    "FieldSpec",
    "Finding",
    "Wrong",
    "build_field",
    "build_fields",
    "check_fields",
    "check_value",
]
