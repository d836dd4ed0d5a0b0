"""Inline suppressions written in a card.

One directive grammar, in an HTML comment (invisible when the card is rendered) or, inside the
YAML header, a ``#`` comment::

    <!-- mdvalidator: disable -->                   everything below, until enable
    <!-- mdvalidator: disable=MDV106,MDV107 -->     these codes below, until enable
    <!-- mdvalidator: enable=MDV106 -->             lifts a disable
    <!-- mdvalidator: disable-next-line=MDV141 -->  only the next line
    <!-- mdvalidator: disable-file=MDV132 -->       the whole file
    author: me  # mdvalidator: disable-line=MDV106  only this line

Codes are rule codes, code prefixes (``MDV1``) or rule names. Problems about the whole file
(line 0) are silenced by ``disable-file`` or by a ``disable`` that is never lifted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mdvalidator.families import Disable

DIRECTIVE = re.compile(
    r"(?:<!--|#)\s*mdvalidator:\s*"
    r"(?P<verb>disable-next-line|disable-line|disable-file|disable|enable)"
    r"(?:\s*=\s*(?P<codes>[A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*))?"
    r"\s*(?:-->|$)"
)
END_OF_FILE = 1 << 30


def _codes(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    codes = {c.strip() for c in text.split(",") if c.strip()}
    return tuple(sorted(c.upper() if c[:3].upper() == "MDV" else c.lower() for c in codes))


def parse_directives(lines: Iterable[str]) -> tuple[Disable, ...]:
    """The suppressions that a card's lines declare (1-based line ranges)."""
    result: list[Disable] = []
    open_blocks: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(lines, start=1):
        if "mdvalidator" not in line:
            continue
        for match in DIRECTIVE.finditer(line):
            verb, codes = match.group("verb"), _codes(match.group("codes"))
            if verb == "disable-line":
                result.append(Disable(codes, number, number))
            elif verb == "disable-next-line":
                result.append(Disable(codes, number + 1, number + 1))
            elif verb == "disable-file":
                result.append(Disable(codes, 0, END_OF_FILE))
            elif verb == "disable":
                open_blocks.setdefault(codes, number)
            else:
                _close(open_blocks, codes, number, result)
    for codes, start in open_blocks.items():
        result.append(Disable(codes, start, END_OF_FILE))
    return tuple(result)


def _close(
    open_blocks: dict[tuple[str, ...], int], codes: tuple[str, ...], line: int, out: list[Disable]
) -> None:
    keys = list(open_blocks) if not codes else [k for k in open_blocks if k == codes]
    for key in keys:
        out.append(Disable(key, open_blocks.pop(key), line))


def is_suppressed(rule: str, name: str, line: int, disables: Iterable[Disable]) -> bool:
    for disable in disables:
        in_range = disable.first_line <= line <= disable.last_line or (
            line == 0 and disable.last_line == END_OF_FILE
        )
        if in_range and (
            not disable.codes
            or any(rule.startswith(code) or name == code for code in disable.codes)
        ):
            return True
    return False
