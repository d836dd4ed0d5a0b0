"""Local store folders: listing without following links, reading files with a size cap.

Symbolic links are never followed: a listing reports them, and files are opened with
``O_NOFOLLOW`` where the platform has it, so a link swapped in after the listing is refused too.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

# Flags for opening files of a store: never through a final link, bytes as they are.
NO_LINK_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class ReadError(Exception):
    """A file could not be read; ``too_large`` tells the size cap apart from other failures."""

    def __init__(self, message: str, too_large: bool = False, symlink: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large
        self.symlink = symlink


def read_capped(path: Path, max_size: int) -> bytes:
    """The bytes of a regular file of at most ``max_size`` bytes; never follows a final link."""
    if path.is_symlink():
        raise ReadError("it is a symbolic link (not followed)", symlink=True)
    try:
        # non-blocking: opening a FIFO planted in a store must not hang the run
        fd = os.open(path, os.O_RDONLY | NO_LINK_FLAGS | _NONBLOCK)
    except OSError as exc:
        raise ReadError(f"cannot open: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ReadError("not a regular file")
    with os.fdopen(fd, "rb") as stream:
        if info.st_size > max_size:
            raise ReadError(f"{info.st_size} bytes, over the {max_size}-byte cap", too_large=True)
        try:
            data = stream.read(max_size + 1)
        except OSError as exc:
            raise ReadError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_size:  # grew since fstat
        raise ReadError(f"over the {max_size}-byte cap", too_large=True)
    return data


def open_inside(folder: Path, name: str) -> int:
    """A read-only descriptor of the regular file ``name`` (a relative ``/`` path) of ``folder``.

    Each folder on the way is opened relative to the one before with ``O_NOFOLLOW``, and the
    file with the same flags as :func:`read_capped` (no final link, non-blocking), so a link
    swapped in at any level, a FIFO or a device is refused (``OSError``) instead of read.
    Where ``open`` takes no ``dir_fd``, every level is checked with ``lstat`` first.
    """
    *parents, last = name.split("/")
    if os.open not in os.supports_dir_fd or not _DIRECTORY:
        current = folder
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


@dataclass(frozen=True)
class Scan:
    """One folder level: regular files, sub-folders, symbolic links and anything else."""

    files: frozenset[str]
    folders: frozenset[str]
    symlinks: tuple[str, ...]
    others: tuple[str, ...]
    error: str | None = None


def scan(folder: Path) -> Scan:
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
        return Scan(
            frozenset(), frozenset(), (), (), f"cannot list {folder}: {exc.strerror or exc}"
        )
    return Scan(
        frozenset(files), frozenset(folders), tuple(sorted(symlinks)), tuple(sorted(others))
    )


def is_regular_file(path: Path) -> bool:
    """True for a regular file that is not a symbolic link."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False
