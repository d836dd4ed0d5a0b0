"""``--fix``: write computed sha256 values into cards, changing nothing else.

Only the digest's characters are replaced (quotes, spacing, comments and the line ending stay);
a card with no ``asset-sha256`` line gets one right after the ``asset-link`` line, indented like
it. Files are rewritten atomically (temporary file + rename, permissions kept).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from mdvalidator.atomic import write_atomic
from mdvalidator.problem import AssetResult, AssetStatus
from mdvalidator.sanitize import clean

_COLON = rb"(?::|\xef\xbc\x9a)"  # ASCII or full-width colon (Chinese cards)
_SHA_LINE = re.compile(
    rb"^(?P<lead>[ \t]*(?:-[ \t]+)?asset-sha256[ \t]*" + _COLON + rb"[ \t]*)"
    rb"(?P<quote>[\"']?)(?P<value>[^\"'\s#]*)(?P=quote)"
)
_LINK_LINE = re.compile(rb"^(?P<indent>[ \t]*(?:-[ \t]+)?)asset-link[ \t]*" + _COLON)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def fixable(result: AssetResult) -> bool:
    """A result whose card should get ``result.actual`` as its sha256."""
    if result.actual is None or not _SHA256.match(result.actual):
        return False
    if result.status is AssetStatus.MISMATCH:
        return True
    return result.status is AssetStatus.SKIPPED and not _SHA256.match(result.ref.expected)


def apply_fixes(results: Sequence[AssetResult]) -> list[str]:
    """Fix every fixable result's card; messages say what changed (or why not)."""
    by_file: dict[str, dict[int, AssetResult]] = {}
    for result in results:
        if fixable(result):
            by_file.setdefault(result.ref.path, {})[result.ref.sha_line or result.ref.line] = result
    messages: list[str] = []
    for path, edits in sorted(by_file.items()):
        messages.extend(_fix_file(Path(path), edits))
    return messages


def _fix_file(path: Path, edits: dict[int, AssetResult]) -> list[str]:
    shown = clean(str(path), 200)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [f"{shown}: not fixed: cannot read ({clean(exc.strerror or '', 80)})"]
    lines = data.splitlines(keepends=True)
    messages: list[str] = []
    changed = False
    for number in sorted(edits, reverse=True):  # bottom up: an inserted line shifts those below
        result = edits[number]
        actual = (result.actual or "").encode("ascii")
        index = number - 1
        if not 0 <= index < len(lines):
            messages.append(f"{shown}:{number}: not fixed: the file has changed since the check")
            continue
        line = lines[index]
        sha = _SHA_LINE.match(line)
        link = _LINK_LINE.match(line)
        old = result.ref.expected
        if sha is not None:
            value = sha.group("value").decode("utf-8", "replace").lower()
            if value != old.strip("'\"").lower():
                note = "not fixed: asset-sha256 changed since the check"
                messages.append(f"{shown}:{number}: {note}")
                continue
            lines[index] = line[: sha.start("value")] + actual + line[sha.end("value") :]
        elif link is not None and not old:
            ending = line[len(line.rstrip(b"\r\n")) :] or _file_ending(lines)
            indent = b" " * len(link.group("indent"))
            lines.insert(index + 1, indent + b"asset-sha256: " + actual + ending)
            if not line.endswith((b"\n", b"\r")):
                lines[index] = line + ending
            number += 1
        else:
            messages.append(f"{shown}:{number}: not fixed: no asset-sha256 line found there")
            continue
        changed = True
        was = clean(old, 80) if old else "missing"
        messages.append(f"{shown}:{number}: asset-sha256 set to {result.actual} (was {was})")
    if changed:
        try:
            write_atomic(path, b"".join(lines))
        except OSError as exc:
            return [f"{shown}: not fixed: cannot write ({clean(exc.strerror or '', 80)})"]
    return sorted(messages, key=_line_of)


def _line_of(message: str) -> int:
    match = re.search(r":(\d+): ", message)
    return int(match.group(1)) if match else 0


def _file_ending(lines: list[bytes]) -> bytes:
    for line in lines:
        if line.endswith(b"\r\n"):
            return b"\r\n"
        if line.endswith(b"\n"):
            return b"\n"
    return b"\n"
