"""Files on disk: a walk of named folders and named files, read without following links.

:class:`LocalFiles` is how every family reads from disk: files through the one capped reader
(:mod:`mdvalidator.reading`), folders listed with ``lstat`` semantics (links are reported,
never followed), files hashed through real folders only (a link swapped in at any level is
refused). :class:`FolderWalk` is the ``mdvalidator PATH...`` source: named files, and the files
below named folders, skipping dot-folders and :data:`SKIPPED_FOLDERS`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from mdvalidator.family import Listing, Presence, Target
from mdvalidator.reading import NO_LINK_FLAGS, ReadError, ReadFailure, read_capped
from mdvalidator.ruleset import RuleSet
from mdvalidator.sources import Collector, Discovery, display

SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", ".venv", "site-packages"})
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def _path(location: str) -> str:
    return location or "."


def scan(folder: str | Path) -> Listing:
    """List ``folder`` with ``lstat`` semantics (links are reported, not followed)."""
    files: set[str] = set()
    folders: set[str] = set()
    symlinks: list[str] = []
    others: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    symlinks.append(entry.name)
                elif entry.is_file(follow_symlinks=False):
                    files.add(entry.name)
                elif entry.is_dir(follow_symlinks=False):
                    folders.add(entry.name)
                else:
                    others.append(entry.name)
    except OSError as exc:
        return Listing(error=f"cannot list {folder}: {exc.strerror or exc}")
    return Listing(
        frozenset(files), frozenset(folders), tuple(sorted(symlinks)), tuple(sorted(others))
    )


def open_inside(folder: str | Path, name: str) -> int:
    """A read-only descriptor of the regular file ``name`` (a relative ``/`` path) of ``folder``.

    Each folder on the way is opened relative to the one before with ``O_NOFOLLOW``, and the
    file with the same flags as the capped reader (no final link, non-blocking), so a link
    swapped in at any level, a FIFO or a device is refused (``OSError``) instead of read.
    Where ``open`` takes no ``dir_fd``, every level is checked with ``lstat`` first.
    """
    *parents, last = name.split("/")
    if os.open not in os.supports_dir_fd or not _DIRECTORY:
        current = Path(folder)
        for part in parents:
            current = current / part
            if not stat.S_ISDIR(current.lstat().st_mode):
                raise NotADirectoryError(f"{part!r} is not a plain folder")
        return _regular(os.open(current / last, os.O_RDONLY | NO_LINK_FLAGS | _NONBLOCK))
    fd = os.open(folder, os.O_RDONLY | _DIRECTORY)
    try:
        for part in parents:
            inner = os.open(part, os.O_RDONLY | _DIRECTORY | NO_LINK_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = inner
        return _regular(os.open(last, os.O_RDONLY | NO_LINK_FLAGS | _NONBLOCK, dir_fd=fd))
    finally:
        os.close(fd)


def _regular(fd: int) -> int:
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise IsADirectoryError("not a regular file")
    return fd


def is_regular_file(path: str | Path) -> bool:
    """True for a regular file that is not a symbolic link."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def regular_inside(folder: str | Path, name: str) -> bool:
    """A regular file reached from ``folder`` through real folders only (no links)."""
    current = Path(folder)
    *parents, _ = PurePosixPath(name).parts
    for part in parents:
        current = current / part
        if current.is_symlink() or not current.is_dir():
            return False
    return is_regular_file(Path(folder) / name)


def sha256_inside(folder: str | Path, name: str) -> tuple[str, int]:
    """(hex digest, size) of the regular file ``name`` of ``folder``, opened as every store
    file is (:func:`open_inside`: no link at any level, no FIFO or device)."""
    from mdvalidator.assets.hashing import CHUNK_SIZE, sha256_stream, sha256_stream_overlapped

    with os.fdopen(open_inside(folder, name), "rb", buffering=0) as stream:
        if os.fstat(stream.fileno()).st_size >= 8 * CHUNK_SIZE:  # weights: hash while reading
            digest, size, _ = sha256_stream_overlapped(stream)
            return digest, size
        return sha256_stream(stream)


@dataclass(frozen=True)
class LocalFiles:
    """Files on disk; a location is a path (relative to the working folder, or absolute)."""

    vouched_by_checksums: bool = True

    def read(self, location: str, cap: int) -> bytes:
        return read_capped(_path(location), cap)

    def listing(self, folder: str) -> Listing:
        return scan(_path(folder))

    def present(self, folder: str, names: Sequence[str]) -> Presence:
        listing = self.listing(folder)
        return Presence(files=listing.files & frozenset(names))

    def digest(self, folder: str, name: str) -> tuple[str, int] | None:
        base = _path(folder)
        if not regular_inside(base, name):
            raise ReadError(ReadFailure.NOT_REGULAR, "not a regular file of the folder")
        try:
            return sha256_inside(base, name)
        except OSError as exc:
            raise ReadError(ReadFailure.UNREADABLE, f"cannot read: {exc.strerror or exc}") from None

    def open(self, location: str) -> AbstractContextManager[BinaryIO]:
        path = _path(location)
        if os.path.islink(path):
            raise ReadError(ReadFailure.SYMLINK, "is a symbolic link (not followed)")
        try:
            fd = os.open(path, os.O_RDONLY | NO_LINK_FLAGS | _NONBLOCK)
            _regular(fd)
        except OSError as exc:
            raise ReadError(ReadFailure.UNREADABLE, f"cannot read: {exc.strerror or exc}") from None
        return os.fdopen(fd, "rb")

    def url(self, location: str) -> str | None:
        return None


LOCAL_FILES = LocalFiles()


def _walk(root: str) -> Iterator[str]:
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and d not in SKIPPED_FOLDERS
        )
        for name in sorted(files):
            yield os.path.join(folder, name)


def location(path: str) -> str:
    """A path as a location (posix separators)."""
    return path.replace(os.sep, "/")


@dataclass(frozen=True)
class FolderWalk:
    """The files named on the command line, and those below the folders named there."""

    paths: tuple[str, ...]

    @property
    def files(self) -> LocalFiles:
        return LOCAL_FILES

    def discover(self, rulesets: Sequence[RuleSet]) -> Discovery:
        found = Collector(rulesets)
        for given in self.paths:
            if os.path.isdir(given) and not os.path.islink(given):
                any_kind = False
                for name in _walk(given):
                    if os.path.islink(name):
                        continue
                    any_kind = found.found_file(location(name), display(name)) or any_kind
                if not any_kind:
                    found.empty.append(display(given))
            elif not os.path.lexists(given):
                found.missing(display(given))
            else:
                found.named_file(location(given), display(given))
        return found.result()

    def previous(self, target: Target) -> bytes | None:
        return None


__all__ = [
    "LOCAL_FILES",
    "SKIPPED_FOLDERS",
    "FolderWalk",
    "LocalFiles",
    "is_regular_file",
    "open_inside",
    "regular_inside",
    "scan",
    "sha256_inside",
]
