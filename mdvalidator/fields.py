"""Fields as a rule set declares them: one vocabulary of value types, one check for every family.

A rule set describes the keys a descriptor holds with field tables (``[fields.NAME]`` of a card,
``[info.fields.NAME]`` of a DIGITS info.json): required, non-empty, type, allowed values (with
split and case rules), a pattern, a list of known names. :func:`check_fields` checks a
:class:`~mdvalidator.document.Mapping` against them and yields :class:`Finding` records, the
facts of what is wrong; each family turns them into problems of its own rules and words.

Types judge values as written. Text scalars (YAML, which mdvalidator never types) are judged
on their text: ``fine-tunable: true`` is a bool, ``accuracy: 76.5`` a number. Typed scalars
(JSON) are judged on their type: ``"true"`` is a string, not a bool.
"""

from __future__ import annotations

import datetime
import enum
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from mdvalidator.digests import looks_like_sha256
from mdvalidator.document import Mapping as Fields
from mdvalidator.document import Node, Scalar
from mdvalidator.document import Sequence as Items
from mdvalidator.problem import Severity
from mdvalidator.urls import link_problem

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VERSION = re.compile(r"^v?\d+(\.\d+)*$")
_INT = re.compile(r"^\+?\d+$")


@dataclass(frozen=True)
class FieldSpec:
    """One declared key: what its value must be."""

    name: str
    required: bool = False  # the key must be present
    non_empty: bool = False  # its value must hold something
    type: str = "string"  # a name of TYPES
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


# ------------------------------------------------------------------------------ value types


def unwrap_link(text: str) -> str:
    """``<https://x>`` -> ``https://x`` (cards often wrap links in angle brackets)."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1].strip()
    return text


def url_error(text: str) -> str | None:
    link = unwrap_link(text)
    if not link:
        return "is empty"
    return link_problem(link)  # the fetcher's own reading: what passes here is what is fetched


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text_of(what: str, judge: Callable[[str], str | None]) -> Callable[[Scalar], str | None]:
    """A scalar judged on its text; a typed scalar must be a string first."""

    def check(scalar: Scalar) -> str | None:
        if scalar.typed and not isinstance(scalar.typed_value, str):
            return f"must be {what}"
        return judge(scalar.text.strip())

    return check


def _typed(
    what: str, test: Callable[[object], bool], text: Callable[[str], str | None]
) -> Callable[[Scalar], str | None]:
    """A typed scalar judged on its type, a text scalar on its text."""

    def check(scalar: Scalar) -> str | None:
        if scalar.typed:
            return None if test(scalar.typed_value) else f"must be {what}"
        return text(scalar.text.strip())

    return check


def _any_text(_: str) -> str | None:
    return None


def _bool_text(text: str) -> str | None:
    return None if text.lower() in ("true", "false") else "must be true or false"


def _number_text(text: str) -> str | None:
    try:
        value = float(text)
    except ValueError:
        return "must be a number"
    return None if math.isfinite(value) else "must be a finite number"


def _integer_text(text: str) -> str | None:
    return None if _INT.match(text) else "must be an integer"


def _date_text(text: str) -> str | None:
    match = _DATE.match(text)
    if match is None:
        return "must be a date written YYYY-M-D"
    try:
        datetime.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        return f"is not a real date ({exc})"
    return None


def _version_text(text: str) -> str | None:
    return None if _VERSION.match(text) else "must be a version such as 1.10"


def _sha256_text(text: str) -> str | None:
    if looks_like_sha256(text):
        return None
    return f"must be 64 hexadecimal characters (has {len(text)})"


def _positive_int(node: Node) -> bool:
    if not isinstance(node, Scalar):
        return False
    if node.typed:
        return type(node.typed_value) is int and node.typed_value > 0
    return bool(_INT.match(node.text)) and int(node.text) > 0


def _positive_ints(node: Node, count: int | None = None) -> bool:
    """A list of positive integers (of ``count`` of them, when given)."""
    if not isinstance(node, Items) or not node.items:
        return False
    return (count is None or len(node.items) == count) and all(map(_positive_int, node.items))


def _is_string(node: Node) -> bool:
    return isinstance(node, Scalar) and isinstance(node.value, str)


@dataclass(frozen=True)
class ValueType:
    """A value type: ``what`` it must be (for "must be ..."), and how scalars and lists or
    mappings are judged (``None``: that kind of value is of the wrong type)."""

    what: str
    scalar: Callable[[Scalar], str | None] | None = None
    collection: Callable[[Node], bool] | None = None
    text_what: str = ""  # ``what`` for a text document, when it differs
    is_list: bool = False  # an empty list is an empty value (not a wrong type)
    takes_text: bool = False  # a blank string is an empty value (not a wrong type)


def _string_scalar(scalar: Scalar) -> str | None:
    return None if not scalar.typed or isinstance(scalar.typed_value, str) else "must be a string"


def _anything(_: object) -> str | None:
    return None


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shape(node: Node) -> bool:
    """One input's shape (positive integers), or one per input (multi-input models)."""
    if _positive_ints(node):
        return True
    return isinstance(node, Items) and bool(node.items) and all(map(_positive_ints, node.items))


