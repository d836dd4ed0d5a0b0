"""``--fix`` for moved assets (MDV231): write the verified moved link into the card.

Only a result whose moved link was downloaded in this run and hashed to the card's sha256
(``AssetResult.moved_to``, set by :mod:`mdvalidator.assets.moves`, never read from a report)
is written. Only the link's characters change: the key, quotes or angle brackets around the
link, comments, spacing and line endings stay byte for byte. The line must still hold the link
the check read, as the whole value; the file is refused when it is a symbolic link, read-only,
hard-linked or changed meanwhile (the rules of :mod:`mdvalidator.assets.fix`), and written
atomically.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mdvalidator.assets.fix import identity, read_editable
from mdvalidator.atomic import write_atomic
from mdvalidator.problem import AssetResult, AssetStatus
from mdvalidator.sanitize import clean

_COLON = rb"(?::|\xef\xbc\x9a)"  # ASCII or full-width colon (Chinese cards)
_LINK_KEY = re.compile(rb"^[ \t]*(?:-[ \t]+)?asset-link[ \t]*" + _COLON + rb"[ \t]*")
# A link written into a card must not change how YAML or markdown reads the line.
_SAFE_LINK = re.compile(r"^https://[A-Za-z0-9\-._~:/?\[\]@!$&()*+,;=%]+$")


@dataclass(frozen=True)
class LinkFix:
    """One link rewritten (``fixed``) or refused (``reason``)."""

    path: str
    line: int
    old: str
    new: str
    fixed: bool = True
    reason: str = ""

    def __str__(self) -> str:
        shown = clean(self.path, 200)
        if not self.fixed:
            return f"{shown}:{self.line}: not fixed: {self.reason}"
        return f"{shown}:{self.line}: asset-link set to {clean(self.new, 300)}"


def movable(result: AssetResult) -> bool:
    """A result whose card may get ``result.moved_to`` as its link."""
    return bool(result.moved_to) and result.status is not AssetStatus.VERIFIED


def apply_moves(results: Sequence[AssetResult]) -> list[LinkFix]:
    """Rewrite every moved result's link; one outcome per link, by path then line."""
    by_file: dict[str, dict[int, AssetResult]] = {}
    for result in results:
        if movable(result):
            by_file.setdefault(result.ref.path, {})[result.ref.line] = result
    outcomes: list[LinkFix] = []
    for path, edits in sorted(by_file.items()):
        outcomes.extend(_fix_file(path, edits))
    return outcomes


def _refused(result: AssetResult, reason: str) -> LinkFix:
    ref = result.ref
    return LinkFix(ref.path, ref.line, ref.url, result.moved_to, fixed=False, reason=reason)


def _fix_file(name: str, edits: dict[int, AssetResult]) -> list[LinkFix]:
    path = Path(name)
    problem, data, before = read_editable(path)
    if problem:
        return [_refused(edits[n], problem) for n in sorted(edits)]
    lines = data.splitlines(keepends=True)
    outcomes = [_edit(lines, edits[number]) for number in sorted(edits)]
    if any(o.fixed for o in outcomes):
        try:
            if identity(os.lstat(path)) != before:
                reason = "the file changed while it was being fixed"
                return [_refused(edits[n], reason) for n in sorted(edits)]
            write_atomic(path, b"".join(lines))
        except OSError as exc:
            reason = f"cannot write ({clean(exc.strerror or type(exc).__name__, 120)})"
            return [_refused(edits[n], reason) for n in sorted(edits)]
    return outcomes


def _edit(lines: list[bytes], result: AssetResult) -> LinkFix:
    """Replace the link on its line in place (no line moves), or say why not."""
    ref = result.ref
    if not _SAFE_LINK.match(result.moved_to):
        return _refused(result, "the moved link holds characters a card cannot carry as is")
    if not 0 < ref.line <= len(lines):
        return _refused(result, "the file has changed since the check")
    line = lines[ref.line - 1]
    key = _LINK_KEY.match(line)
    old = ref.url.encode("utf-8")
    if key is None:
        return _refused(result, f"line {ref.line} holds no asset-link (the file has changed?)")
    begin = _value_start(line, key.end())
    end = begin + len(old)
    if line[begin:end] != old or not _closed(line[key.end() : begin], line[end:]):
        reason = f"line {ref.line} does not hold this asset's link (the file has changed?)"
        return _refused(result, reason)
    lines[ref.line - 1] = line[:begin] + result.moved_to.encode("ascii") + line[end:]
    return LinkFix(ref.path, ref.line, ref.url, result.moved_to)


def _value_start(line: bytes, at: int) -> int:
    """Where the link starts: after an opening quote, then ``<`` and blanks, if any."""
    if line[at : at + 1] in (b'"', b"'"):
        at += 1
    if line[at : at + 1] == b"<":
        at += 1
        while line[at : at + 1] in (b" ", b"\t"):
            at += 1
    return at


def _closed(opening: bytes, rest: bytes) -> bool:
    """Whether ``rest`` closes what ``opening`` opened, so the link was the whole value."""
    quote = opening[:1] if opening[:1] in (b'"', b"'") else b""
    if b"<" in opening:
        rest = rest.lstrip(b" \t")
        if not rest.startswith(b">"):
            return False
        rest = rest[1:]
    if quote:
        return rest.startswith(quote)
    return rest == b"" or rest[:1] in (b" ", b"\t", b"\r", b"\n")


__all__ = ["LinkFix", "apply_moves", "movable"]
