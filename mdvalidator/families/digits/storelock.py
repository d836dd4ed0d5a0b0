"""One writer at a time in a store folder: an exclusive lock on a lock file inside it.

``store add`` reads master.json, adds a child and writes master.json back; two adds at once
would each write their own list and one child would be lost. Holding :func:`store_lock` for
the read-modify-write makes them take turns (``fcntl.flock``; ``msvcrt.locking`` on Windows).
The lock file stays in the store (removing it would let a third add lock a different file).
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mdvalidator.reading import NO_LINK_FLAGS

LOCK_NAME = ".mdvalidator-store.lock"
DEFAULT_WAIT = 120.0  # seconds: an add of a large snapshot takes this long at most


class StoreLockError(Exception):
    """The lock could not be taken (another writer kept it, or the lock file is not a file)."""


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def store_lock(store: Path, wait: float = DEFAULT_WAIT) -> Iterator[None]:
    """Hold the store's lock inside the ``with`` block; :class:`StoreLockError` after ``wait``
    seconds of waiting for another holder."""
    path = store / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | NO_LINK_FLAGS, 0o644)
    except OSError as exc:
        raise StoreLockError(f"cannot open the lock file {path}: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise StoreLockError(f"{path} is not a regular file")
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise StoreLockError(
                    f"another `store add` has held {path} for over {wait:g} seconds"
                )
            time.sleep(0.05)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
