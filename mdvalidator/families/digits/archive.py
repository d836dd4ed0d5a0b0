"""Snapshot archives (the tarballs DIGITS' "Download" button writes), read without extracting.

Members are listed one by one with caps on their number, their declared sizes and the ratio
of declared to stored bytes, so an archive bomb stops early; tar headers that would make
``tarfile`` allocate without bound, and sparse members, are refused before they are read
(:mod:`.targuard`). Only regular files and folders with plain relative names
pass; links, devices, FIFOs, sparse files, absolute and ``..`` names, repeated names, a file and
a folder of one name, and encrypted zip members are reported. The info.json at the archive root
is read (size-capped) and checked against the member list the way a store folder's is checked
against its files.
"""

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

from mdvalidator.families.digits import checks, model
from mdvalidator.families.digits import rules as R
from mdvalidator.families.digits.checks import INFO_NAME
from mdvalidator.families.digits.checksums import unsafe_path_reason
from mdvalidator.families.digits.jsonpos import parse_bytes
from mdvalidator.families.digits.model import FolderView
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.targuard import GuardedTarInfo, HeaderRefused
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

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tar: tarfile.TarFile | None = None
        self._zip: zipfile.ZipFile | None = None
        self._tar_members: dict[str, tarfile.TarInfo] = {}
        self.stored_bytes = 0  # the archive's own size, for the expansion ratio
        self._refused_first: HeaderRefused | None = None

    def __enter__(self) -> Archive:
        try:
            if self.path.name.lower().endswith(ZIP_SUFFIXES):
                self._zip = zipfile.ZipFile(self.path)
                self.stored_bytes = os.stat(self.path).st_size
            else:
                self._tar = tarfile.open(self.path, "r:*", tarinfo=GuardedTarInfo)
                self.stored_bytes = os.stat(self.path).st_size
        except HeaderRefused as refused:  # the first header, which tarfile.open reads itself
            self._refused_first = refused
            self.stored_bytes = os.stat(self.path).st_size
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


@dataclass(frozen=True)
class Inspection:
    """What checking an archive found: problems, and the members that may be extracted."""

    problems: tuple[Problem, ...]
    members: tuple[Entry, ...]


def _member_problem(display: str, entry: Entry, seen: dict[str, str]) -> Problem | None:
    shown = checks.show(entry.name)
    if entry.kind == "header":
        message = f"{shown}: {entry.detail}, refused before it was read"
        return R.ARCHIVE_OVER_LIMIT.problem(display, 0, 0, message)
    if entry.kind == "sparse":
        message = (
            f"{shown} is {entry.detail or 'a sparse file'}: its holes would be written out "
            "in full; store it as a regular file"
        )
        return R.ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, message)
    if entry.kind not in ("file", "folder"):
        what = {"encrypted": "an encrypted member"}.get(entry.kind, f"a {entry.kind}")
        return R.ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} is {what}")
    reason = unsafe_path_reason(entry.path) if entry.path else "it has no name"
    if reason is None and entry.name.startswith("/"):
        reason = "it is an absolute path"
    if reason:
        return R.ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} is refused: {reason}")
    if entry.path in seen:
        if seen[entry.path] != entry.kind:
            message = f"{checks.show(entry.path)} is both a file and a folder"
            return R.ARCHIVE_NAME_CLASH.problem(display, 0, 0, message)
        return R.ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} appears twice")
    seen[entry.path] = entry.kind
    return None


def name_clashes(members: list[Entry]) -> dict[str, str]:
    """Files that are also folders of other members: file path -> a member inside it."""
    files = {e.path for e in members if e.kind == "file"}
    clashes: dict[str, str] = {}
    for entry in members:
        parent = PurePosixPath(entry.path).parent
        while parent.as_posix() != ".":
            if parent.as_posix() in files:
                clashes.setdefault(parent.as_posix(), entry.path)
            parent = parent.parent
    return clashes


def inspect(path: Path, display: str, options: DigitsOptions, max_file_size: int) -> Inspection:
    """Check an archive without extracting it. Never raises for a bad archive."""
    try:
        with Archive(path) as archive:
            return _inspect(archive, display, options, max_file_size)
    except ArchiveError as exc:
        return Inspection((R.ARCHIVE_INVALID.problem(display, 0, 0, str(exc)),), ())


def _over_limit(display: str, total: int, stored: int, options: DigitsOptions) -> Problem | None:
    """A problem once the sizes declared so far pass a cap (checked before reading on)."""
    limits = options.archive
    if total > limits.max_bytes:
        message = f"members declare more than {limits.max_bytes} bytes"
        return R.ARCHIVE_OVER_LIMIT.problem(display, 0, 0, message)
    cap = limits.expansion_cap(stored)
    if total > cap:
        message = (
            f"members declare more than {cap} bytes from an archive of {stored} bytes "
            f"(over {limits.max_ratio} : 1, archive.max-ratio): a decompression bomb"
        )
        return R.ARCHIVE_EXPANSION.problem(display, 0, 0, message)
    return None


def _inspect(
    archive: Archive, display: str, options: DigitsOptions, max_file_size: int
) -> Inspection:
    problems: list[Problem] = []
    members: list[Entry] = []
    seen: dict[str, str] = {}
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
        if entry.kind in STOPPING_KINDS:  # nothing after it is read, nothing is extracted
            problem = _member_problem(display, entry, seen)
            return Inspection((*problems, *([problem] if problem else [])), ())
        total += max(entry.size, 0)
        over = _over_limit(display, total, archive.stored_bytes, options)
        if over is not None:
            return Inspection((*problems, over), ())
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
    clashes = name_clashes(members)
    for name, inside in clashes.items():
        message = f"{checks.show(name)} is a file, and {checks.show(inside)} puts a folder there"
        problems.append(R.ARCHIVE_NAME_CLASH.problem(display, 0, 0, message))
    if clashes:  # neither side can be extracted as checked
        members = [
            m for m in members
            if m.path not in clashes and not any(m.path.startswith(c + "/") for c in clashes)
        ]  # fmt: skip
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
