"""``--fix``: write computed sha256 values into cards, changing nothing else.

Only verified facts are written: a digest computed on a body whose end the server marked
(Content-Length, Content-Range or chunked encoding). A close-delimited body is refused: a
download cut short is indistinguishable from a whole one.

Only the digest's characters are replaced (quotes, spacing, comments and the line ending stay);
an empty ``asset-sha256:`` is filled in place; a card with no ``asset-sha256`` line gets one
right after the ``asset-link`` line, indented like it. Before editing, the lines must still say
what the check read: the link's line holds the asset's link, the digest's line its key and the
old value; otherwise the card is left alone with a message saying why.

The file keeps its identity: rewritten atomically with its owner, group and mode; a read-only
file, a symbolic link or a file with several hard links is refused, not replaced.

:func:`apply_fixes` returns one :class:`FixOutcome` per edit tried (``str()`` of it is the line
to print), so a caller can report fixed problems by path, line and rule code.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mdvalidator.atomic import write_atomic
from mdvalidator.digests import is_sha256
from mdvalidator.problem import AssetResult, AssetStatus
from mdvalidator.sanitize import clean

_COLON = rb"(?::|\xef\xbc\x9a)"  # ASCII or full-width colon (Chinese cards)
_SHA_LINE = re.compile(
    rb"^(?P<lead>[ \t]*(?:-[ \t]+)?asset-sha256[ \t]*" + _COLON + rb"[ \t]*)"
    rb"(?P<quote>[\"']?)(?P<value>[^\"'\s#]*)(?P=quote)"
)
_LINK_LINE = re.compile(rb"^(?P<indent>[ \t]*(?:-[ \t]+)?)asset-link[ \t]*" + _COLON)
MISMATCH_RULE = "MDV201"  # asset-sha256-mismatch
PLACEHOLDER_RULE = "MDV230"  # asset-link-serves-placeholder (never fixed: the link is wrong)
INVALID_RULE = "MDV122"  # invalid-sha256
MISSING_RULE = "MDV121"  # asset-field-missing (absent or empty)


@dataclass(frozen=True)
class FixOutcome:
    """One digest written (``fixed``) or refused (``reason`` says why).

    ``line`` is the line edited, numbered as in the file that was checked (the digest's line;
    for an inserted digest, the link's line, after which it goes); ``asset_line`` is the link's
    line; ``rule`` the code of the problem the edit fixes; ``old`` the digest as it was ("" when
    absent or empty) and ``new`` the digest written.
    """

    path: str
    line: int
    rule: str
    old: str
    new: str
    fixed: bool = True
    reason: str = ""
    asset_line: int = 0
    inserted: bool = False

    def __str__(self) -> str:
        shown = clean(self.path, 200)
        if not self.fixed:
            return f"{shown}:{self.line}: not fixed: {self.reason}"
        line = self.line + 1 if self.inserted else self.line
        was = clean(self.old, 80) if self.old else "missing" if self.inserted else "empty"
        return f"{shown}:{line}: asset-sha256 set to {self.new} (was {was})"


def fixable(result: AssetResult) -> bool:
    """A result whose card should get ``result.actual`` as its sha256 (if it is a fact)."""
    if result.actual is None or not is_sha256(result.actual):
        return False
    if result.status is AssetStatus.MISMATCH:
        return True
    return result.status is AssetStatus.SKIPPED and not is_sha256(result.ref.expected)


def apply_fixes(results: Sequence[AssetResult]) -> list[FixOutcome]:
    """Fix every fixable result's card; one outcome per edit tried, by path then line."""
    by_file: dict[str, dict[int, AssetResult]] = {}
    for result in results:
        if fixable(result):
            by_file.setdefault(result.ref.path, {})[result.ref.sha_line or result.ref.line] = result
    outcomes: list[FixOutcome] = []
    for path, edits in sorted(by_file.items()):
        outcomes.extend(_fix_file(path, edits))
    return outcomes


def _rule(result: AssetResult) -> str:
    expected = result.ref.expected.strip("'\"")
    if result.status is AssetStatus.MISMATCH:
        return PLACEHOLDER_RULE if result.served else MISMATCH_RULE
    return INVALID_RULE if expected else MISSING_RULE


def _refused(path: str, number: int, result: AssetResult, reason: str) -> FixOutcome:
    return FixOutcome(
        path,
        number,
        _rule(result),
        result.ref.expected,
        result.actual or "",
        fixed=False,
        reason=reason,
        asset_line=result.ref.line,
    )


def _fix_file(name: str, edits: dict[int, AssetResult]) -> list[FixOutcome]:
    path = Path(name)

    def refuse_all(reason: str) -> list[FixOutcome]:
        return [_refused(name, n, edits[n], reason) for n in sorted(edits)]

    problem, data, before = read_editable(path)
    if problem:
        return refuse_all(problem)
    lines = data.splitlines(keepends=True)
    outcomes: list[FixOutcome] = []
    for number in sorted(edits, reverse=True):  # bottom up: an inserted line shifts those below
        outcome = _edit(lines, name, number, edits[number])
        outcomes.append(outcome)
    if any(o.fixed for o in outcomes):
        try:
            if identity(os.lstat(path)) != before:
                return refuse_all("the file changed while it was being fixed")
            write_atomic(path, b"".join(lines))
        except OSError as exc:
            return refuse_all(f"cannot write ({clean(exc.strerror or type(exc).__name__, 120)})")
    return sorted(outcomes, key=lambda o: o.line)


def identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns


def read_editable(path: Path) -> tuple[str, bytes, tuple[int, int, int, int]]:
    """(why not, content, identity): refuses links, read-only and multiply-linked files."""
    nothing = (0, 0, 0, 0)
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot read ({clean(exc.strerror or '', 80)})", b"", nothing
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link (fix the file it points to instead)", b"", nothing
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file", b"", nothing
    if info.st_nlink > 1:
        return "has other hard links, which a rewrite would split off", b"", nothing
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        return "the file is read-only", b"", nothing
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as stream:
            data = stream.read()
            opened = os.fstat(stream.fileno())
    except OSError as exc:
        return f"cannot read ({clean(exc.strerror or '', 80)})", b"", nothing
    if identity(opened) != identity(info):
        return "the file changed while it was being read", b"", nothing
    return "", data, identity(info)


def _edit(lines: list[bytes], name: str, number: int, result: AssetResult) -> FixOutcome:
    """Apply one edit to ``lines`` in place, or say why not."""
    ref = result.ref
    actual = (result.actual or "").encode("ascii")
    if result.served:
        reason = f"the link serves {result.served}: fix the link, not the digest"
        return _refused(name, number, result, reason)
    if not result.delimited:
        reason = (
            "the server marked no end of the download (no Content-Length, not chunked),"
            " so a cut-short download cannot be told from a whole one"
        )
        return _refused(name, number, result, reason)
    index = number - 1
    if not 0 <= index < len(lines) or not 0 < ref.line <= len(lines):
        return _refused(name, number, result, "the file has changed since the check")
    if ref.url.encode("utf-8") not in lines[ref.line - 1]:
        reason = f"line {ref.line} does not hold this asset's link (the file has changed?)"
        return _refused(name, number, result, reason)
    line = lines[index]
    sha = _SHA_LINE.match(line)
    link = _LINK_LINE.match(line)
    old = ref.expected
    rule = _rule(result)
    if sha is not None:
        value = sha.group("value").decode("utf-8", "replace").lower()
        if value != old.strip("'\"").lower():
            return _refused(name, number, result, "asset-sha256 changed since the check")
        # "asset-sha256:" with nothing after it needs a space before the value it gets.
        # "asset-sha256:" with nothing after it needs a space before the value it gets, and a
        # comment right after it one before the "#" (else YAML reads "#..." into the value).
        plain = not sha.group("quote")
        before = b" " if plain and sha.group("lead").endswith(b":") else b""
        rest = line[sha.end("value") :]
        after = b" " if plain and rest.startswith(b"#") else b""
        lines[index] = line[: sha.start("value")] + before + actual + after + rest
        return FixOutcome(name, number, rule, old, result.actual or "", asset_line=ref.line)
    if link is not None and not old and number == ref.line:
        ending = line[len(line.rstrip(b"\r\n")) :] or _file_ending(lines)
        indent = b" " * len(link.group("indent"))
        lines.insert(index + 1, indent + b"asset-sha256: " + actual + ending)
        if not line.endswith((b"\n", b"\r")):
            lines[index] = line + ending
        return FixOutcome(
            name, number, rule, old, result.actual or "", asset_line=ref.line, inserted=True
        )
    return _refused(name, number, result, f"line {number} holds no asset-sha256 of this asset")


def _file_ending(lines: list[bytes]) -> bytes:
    for line in lines:
        if line.endswith(b"\r\n"):
            return b"\r\n"
        if line.endswith(b"\n"):
            return b"\n"
    return b"\n"
