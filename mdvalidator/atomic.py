"""Replacing a file in one step, so a reader never sees it half written."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, mode: int | None = None, durable: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    A file replaced keeps its identity as far as a rename allows: its owner and group (or
    ``PermissionError`` is raised and nothing changes) and, unless ``mode`` is given, its
    permission bits (a new file gets 0o644). ``durable`` flushes the data to disk before the
    rename (for files users keep). The temporary file is removed if anything fails.
    """
    try:
        original: os.stat_result | None = os.stat(path)
    except OSError:
        original = None
    if original is not None and not stat.S_ISREG(original.st_mode):
        # A device or a pipe (``-o /dev/null``, ``-o /dev/stdout``): it cannot be half
        # written, and renaming over it would replace the device itself (as root, for all).
        with open(path, "wb") as stream:
            stream.write(data)
        return
    if mode is None:
        mode = stat.S_IMODE(original.st_mode) if original is not None else 0o644
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
            if original is not None:
                _keep_owner(stream.fileno(), original, path)
        os.chmod(temporary, mode)  # after chown, which may clear set-id bits
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _keep_owner(descriptor: int, original: os.stat_result, path: Path) -> None:
    if not hasattr(os, "fchown"):  # pragma: no cover - not POSIX
        return
    made = os.fstat(descriptor)
    if (made.st_uid, made.st_gid) == (original.st_uid, original.st_gid):
        return
    try:
        os.fchown(descriptor, original.st_uid, original.st_gid)
    except PermissionError:
        owner = f"uid {original.st_uid}, gid {original.st_gid}"
        raise PermissionError(
            errno.EPERM, f"cannot keep the file's owner and group ({owner})", str(path)
        ) from None
