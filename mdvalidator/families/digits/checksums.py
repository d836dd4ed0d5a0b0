"""MDV326, MDV329: SHA256SUMS files (the ``sha256sum`` output format): parsed, and verified."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from mdvalidator.digests import SHA256_HEX
from mdvalidator.families.digits.checks import show
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.family import Files
from mdvalidator.problem import AssetRef, Problem
from mdvalidator.reading import ReadError, ReadFailure

CHECKSUM_MISMATCH = rule(
    "MDV326",
    "checksum-mismatch",
    "A file's sha256 differs from SHA256SUMS",
    """
SHA256SUMS (the `sha256sum` format) records what the publisher shipped; a different digest
means a corrupt or replaced file. Reported at the SHA256SUMS line, with both digests.

Failing:  the weights were re-uploaded without updating SHA256SUMS
Passing:  `sha256sum -c SHA256SUMS` succeeds
""",
)

CHECKSUM_FILE_INVALID = rule(
    "MDV329",
    "checksum-file-invalid",
    "A SHA256SUMS line is malformed or names a missing file",
    """
Each line is `<64 hex digits><two spaces or space-star><file name>`, the name a file of the
folder.

Failing:  `d41d8cd9  labels.txt` (an md5, too short)
Passing:  `<64 hex digits>  labels.txt`
""",
)


# "<digest>  <name>" (text mode) or "<digest> *<name>" (binary mode)
_LINE = re.compile(f"^({SHA256_HEX}) [ *](.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class SumEntry:
    line: int
    digest: str
    name: str


@dataclass(frozen=True)
class SumsFile:
    entries: tuple[SumEntry, ...]
    errors: tuple[tuple[int, str], ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(entry.name for entry in self.entries)


def unsafe_path_reason(name: str) -> str | None:
    """Why a listed name is not a relative path inside the folder, or ``None``."""
    path = PurePosixPath(name)
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "it is not a relative path"
    if any(part in ("..", ".") for part in path.parts) or "//" in name:
        return "it leaves the folder or is not a normal path"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "it holds control characters"
    return None


def parse_sums(data: bytes) -> SumsFile:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return SumsFile((), ((0, "not valid UTF-8"),))
    entries: list[SumEntry] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            errors.append((number, f"not '<64 hex digits>  <file name>': {show(line, 60)}"))
            continue
        digest, name = match.group(1).lower(), match.group(2)
        reason = unsafe_path_reason(name)
        if reason:
            errors.append((number, f"{show(name)} is refused: {reason}"))
        elif name in seen:
            errors.append((number, f"{show(name)} is already listed at line {seen[name]}"))
        else:
            seen[name] = number
            entries.append(SumEntry(number, digest, name))
    return SumsFile(tuple(entries), tuple(errors))


def sums_problems(path: str, sums: SumsFile) -> list[Problem]:
    return [CHECKSUM_FILE_INVALID.problem(path, line, 1, message) for line, message in sums.errors]


def verify_folder(
    path: str, files: Files, folder: str, sums: SumsFile
) -> tuple[list[Problem], list[AssetRef]]:
    """Hash every listed file the source holds (streaming) and compare; the files it holds
    only a link to (a live store asked to verify) become assets to download and verify."""
    problems: list[Problem] = []
    refs: list[AssetRef] = []
    for entry in sums.entries:
        try:
            found = files.digest(folder, entry.name)
        except ReadError as error:
            if error.kind is ReadFailure.NOT_REGULAR:
                message = f"{show(entry.name)} is not a regular file of the folder"
            else:
                detail = error.message.removeprefix("cannot read: ")
                message = f"cannot read {show(entry.name)}: {detail}"
            problems.append(CHECKSUM_FILE_INVALID.problem(path, entry.line, 1, message))
            continue
        if found is not None:
            if found[0] != entry.digest:
                problems.append(mismatch(path, entry, found[0]))
            continue
        url = files.url(posixpath.join(folder, entry.name) if folder else entry.name)
        if url is not None:
            refs.append(AssetRef(path, entry.line, url, entry.digest, entry.line, name=entry.name))
    return problems, refs


def mismatch(path: str, entry: SumEntry, actual: str) -> Problem:
    return CHECKSUM_MISMATCH.problem(
        path, entry.line, 1, f"{show(entry.name)}: expected {entry.digest}, got {actual}"
    )


def format_sums(digests: dict[str, str]) -> str:
    """SHA256SUMS text for name -> digest, sorted by name (what ``sha256sum`` writes)."""
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests))


RULES = (CHECKSUM_MISMATCH, CHECKSUM_FILE_INVALID)