T = ValueType
TYPES: dict[str, ValueType] = {
    "any": T("anything", _anything, lambda _: True, takes_text=True),
    "string": T("a string", _string_scalar, text_what="a single value", takes_text=True),
    "string-or-null": T(
        "a string or null",
        _typed("a string or null", lambda v: v is None or isinstance(v, str), _any_text),
        takes_text=True,
    ),
    "bool": T("true or false", _typed("true or false", lambda v: isinstance(v, bool), _bool_text)),
    "number": T("a number", _typed("a number", _is_number, _number_text)),
    "integer": T("an integer", _typed("an integer", _integer, _integer_text)),
    "date": T("a date", _text_of("a date", _date_text), takes_text=True),
    "url": T("a URL", _text_of("a URL", url_error), takes_text=True),
    "version": T("a version", _text_of("a version", _version_text), takes_text=True),
    "sha256": T("a sha256 digest", _text_of("a sha256 digest", _sha256_text), takes_text=True),
    "file-name": T("a file name (a string)", _string_scalar, takes_text=True),
    "int-list": T(
        "a list of positive integers such as [224, 224, 3]",
        collection=_positive_ints,
        is_list=True,
    ),
    "shape": T(
        "a shape such as [224, 224, 3], or one shape per input such as [[1, 128], [1, 128]]",
        collection=_shape,
        is_list=True,
    ),
    "dimensions": T(
        "three positive integers [height, width, channels]",
        collection=lambda n: _positive_ints(n, 3),
    ),
    "string-list": T(
        "a list of strings",
        collection=lambda n: isinstance(n, Items) and all(map(_is_string, n.items)),
        is_list=True,
    ),
    "list": T("a list", collection=lambda n: isinstance(n, Items), is_list=True),
    "object": T("an object", collection=lambda n: isinstance(n, Fields)),
    "assets": T(
        "a list of items with file-format, asset-link and asset-sha256",
        collection=lambda n: isinstance(n, Items) and all(isinstance(i, Fields) for i in n.items),
        is_list=True,
    ),
}
TYPE_NAMES: tuple[str, ...] = tuple(TYPES)


def type_error(type_name: str, node: Node, typed: bool = False) -> str | None:
    """Why ``node`` is not of the type ``type_name``, or None. ``typed``: the document types
    its values (JSON), so a list where a scalar belongs is simply of the wrong type."""
    kind = TYPES[type_name]
    if isinstance(node, Scalar):
        if kind.scalar is None:
            return f"must be {kind.what}"
        return kind.scalar(node)
    if kind.collection is not None:
        return None if kind.collection(node) else f"must be {kind.what}"
    if typed:
        return f"must be {kind.what}"
    return f"must be {kind.text_what or kind.what}, not a list or mapping"


def is_empty(node: Node, type_name: str, typed: bool = False) -> bool:
    """A value with nothing in it. Text: an empty scalar, or an empty list of a list type (an
    empty list where a number belongs is the wrong type). Typed: a blank string where text
    belongs (a JSON ``[]`` or ``""`` elsewhere is a value of its own type)."""
    kind = TYPES[type_name]
    if isinstance(node, Scalar):
        if node.typed:
            return kind.takes_text and isinstance(node.typed_value, str) and not node.text.strip()
        return not node.text.strip()
    if typed or not kind.is_list:
        return False
    return not node.items if isinstance(node, Items) else not node.pairs


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
    "TYPES",
    "TYPE_NAMES",
    "FieldSpec",
    "Finding",
    "ValueType",
    "Wrong",
    "build_field",
    "build_fields",
    "check_fields",
    "check_value",
    "is_empty",
    "type_error",
    "unwrap_link",
    "url_error",
]
