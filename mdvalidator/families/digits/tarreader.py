"""Reading a tar or zip archive member by member, without extracting it (``archive`` checks
what it lists). Headers that would make ``tarfile`` allocate without bound, and sparse members,
are refused before they are read (:mod:`.targuard`)."""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from mdvalidator.families.digits.checks import ZIP_SUFFIXES
from mdvalidator.families.digits.targuard import GuardedTarInfo, HeaderRefused

_READ_ERRORS = (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


@dataclass(frozen=True)
class Entry:
    """One archive member: its name as stored, its kind and declared size."""

    name: str
    # file | folder | symlink | hardlink | device | fifo | sparse | other | encrypted (zip);
    # ``header``: a header refused unread (listing stops there, as after ``sparse``)
    kind: str
    size: int
    detail: str = ""

    @property
    def path(self) -> str:
        """The name relative to the archive root (``./x`` is ``x``; folders lose the ``/``)."""
        return PurePosixPath(self.name).as_posix().removeprefix("./").rstrip("/")


class ArchiveError(Exception):
    pass


STOPPING_KINDS = frozenset({"sparse", "header"})


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.issparse():
        return "sparse"
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    if member.isreg():
        return "file"
    if member.isdir():
        return "folder"
    if member.ischr() or member.isblk():
        return "device"
    if member.isfifo():
        return "fifo"
    return "other"


def _zip_kind(info: zipfile.ZipInfo) -> str:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if info.flag_bits & 0x1:
        return "encrypted"
    if kind == stat.S_IFLNK:
        return "symlink"
    if info.is_dir() or kind == stat.S_IFDIR:
        return "folder"
    if kind in (0, stat.S_IFREG):
        return "file"
    if kind in (stat.S_IFCHR, stat.S_IFBLK):
        return "device"
    return "fifo" if kind == stat.S_IFIFO else "other"


class Archive:
    """A tar or zip archive opened for listing and streaming its regular members."""

    def __init__(self, source: Path | IO[bytes], name: str = "") -> None:
        self.source = source
        self.name = name or (source.name if isinstance(source, Path) else "")
        self._tar: tarfile.TarFile | None = None
        self._zip: zipfile.ZipFile | None = None
        self._tar_members: dict[str, tarfile.TarInfo] = {}
        self.stored_bytes = 0  # the archive's own size, for the expansion ratio
        self._refused_first: HeaderRefused | None = None

    def _size(self) -> int:
        if isinstance(self.source, Path):
            return os.stat(self.source).st_size
        at = self.source.tell()
        size = self.source.seek(0, os.SEEK_END)
        self.source.seek(at)
        return size

    def __enter__(self) -> Archive:
        try:
            self.stored_bytes = self._size()
            if self.name.lower().endswith(ZIP_SUFFIXES):
                self._zip = zipfile.ZipFile(self.source)
            elif isinstance(self.source, Path):
                self._tar = tarfile.open(self.source, "r:*", tarinfo=GuardedTarInfo)
            else:
                self._tar = tarfile.open(fileobj=self.source, mode="r:*", tarinfo=GuardedTarInfo)
        except HeaderRefused as refused:  # the first header, which tarfile.open reads itself
            self._refused_first = refused
        except _READ_ERRORS as exc:
            raise ArchiveError(f"cannot open the archive: {exc}") from None
        return self

    def __exit__(self, *_: object) -> None:
        if self._tar is not None:
            self._tar.close()
        if self._zip is not None:
            self._zip.close()

    def entries(self) -> Iterator[Entry]:
        """Members in archive order; stops when the caller stops (the caps live there)."""
        if self._refused_first is not None:
            refused = self._refused_first
            yield Entry(refused.name, refused.kind, 0, refused.detail)
            return
        try:
            if self._zip is not None:
                for info in self._zip.infolist():
                    yield Entry(info.filename, _zip_kind(info), info.file_size)
                return
            assert self._tar is not None
            while (member := self._tar.next()) is not None:
                self._tar_members.setdefault(member.name, member)
                yield Entry(member.name, _tar_kind(member), member.size)
        except HeaderRefused as refused:
            yield Entry(refused.name, refused.kind, 0, refused.detail)
        except _READ_ERRORS as exc:
            raise ArchiveError(f"the archive is damaged: {exc}") from None

    @contextmanager
    def open(self, entry: Entry) -> Iterator[IO[bytes]]:
        """A stream of a regular member's bytes."""
        try:
            if self._zip is not None:
                with self._zip.open(entry.name) as stream:
                    yield stream
                return
            assert self._tar is not None
            member_stream = self._tar.extractfile(self._tar_members[entry.name])
            if member_stream is None:
                raise ArchiveError(f"{entry.name!r} is not a regular file")
            with member_stream:
                yield member_stream
        except _READ_ERRORS as exc:
            raise ArchiveError(f"cannot read {entry.name!r}: {exc}") from None


__all__ = ["STOPPING_KINDS", "Archive", "ArchiveError", "Entry"]
