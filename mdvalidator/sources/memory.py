"""Descriptor files held in memory: what a bot fetches from a forge API for a pull request.

A :class:`MemorySource` holds ``(path, bytes)`` for the files to check, and the names of the
other files in their folders (the API lists a folder's entries without their content), so the
checks that look at a folder (names colliding by case, a translation's English card, the
files a DIGITS info.json names) see the same folder the repository holds. Nothing touches the
disk. Every file held is a target (as with ``--changed-since``: a file no rule set applies to
is passed over); folders are those the paths imply.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import BinaryIO

from mdvalidator.family import Listing, Presence, Target
from mdvalidator.reading import ReadError, ReadFailure, too_large
from mdvalidator.ruleset import RuleSet
from mdvalidator.sources import Collector, Discovery


def _clean(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/")).lstrip("/")


@dataclass(frozen=True)
class MemoryFiles:
    """Files by path (their bytes), and the names of other files known to exist."""

    contents: Mapping[str, bytes] = field(default_factory=dict)
    known: frozenset[str] = frozenset()  # every file path: held or only named
    vouched_by_checksums: bool = True

    def read(self, location: str, cap: int) -> bytes:
        data = self.contents.get(location)
        if data is None:
            kind = ReadFailure.UNREACHABLE if location in self.known else ReadFailure.NOT_REGULAR
            raise ReadError(kind, "its content was not fetched" if location in self.known else
                            "no such file")  # fmt: skip
        if len(data) > cap:
            raise too_large(len(data), cap)
        return data

    def listing(self, folder: str) -> Listing:
        prefix = f"{folder}/" if folder else ""
        files: set[str] = set()
        folders: set[str] = set()
        for path in self.known:
            if not path.startswith(prefix):
                continue
            first, sep, _ = path[len(prefix) :].partition("/")
            (folders if sep else files).add(first)
        return Listing(frozenset(files), frozenset(folders))

    def present(self, folder: str, names: Sequence[str]) -> Presence:
        return Presence(files=self.listing(folder).files & frozenset(names))

    def digest(self, folder: str, name: str) -> tuple[str, int] | None:
        path = posixpath.join(folder, name) if folder else name
        if path not in self.known:
            raise ReadError(ReadFailure.NOT_REGULAR, "not a regular file of the folder")
        data = self.contents.get(path)
        return None if data is None else (hashlib.sha256(data).hexdigest(), len(data))

    def open(self, location: str) -> AbstractContextManager[BinaryIO]:
        data = self.contents.get(location)
        if data is None:
            raise ReadError(ReadFailure.NOT_REGULAR, "no such file")
        return io.BytesIO(data)

    def url(self, location: str) -> str | None:
        return None


class MemorySource:
    """Files a run gets as bytes, with the names of their folders' other files."""

    def __init__(
        self,
        files: Mapping[str, bytes],
        siblings: Mapping[str, Iterable[str]] | None = None,
        previous: Mapping[str, bytes] | None = None,
    ) -> None:
        """``files``: path -> bytes, the files to check. ``siblings``: folder -> names of
        the other files in it (content not fetched). ``previous``: path -> the file's bytes
        before the change (a pull request's base), so unchanged assets are not verified."""
        contents = {_clean(path): data for path, data in files.items()}
        known = set(contents)
        for folder, names in (siblings or {}).items():
            base = _clean(folder) if folder not in ("", ".", "/") else ""
            known.update(posixpath.join(base, name) if base else name for name in names)
        self._files = MemoryFiles(contents, frozenset(known))
        self._previous = {_clean(path): data for path, data in (previous or {}).items()}

    @property
    def files(self) -> MemoryFiles:
        return self._files

    def discover(self, rulesets: Sequence[RuleSet]) -> Discovery:
        found = Collector(rulesets)
        for path in sorted(self._files.contents):
            found.found_file(path, path)
        return found.result()

    def previous(self, target: Target) -> bytes | None:
        return self._previous.get(target.location)


__all__ = ["MemoryFiles", "MemorySource"]
