"""Value types of header fields, judged on the text as written (never converted by YAML)."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable

from mdvalidator.families.mindspore.yamlpos import Mapping, Node, Scalar, Sequence
from mdvalidator.urls import link_problem

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
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


def _scalar_error(
    check: Callable[[str], str | None], what: str = "a single value"
) -> Callable[[Node], str | None]:
    def judge(node: Node) -> str | None:
        if not isinstance(node, Scalar):
            return f"must be {what}, not a list or mapping"
        return check(node.text.strip())

    return judge


def _string(text: str) -> str | None:
    return None


def _bool(text: str) -> str | None:
    return None if text.lower() in ("true", "false") else "must be true or false"


def _number(text: str) -> str | None:
    try:
        value = float(text)
    except ValueError:
        return "must be a number"
    return None if math.isfinite(value) else "must be a finite number"


def _date(text: str) -> str | None:
    match = _DATE.match(text)
    if match is None:
        return "must be a date written YYYY-M-D"
    try:
        datetime.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        return f"is not a real date ({exc})"
    return None


def _version(text: str) -> str | None:
    return None if _VERSION.match(text) else "must be a version such as 1.10"


def _sha256(text: str) -> str | None:
    if _HEX64.match(text):
        return None
    return f"must be 64 hexadecimal characters (has {len(text)})"


_INT_LIST = "must be a list of positive integers such as [224, 224, 3]"
_SHAPE = (
    "must be a shape such as [224, 224, 3], or one shape per input such as [[1, 128], [1, 128]]"
)


def _positive_ints(node: Node) -> bool:
    if not isinstance(node, Sequence) or not node.items:
        return False
    return all(
        isinstance(item, Scalar) and _INT.match(item.text) and int(item.text) > 0
        for item in node.items
    )


def _int_list(node: Node) -> str | None:
    return None if _positive_ints(node) else _INT_LIST


def _shape(node: Node) -> str | None:
    """One input's shape (a list of positive integers), or a list of them (multi-input)."""
    if _positive_ints(node):
        return None
    if isinstance(node, Sequence) and node.items and all(map(_positive_ints, node.items)):
        return None
    return _SHAPE


def _assets(node: Node) -> str | None:
    if not isinstance(node, Sequence) or not all(isinstance(i, Mapping) for i in node.items):
        return "must be a list of items with file-format, asset-link and asset-sha256"
    return None


TYPE_CHECKS: dict[str, Callable[[Node], str | None]] = {
    "string": _scalar_error(_string),
    "bool": _scalar_error(_bool, "true or false"),
    "number": _scalar_error(_number, "a number"),
    "date": _scalar_error(_date, "a date"),
    "url": _scalar_error(url_error, "a URL"),
    "version": _scalar_error(_version, "a version"),
    "sha256": _scalar_error(_sha256, "a sha256 digest"),
    "int-list": _int_list,
    "shape": _shape,
    "assets": _assets,
}


def is_empty(node: Node, list_type: bool = True) -> bool:
    """A value with nothing in it. For a field whose type is not a list (``list_type``
    False), an empty list or mapping is not empty but the wrong type: ``accuracy: []``."""
    if isinstance(node, Scalar):
        return not node.text.strip()
    if not list_type:
        return False
    if isinstance(node, Sequence):
        return not node.items
    return not node.pairs
