"""The one vocabulary of value types a rule set's fields may declare (``type = "..."``).

Types judge values as written. Text scalars (YAML, which mdvalidator never types) are judged
on their text: ``fine-tunable: true`` is a bool, ``accuracy: 76.5`` a number. Typed scalars
(JSON) are judged on their type: ``"true"`` is a string, not a bool. Adding a type is one
entry of :data:`TYPES`.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from mdvalidator.digests import looks_like_sha256
from mdvalidator.document import Mapping as Fields
from mdvalidator.document import Node, Scalar
from mdvalidator.document import Sequence as Items
from mdvalidator.urls import link_problem

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VERSION = re.compile(r"^v?\d+(\.\d+)*$")
_INT = re.compile(r"^\+?\d+$")


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


__all__ = ["TYPES", "TYPE_NAMES", "ValueType", "is_empty", "type_error", "unwrap_link", "url_error"]
