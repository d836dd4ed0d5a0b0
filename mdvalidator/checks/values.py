"""Value types of header fields, judged on the text as written (never converted by YAML)."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable

from mdvalidator.parsing.yamlpos import Mapping, Node, Scalar, Sequence
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


def _scalar_error(check: Callable[[str], str | None]) -> Callable[[Node], str | None]:
    def judge(node: Node) -> str | None:
        if not isinstance(node, Scalar):
            return "must be a single value, not a list or mapping"
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


def _int_list(node: Node) -> str | None:
    if not isinstance(node, Sequence) or not node.items:
        return "must be a list of positive integers such as [224, 224, 3]"
    for item in node.items:
        if not isinstance(item, Scalar) or not _INT.match(item.text) or int(item.text) <= 0:
            return "must be a list of positive integers such as [224, 224, 3]"
    return None


def _assets(node: Node) -> str | None:
    if not isinstance(node, Sequence) or not all(isinstance(i, Mapping) for i in node.items):
        return "must be a list of items with file-format, asset-link and asset-sha256"
    return None


TYPE_CHECKS: dict[str, Callable[[Node], str | None]] = {
    "string": _scalar_error(_string),
    "bool": _scalar_error(_bool),
    "number": _scalar_error(_number),
    "date": _scalar_error(_date),
    "url": _scalar_error(url_error),
    "version": _scalar_error(_version),
    "sha256": _scalar_error(_sha256),
    "int-list": _int_list,
    "assets": _assets,
}


def is_empty(node: Node) -> bool:
    if isinstance(node, Scalar):
        return not node.text.strip()
    if isinstance(node, Sequence):
        return not node.items
    return not node.pairs
