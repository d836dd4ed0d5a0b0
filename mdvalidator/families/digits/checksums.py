"""SHA256SUMS files (the ``sha256sum`` output format): parsing, and verifying a local folder."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mdvalidator.assets.hashing import CHUNK_SIZE, sha256_stream, sha256_stream_overlapped
from mdvalidator.families.digits import rules as R
from mdvalidator.families.digits.checks import show
from mdvalidator.families.digits.folder import is_regular_file, open_inside
from mdvalidator.problem import Problem

# "<digest>  <name>" (text mode) or "<digest> *<name>" (binary mode)
_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


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
    return [
        R.CHECKSUM_FILE_INVALID.problem(path, line, 1, message) for line, message in sums.errors
    ]


def sha256_inside(folder: Path, name: str) -> tuple[str, int]:
    """(hex digest, size) of the regular file ``name`` of ``folder``, opened the way every
    store file is (:func:`~mdvalidator.families.digits.folder.open_inside`: no link at any level, no
    FIFO or device)."""
    with os.fdopen(open_inside(folder, name), "rb", buffering=0) as stream:
        if os.fstat(stream.fileno()).st_size >= 8 * CHUNK_SIZE:  # weights: hash while reading
            digest, size, _ = sha256_stream_overlapped(stream)
            return digest, size
        return sha256_stream(stream)


Hasher = Callable[[Path, str], tuple[str, int]]


def verify_folder(
    path: str, folder: Path, sums: SumsFile, hasher: Hasher = sha256_inside
) -> list[Problem]:
    """Hash every listed file of a local folder (streaming) and compare."""
    problems: list[Problem] = []
    for entry in sums.entries:
        if not _regular_inside(folder, entry.name):
            problems.append(
                R.CHECKSUM_FILE_INVALID.problem(
                    path, entry.line, 1, f"{show(entry.name)} is not a regular file of the folder"
                )
            )
            continue
        try:
            actual, _ = hasher(folder, entry.name)
        except OSError as exc:
            problems.append(
                R.CHECKSUM_FILE_INVALID.problem(
                    path, entry.line, 1, f"cannot read {show(entry.name)}: {exc.strerror or exc}"
                )
            )
            continue
        if actual != entry.digest:
            problems.append(mismatch(path, entry, actual))
    return problems


def _regular_inside(folder: Path, name: str) -> bool:
    """A regular file reached from ``folder`` through real folders only (no links)."""
    current = folder
    *parents, _ = PurePosixPath(name).parts
    for part in parents:
        current = current / part
        if current.is_symlink() or not current.is_dir():
            return False
    return is_regular_file(folder / name)


def mismatch(path: str, entry: SumEntry, actual: str) -> Problem:
    return R.CHECKSUM_MISMATCH.problem(
        path, entry.line, 1, f"{show(entry.name)}: expected {entry.digest}, got {actual}"
    )


def format_sums(digests: dict[str, str]) -> str:
    """SHA256SUMS text for name -> digest, sorted by name (what ``sha256sum`` writes)."""
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests))
