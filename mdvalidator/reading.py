"""The one capped reader: a descriptor's bytes, never through a link, never past a size cap.

A file is opened first (no symbolic link followed, no wait on a FIFO), checked through the
open descriptor (a regular file, within the cap), then read in as many bytes as it has: never a
cap-sized buffer per file. What stops the read is a :class:`ReadError` whose ``kind`` says why
and whose message says it in words; each family reports it with its own rule.
"""

from __future__ import annotations

import enum
import os
import stat
from pathlib import Path

NO_LINK_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

# The default size cap of a descriptor. The largest real MindSpore Hub card is 77 KiB
# (mindspore/2.5/opensora_hpcai.md, 1,200 lines; the median is 2.3 KiB) and DIGITS JSON
# files are a few KiB: 512 KiB leaves 6x headroom and keeps a hostile file's cost small.
DEFAULT_MAX_FILE_SIZE = 512 * 1024


class ReadFailure(str, enum.Enum):
    SYMLINK = "symlink"
    NOT_REGULAR = "not-regular"  # a folder, FIFO, device, or no file at all
    TOO_LARGE = "too-large"
    UNREADABLE = "unreadable"  # permissions, I/O errors
    UNREACHABLE = "unreachable"  # a remote file that could not be fetched


class ReadError(Exception):
    """A file that was not read: ``kind`` is why, the message says it."""

    def __init__(self, kind: ReadFailure, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def too_large(size: int, cap: int) -> ReadError:
    return ReadError(ReadFailure.TOO_LARGE, f"file is {size} bytes, over the {cap}-byte cap")


def read_capped(path: str | Path, cap: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``cap`` of them (``ReadError``)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | NO_LINK_FLAGS | _NONBLOCK)
    except OSError as exc:
        if os.path.islink(path):
            raise ReadError(ReadFailure.SYMLINK, "is a symbolic link (not followed)") from None
        kind = ReadFailure.NOT_REGULAR if isinstance(exc, FileNotFoundError) else None
        raise ReadError(kind or ReadFailure.UNREADABLE, f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(ReadFailure.NOT_REGULAR, "not a regular file")
        if info.st_size > cap:
            raise too_large(info.st_size, cap)
        chunks: list[bytes] = []
        size = 0
        while size <= cap:
            want = info.st_size + 1 - size if size < info.st_size else 65536
            chunk = os.read(descriptor, min(want, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ReadError(ReadFailure.UNREADABLE, f"cannot read: {exc.strerror}") from None
    finally:
        os.close(descriptor)
    if size > cap:
        raise ReadError(ReadFailure.TOO_LARGE, f"file grew over the {cap}-byte cap")
    return b"".join(chunks)


__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "NO_LINK_FLAGS",
    "ReadError",
    "ReadFailure",
    "read_capped",
    "too_large",
]
