"""Snapshot archives (the tarballs DIGITS' "Download" button writes), read without extracting.

Members are listed one by one with caps on their number and declared sizes, so an archive bomb
stops early. Only regular files and folders with plain relative names pass; links, devices,
FIFOs, absolute and ``..`` names, repeated names and encrypted zip members are reported. The
info.json at the archive root is read (size-capped) and checked against the member list the way
a store folder's is checked against its files.
"""

from __future__ import annotations

import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from mdvalidator.digits import checks, model
from mdvalidator.digits import rules as R
from mdvalidator.digits.checks import INFO_NAME
from mdvalidator.digits.checksums import unsafe_path_reason
from mdvalidator.digits.jsonpos import parse_bytes
from mdvalidator.digits.model import FolderView
from mdvalidator.digits.options import DigitsOptions
from mdvalidator.problem import Problem

TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tar.xz")
ZIP_SUFFIXES = (".zip",)
AUX_NAME = "aux.json"
_READ_ERRORS = (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


def is_archive(name: str) -> bool:
    return name.lower().endswith(TAR_SUFFIXES + ZIP_SUFFIXES)


@dataclass(frozen=True)
class Entry:
    """One archive member: its name as stored, its kind and declared size."""

    name: str
    kind: str  # file | folder | symlink | hardlink | device | fifo | other
    size: int

    @property
    def path(self) -> str:
        """The name relative to the archive root (``./x`` is ``x``; folders lose the ``/``)."""
        return PurePosixPath(self.name).as_posix().removeprefix("./").rstrip("/")


class ArchiveError(Exception):
    pass


def _tar_kind(member: tarfile.TarInfo) -> str:
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

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tar: tarfile.TarFile | None = None
        self._zip: zipfile.ZipFile | None = None
        self._tar_members: dict[str, tarfile.TarInfo] = {}

    def __enter__(self) -> Archive:
        try:
            if self.path.name.lower().endswith(ZIP_SUFFIXES):
                self._zip = zipfile.ZipFile(self.path)
            else:
                self._tar = tarfile.open(self.path, "r:*")
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
        try:
            if self._zip is not None:
                for info in self._zip.infolist():
                    yield Entry(info.filename, _zip_kind(info), info.file_size)
                return
            assert self._tar is not None
            while (member := self._tar.next()) is not None:
                self._tar_members.setdefault(member.name, member)
                yield Entry(member.name, _tar_kind(member), member.size)
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


@dataclass(frozen=True)
class Inspection:
    """What checking an archive found: problems, and the members that may be extracted."""

    problems: tuple[Problem, ...]
    members: tuple[Entry, ...]


def _member_problem(display: str, entry: Entry, seen: set[str]) -> Problem | None:
    shown = checks.show(entry.name)
    if entry.kind not in ("file", "folder"):
        what = {"encrypted": "an encrypted member"}.get(entry.kind, f"a {entry.kind}")
        return R.ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} is {what}")
    reason = unsafe_path_reason(entry.path) if entry.path else "it has no name"
    if reason is None and entry.name.startswith("/"):
        reason = "it is an absolute path"
    if reason:
        return R.ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} is refused: {reason}")
    if entry.path in seen:
        return R.ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} appears twice")
    seen.add(entry.path)
    return None


def inspect(path: Path, display: str, options: DigitsOptions, max_file_size: int) -> Inspection:
    """Check an archive without extracting it. Never raises for a bad archive."""
    try:
        with Archive(path) as archive:
            return _inspect(archive, display, options, max_file_size)
    except ArchiveError as exc:
        return Inspection((R.ARCHIVE_INVALID.problem(display, 0, 0, str(exc)),), ())


def _inspect(
    archive: Archive, display: str, options: DigitsOptions, max_file_size: int
) -> Inspection:
    problems: list[Problem] = []
    members: list[Entry] = []
    seen: set[str] = set()
    total = 0
    limits = options.archive
    jsons: dict[str, bytes | Problem] = {}
    for count, entry in enumerate(archive.entries(), start=1):
        if count > limits.max_members:
            problems.append(
                R.ARCHIVE_OVER_LIMIT.problem(
                    display, 0, 0, f"more than {limits.max_members} members"
                )
            )
            return Inspection(tuple(problems), ())
        total += max(entry.size, 0)
        if total > limits.max_bytes:
            problems.append(
                R.ARCHIVE_OVER_LIMIT.problem(
                    display, 0, 0, f"members declare more than {limits.max_bytes} bytes"
                )
            )
            return Inspection(tuple(problems), ())
        if entry.kind == "folder" and entry.path in ("", "."):
            continue  # the archive root itself (`tar -C job -czf x.tgz .`)
        problem = _member_problem(display, entry, seen)
        if problem is not None:
            problems.append(problem)
            continue
        members.append(entry)
        if entry.kind == "file" and entry.name in (limits.info_name, AUX_NAME):
            # read now, while the stream is at this member (DIGITS writes info.json last)
            jsons[entry.name] = _read_member(archive, entry, display, max_file_size)
    problems.extend(_check_contents(display, members, jsons, options))
    return Inspection(tuple(problems), tuple(members))


def _read_member(archive: Archive, entry: Entry, display: str, max_size: int) -> bytes | Problem:
    where = f"{display}/{entry.name}"
    if entry.size > max_size:
        return R.FILE_TOO_LARGE.problem(
            where, 0, 0, f"{entry.size} bytes, over the {max_size}-byte cap"
        )
    with archive.open(entry) as stream:
        return stream.read(max_size + 1)[:max_size]


def _check_contents(
    display: str, members: list[Entry], jsons: dict[str, bytes | Problem], options: DigitsOptions
) -> list[Problem]:
    info_name = options.archive.info_name
    root_files = frozenset(e.path for e in members if e.kind == "file" and "/" not in e.path)
    view = FolderView(files=root_files, check_checksums=False)
    info = jsons.get(info_name)
    if info is None:
        near = [e.name for e in members if PurePosixPath(e.path).name == info_name]
        hint = f" (found {checks.show(near[0])}, which DIGITS does not look for)" if near else ""
        return [
            R.ARCHIVE_INVALID.problem(display, 0, 0, f"no {info_name!r} at the archive root{hint}")
        ]
    problems: list[Problem] = []
    for name, what in ((info_name, INFO_NAME), (AUX_NAME, AUX_NAME)):
        data = jsons.get(name)
        if isinstance(data, Problem):
            problems.append(data)
            continue
        if data is None:
            continue
        where = f"{display}/{name}"
        obj, found = checks.root_object(where, parse_bytes(data, options.max_depth), what)
        problems.extend(found)
        if obj is not None and what == INFO_NAME:
            problems.extend(model.check_info(where, obj, options, view))
        elif obj is not None:
            problems.extend(model.check_aux(where, obj, options, view))
    return problems
