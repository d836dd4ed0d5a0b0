"""``--fix`` for card text: ``evaluation: -`` becomes ``evaluation: no`` (MDV012), and
``mindspore-version: v1.2`` becomes ``mindspore-version: 1.2`` (MDV135).

Only the dash (or the ``v``) is replaced, on the very line the problem names, and only when
that line still reads ``key: -`` (``key: v<version>``): every other byte of the file stays as
it was (CRLF line ends, BOM, spacing). Files are replaced atomically with their permissions;
a symbolic link or a read-only file is left alone.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mdvalidator.atomic import write_atomic
from mdvalidator.families.mindspore.rules.folders import VERSION_V_PREFIX
from mdvalidator.families.mindspore.rules.parsing import DASH_VALUE
from mdvalidator.problem import Problem
from mdvalidator.sanitize import clean

_DASH_LINE = re.compile(
    rb"^(?P<key>[^:\s#][^:\r\n]*?)[ \t]*:[ \t]*(?P<dash>-)[ \t]*(?:\r\n|\n|\r)?$"
)
_V_LINE = re.compile(
    rb"^(?P<key>[^:\s#][^:\r\n]*?)[ \t]*:[ \t]*(?P<v>[vV])(?P<version>[0-9][0-9A-Za-z.+-]*)"
    rb"[ \t]*(?:\r\n|\n|\r)?$"
)
_MAX_BYTES = 16 * 1024 * 1024  # far above any card cap: a file grown since the check is left


@dataclass(frozen=True)
class CardFix:
    """One text fix tried: the problem's path and line, whether it was written, and why."""

    path: str
    line: int
    fixed: bool
    message: str


def fix_card_text(problems: Iterable[Problem]) -> list[CardFix]:
    """Apply the text fixes of ``problems`` (those of rules this module fixes)."""
    lines_by_file: dict[str, dict[int, str]] = {}
    for problem in problems:
        if problem.rule in (DASH_VALUE.code, VERSION_V_PREFIX.code) and problem.line > 0:
            lines_by_file.setdefault(problem.path, {})[problem.line] = problem.rule
    outcomes: list[CardFix] = []
    for path, numbers in sorted(lines_by_file.items()):
        outcomes.extend(_fix_file(path, numbers))
    return outcomes


def fix_cards(problems: Iterable[Problem]) -> list[str]:
    """:func:`fix_card_text`, as messages saying what changed, or why not."""
    return [
        f"{clean(o.path, 200)}:{o.line}: {o.message}" if o.fixed else o.message
        for o in fix_card_text(problems)
    ]


class _Refused(Exception):
    """A card this fixer does not write (the reason is the message)."""


def _read(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_BYTES:
            raise _Refused("not a regular file")
        # The mode bits too: root may write anything, but a card made read-only stays so.
        if not info.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
            raise _Refused("the file is read-only")
        chunks = []
        while chunk := os.read(descriptor, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _rewrite(line: bytes, rule: str) -> tuple[bytes, str] | None:
    """The fixed line and what changed, or None when it no longer reads as checked."""
    if rule == VERSION_V_PREFIX.code:
        found = _V_LINE.match(line)
        if found is None:
            return None
        key = clean(found.group("key").decode("utf-8", "replace"), 60)
        version = clean(found.group("version").decode("ascii", "replace"), 40)
        fixed = line[: found.start("v")] + line[found.end("v") :]
        return fixed, f"'{key}: v{version}' set to '{key}: {version}'"
    match = _DASH_LINE.match(line)
    if match is None:
        return None
    key = clean(match.group("key").decode("utf-8", "replace"), 60)
    fixed = line[: match.start("dash")] + b"no" + line[match.end("dash") :]
    return fixed, f"'{key}: -' set to '{key}: no'"


def _fix_file(display: str, numbers: dict[int, str]) -> list[CardFix]:
    path = Path(display)
    shown = clean(display, 200)

    def refused(message: str) -> list[CardFix]:
        return [CardFix(display, 0, False, message)]

    try:
        data = _read(path)
    except _Refused as exc:
        return refused(f"{shown}: not fixed: {exc}")
    except OSError as exc:
        return refused(f"{shown}: not fixed: cannot read ({clean(exc.strerror or '', 80)})")
    # bytes.splitlines breaks at LF, CRLF and CR only: the lines the checks count.
    lines = data.splitlines(keepends=True)
    messages: list[CardFix] = []
    changed = False
    for number in sorted(numbers):
        index = number - 1
        rewritten = _rewrite(lines[index], numbers[number]) if 0 <= index < len(lines) else None
        if rewritten is None:
            messages.append(
                CardFix(
                    display,
                    number,
                    False,
                    f"{shown}:{number}: not fixed: the line has changed since the check",
                )
            )
            continue
        lines[index], message = rewritten
        messages.append(CardFix(display, number, True, message))
        changed = True
    if changed:
        try:
            write_atomic(path, b"".join(lines))
        except OSError as exc:
            return refused(f"{shown}: not fixed: cannot write ({clean(exc.strerror or '', 80)})")
    return messages
