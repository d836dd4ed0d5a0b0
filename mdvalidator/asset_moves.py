"""A rule set's ``[asset-moves]`` table: host moves a hub knows of, old prefix -> new prefix.

::

    [asset-moves]
    "https://download.mindspore.cn/" = "https://download-mindspore.osinfra.cn/"

Both sides are https links read by the one URL parser (:mod:`mdvalidator.urls`) and end in
``/``, so a prefix covers whole path segments (``https://host/models/`` never matches
``https://host/models-old/``, and ``https://host`` never ``https://host.evil.example``); no
query or fragment. A link under an old prefix whose download fails as dead or permanently
moved is tried at the new prefix (``mdvalidator.assets.moves``): only bytes that hash to the
card's sha256 there make it a fixable move. Rule sets come from the trusted side only
(``mdvalidator.trusted``): a pull request's own table takes effect after merge.

Standard library only: rule sets are read on the offline lint path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TABLE = "asset-moves"
_HEADER = re.compile(r"^\s*\[\s*(?P<name>[^\[\]]+?)\s*\]\s*(?:#.*)?$")


@dataclass(frozen=True)
class Move:
    """One declared move: links starting with ``old`` now live under ``new`` (normalised)."""

    old: str
    new: str

    def apply(self, url: str) -> str:
        """``url`` (normalised, starting with ``old``) under the new prefix."""
        return self.new + url[len(self.old) :]


class MoveError(ValueError):
    """A bad ``[asset-moves]`` entry; ``line`` is its 1-based line in the rule set (0: unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_moves(table: object, text: str = "") -> tuple[Move, ...]:
    """The moves of an ``[asset-moves]`` table (as TOML read it); ``text``, the rule set's
    source, is only used to find the line of a bad entry. Raises :class:`MoveError`."""
    if not isinstance(table, Mapping):
        raise MoveError(f'{TABLE}: must be a table of "OLD PREFIX" = "NEW PREFIX"')
    moves: dict[str, Move] = {}
    for old, new in table.items():
        line = _line_of(text, str(old))
        where = f"{TABLE}.{old!r}"
        if not isinstance(new, str):
            raise MoveError(f"{where}: the new prefix must be a string", line)
        old_url = _prefix(str(old), where, "old", line)
        new_url = _prefix(new, where, "new", line)
        if old_url == new_url:
            raise MoveError(f"{where}: moves a prefix onto itself", line)
        if old_url in moves:
            raise MoveError(f"{where}: the same prefix as {moves[old_url].old!r}", line)
        moves[old_url] = Move(old_url, new_url)
    return tuple(sorted(moves.values(), key=lambda m: (-len(m.old), m.old)))


def _prefix(text: str, where: str, side: str, line: int) -> str:
    from mdvalidator.urls import LinkError, parse_link

    if "?" in text or "#" in text:
        raise MoveError(f"{where}: the {side} prefix may not hold a query or fragment", line)
    try:
        link = parse_link(text)
    except LinkError as error:
        raise MoveError(f"{where}: the {side} prefix {error.message}", line) from None
    if link.scheme != "https":
        raise MoveError(f"{where}: the {side} prefix must be an https URL", line)
    if not text.endswith("/"):
        raise MoveError(
            f"{where}: the {side} prefix must end with '/' (a move covers whole path segments)",
            line,
        )
    return link.url


def find_move(url: str, moves: Sequence[Move]) -> Move | None:
    """The move whose old prefix starts the normalised ``url``: the longest (moves are kept
    longest first), or None."""
    return next((move for move in moves if url.startswith(move.old)), None)


def _line_of(text: str, key: str) -> int:
    """The line of ``key`` inside the ``[asset-moves]`` table of ``text`` (0 if not found)."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            inside = header.group("name").strip("\"' ") == TABLE
            continue
        if inside and key in _keys_of(line):
            return number
        dotted = _keys_of(line).get(TABLE) if not inside else None
        if isinstance(dotted, dict) and key in dotted:
            return number
    return 0


def _keys_of(line: str) -> dict[str, Any]:
    """What one line says as TOML (escapes read), or {} when it is not a whole statement."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        found: dict[str, Any] = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return {}
    return found


__all__ = ["TABLE", "Move", "MoveError", "find_move", "parse_moves"]
