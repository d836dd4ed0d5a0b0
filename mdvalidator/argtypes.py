"""Parsers for option values (sizes, counts), shared by the command line and settings files.

Each parser raises ``ValueError`` with a message fit for a user; :func:`argtype` turns one into
an argparse ``type=`` that reports the message as a usage error.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str) -> int:
    """``"2G"`` -> 2147483648; plain numbers are bytes. ``ValueError`` on anything else."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (say e.g. 500M, 2G or a number of bytes)")
    number, unit, _ = match.groups()
    size = int(float(number) * _UNITS[unit.lower()])
    if size <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return size


def at_least(minimum: float, kind: Callable[[str], T], what: str) -> Callable[[str], T]:
    """A parser of numbers of type ``kind`` no smaller than ``minimum``."""

    def parse(text: str) -> T:
        try:
            value = kind(text.strip())
        except ValueError:
            raise ValueError(f"expected {what}, got {text[:40]!r}") from None
        if value < minimum:  # type: ignore[operator]
            raise ValueError(f"expected {what} of {minimum:g} or more")
        return value

    parse.__name__ = what.replace(" ", "_")
    return parse


def argtype(parse: Callable[[str], T]) -> Callable[[str], T]:
    """``parse`` as an argparse ``type=``: its ``ValueError`` becomes a usage error."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__.removeprefix("parse_")
    return convert


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/5"`` -> (2, 5); requires 1 <= I <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"not a shard: {text!r} (say I/N, e.g. 1/4)")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise ValueError(f"shard {text!r} needs 1 <= I <= N")
    return index, count


def parse_mirror(text: str) -> tuple[str, str]:
    """``"https://hub.example/=/srv/mirror/"`` -> (prefix, target)."""
    prefix, sep, target = text.partition("=")
    if not sep or not prefix.strip() or not target.strip():
        raise ValueError(f"not a mirror: {text!r} (say PREFIX=TARGET)")
    return prefix.strip(), target.strip()


def parse_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise ValueError(f"timeout must be positive: {text!r}")
    return value
