"""Inline suppressions written in a card.

One directive grammar, in an HTML comment (invisible when the card is rendered) or, inside the
YAML header, a ``#`` comment::

    <!-- mdvalidator: disable -->                   everything below, until enable
    <!-- mdvalidator: disable=MDV106,MDV107 -->     these codes below, until enable
    <!-- mdvalidator: enable=MDV106 -->             lifts a disable (of these codes only)
    <!-- mdvalidator: disable-next-line=MDV141 -->  only the next line
    <!-- mdvalidator: disable-file=MDV132 -->       the whole file
    author: me  # mdvalidator: disable-line=MDV106  only this line

Codes are rule codes, code prefixes (``MDV1``) or rule names. Each directive is read in order,
code by code: ``enable=MDV141`` after ``disable=MDV106,MDV141`` lifts MDV141 and keeps MDV106
disabled. Problems about the whole file (line 0) are silenced by ``disable-file`` or by a
``disable`` that is never lifted.

Integrity rules (:func:`mdvalidator.registry.is_integrity`) are never silenced from here; a
directive naming one, or covering a line where one is reported, is reported itself (MDV016),
and so is a directive naming a code that matches no rule (MDV017).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from mdvalidator.family import Disable
from mdvalidator.registry import all_rules, matching_codes
from mdvalidator.rule import is_integrity

DIRECTIVE = re.compile(
    r"(?:<!--|#)\s*mdvalidator:\s*"
    r"(?P<verb>disable-next-line|disable-line|disable-file|disable|enable)"
    r"(?:\s*=\s*(?P<codes>[A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*))?"
    r"\s*(?:-->|$)"
)
END_OF_FILE = 1 << 30


@dataclass(frozen=True)
class Directive(Disable):
    """A :class:`Disable` that remembers the directive that made it.

    ``codes`` are rule codes (expanded from prefixes and names; empty: every rule), ``line``
    is where the directive is written, ``unknown`` what it names that matches no rule and
    ``refused`` the integrity codes it names. A directive that silences nothing (``enable``,
    or one naming only unknown codes) is kept with an empty range (first_line > last_line)
    so that its notes still reach the report.
    """

    line: int = 0
    unknown: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()


@cache
def _every_code() -> tuple[str, ...]:
    return tuple(rule.code for rule in all_rules())


@cache
def _expand(written: str) -> tuple[str, ...]:
    return matching_codes(written)


def _written(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    items = {c.strip() for c in text.split(",") if c.strip()}
    return tuple(sorted(c.upper() if c[:3].upper() == "MDV" else c.lower() for c in items))


@dataclass(frozen=True)
class _Parsed:
    verb: str
    line: int
    codes: tuple[str, ...]  # expanded; every code when the directive names none
    unknown: tuple[str, ...]
    refused: tuple[str, ...]


def _parse(verb: str, line: int, text: str | None) -> _Parsed:
    written = _written(text)
    if not written:
        return _Parsed(verb, line, _every_code(), (), ())
    codes: set[str] = set()
    unknown: list[str] = []
    refused: list[str] = []
    for item in written:
        expanded = _expand(item)
        if not expanded:
            unknown.append(item)
        elif any(is_integrity(code) for code in expanded):
            refused.append(item)
        codes.update(expanded)
    return _Parsed(verb, line, tuple(sorted(codes)), tuple(unknown), tuple(refused))


def parse_directives(lines: Iterable[str]) -> tuple[Disable, ...]:
    """The suppressions that a card's lines declare (1-based line ranges), in order."""
    result: list[Directive] = []
    # code -> (first line silenced, line of the disable directive)
    open_codes: dict[str, tuple[int, int]] = {}
    for number, text in enumerate(lines, start=1):
        if "mdvalidator" not in text:
            continue
        for match in DIRECTIVE.finditer(text):
            parsed = _parse(match.group("verb"), number, match.group("codes"))
            result.extend(_apply(parsed, open_codes))
    result.extend(_ranges(open_codes, END_OF_FILE))
    return tuple(result)


def _apply(parsed: _Parsed, open_codes: dict[str, tuple[int, int]]) -> list[Directive]:
    notes = {"unknown": parsed.unknown, "refused": parsed.refused}
    line, codes = parsed.line, parsed.codes
    if parsed.verb == "disable-line":
        return [Directive(codes, line, line, line, **notes)]
    if parsed.verb == "disable-next-line":
        return [Directive(codes, line + 1, line + 1, line, **notes)]
    if parsed.verb == "disable-file":
        return [Directive(codes, 0, END_OF_FILE, line, **notes)]
    out: list[Directive] = []
    if parsed.unknown or parsed.refused:
        out.append(Directive((), 1, 0, line, **notes))  # the notes; its codes open below
    if parsed.verb == "disable":
        for code in codes:
            open_codes.setdefault(code, (line, line))
        return out
    closing = {code: open_codes.pop(code) for code in codes if code in open_codes}
    out.extend(_ranges(closing, line))
    return out


def _ranges(open_codes: dict[str, tuple[int, int]], last: int) -> list[Directive]:
    """One range per disable directive still open (its codes grouped), closed at ``last``."""
    grouped: dict[tuple[int, int], list[str]] = {}
    for code, start in open_codes.items():
        grouped.setdefault(start, []).append(code)
    open_codes.clear()
    return [
        Directive(tuple(sorted(codes)), first, last, line)
        for (first, line), codes in sorted(grouped.items())
    ]


def covers(disable: Disable, rule: str, name: str, line: int) -> bool:
    """Whether ``disable`` names this rule and reaches this line (integrity or not)."""
    in_range = disable.first_line <= line <= disable.last_line or (
        line == 0 and disable.last_line == END_OF_FILE and disable.first_line <= disable.last_line
    )
    return in_range and (
        not disable.codes or any(rule.startswith(code) or name == code for code in disable.codes)
    )


def is_suppressed(rule: str, name: str, line: int, disables: Iterable[Disable]) -> bool:
    """Whether a problem is silenced by a directive; integrity rules never are."""
    if is_integrity(rule):
        return False
    return any(covers(disable, rule, name, line) for disable in disables)
