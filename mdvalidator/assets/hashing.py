"""Streaming sha256 of local files and byte streams, in large chunks, in constant memory.

Local files (:func:`sha256_file`, :func:`sha256_local`: ``hash FILE``, ``--mirror`` folders)
are read on one thread in 4 MiB ``readinto`` calls with a sequential read-ahead hint
(``posix_fadvise``): on a file in the page cache that beats ``openssl dgst -sha256``, and
unlike handing buffers to a second thread it does not slow down when the other cores are
busy (``bench/bench_hash.py`` measures the choices). mmap is not used: a file truncated while
mapped kills the process with SIGBUS.

Network streams use :class:`OverlappedHasher`, which hashes on a worker thread while the caller
fills the next buffer (``hashlib`` and socket reads both release the GIL for large buffers), so
waiting for the network and hashing overlap. Memory is a few fixed buffers whatever the size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK_SIZE = 1 << 20  # 1 MiB: large enough that per-call overhead vanishes next to hashing
FILE_CHUNK_SIZE = 4 << 20  # local files: measured best (2 and 8 MiB are slower, see bench)
HEAD_SIZE = 4096  # bytes kept from the start of a stream, for sniffing (format, error pages)


class ReadsInto(Protocol):
    def readinto(self, buffer: memoryview, /) -> int | None: ...


class OverlappedHasher:
    """sha256 of buffers handed over in order, computed on a worker thread.

    Usage: ``buf = h.acquire()``, fill it, ``h.submit(buf, count)``; ``h.hexdigest()`` waits for
    the pending buffers. ``reset()`` starts a new digest (a download that restarts from byte 0).
    Always ``close()`` (or use as a context manager).
    """

    def __init__(self, buffers: int = 3, size: int = CHUNK_SIZE) -> None:
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self._unallocated = buffers  # allocated on demand: a 304 answer needs none
        self._size = size
        self._work: queue.SimpleQueue[tuple[bytearray, int] | threading.Event | None] = (
            queue.SimpleQueue()
        )
        self._digest = hashlib.sha256()
        self.count = 0
        self.head = b""
        self._thread: threading.Thread | None = None  # started with the first buffer

    def _run(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            buffer, count = item
            self._digest.update(memoryview(buffer)[:count])
            self._free.put(buffer)

    def acquire(self) -> bytearray:
        """A free buffer to fill (blocks while all are being hashed)."""
        if self._unallocated and self._free.empty():
            self._unallocated -= 1
            return bytearray(self._size)
        return self._free.get()

    def submit(self, buffer: bytearray, count: int) -> None:
        """Hash the first ``count`` bytes of ``buffer``, which returns to the pool afterwards."""
        if count <= 0:
            self._free.put(buffer)
            return
        if self.count < HEAD_SIZE:
            self.head += bytes(buffer[: min(count, HEAD_SIZE - self.count)])
        self.count += count
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
            self._thread.start()
        self._work.put((buffer, count))

    def release(self, buffer: bytearray) -> None:
        """Give back an acquired buffer without hashing it."""
        self._free.put(buffer)

    def drain(self) -> None:
        if self._thread is None:
            return
        done = threading.Event()
        self._work.put(done)
        done.wait()

    def reset(self) -> None:
        """Forget everything hashed so far."""
        self.drain()
        self._digest = hashlib.sha256()
        self.count = 0
        self.head = b""

    def hexdigest(self) -> str:
        self.drain()
        return self._digest.hexdigest()

    def close(self) -> None:
        if self._thread is not None:
            self._work.put(None)
            self._thread.join()

    def __enter__(self) -> OverlappedHasher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sha256_stream(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    """(hex digest, byte count) of everything left in ``stream``."""
    digest = hashlib.sha256()
    total = 0
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    readinto = getattr(stream, "readinto", None)
    if readinto is None:
        for chunk in iter(lambda: stream.read(chunk_size), b""):
            digest.update(chunk)
            total += len(chunk)
        return digest.hexdigest(), total
    while True:
        count = readinto(view)
        if not count:
            break
        digest.update(view[:count])
        total += count
    return digest.hexdigest(), total


def sha256_stream_overlapped(
    stream: ReadsInto, chunk_size: int = CHUNK_SIZE, limit: int | None = None
) -> tuple[str, int, bytes]:
    """(hex digest, byte count, first bytes) of ``stream``, reading while hashing.

    With ``limit``, stops after ``limit + 1`` bytes (the caller sees the count exceed it).
    """
    with OverlappedHasher(size=chunk_size) as hasher:
        while True:
            buffer = hasher.acquire()
            view = memoryview(buffer)
            if limit is not None:
                view = view[: max(1, min(chunk_size, limit + 1 - hasher.count))]
            count = stream.readinto(view)
            view.release()
            hasher.submit(buffer, count or 0)
            if not count or (limit is not None and hasher.count > limit):
                break
        return hasher.hexdigest(), hasher.count, hasher.head


def sha256_file(path: Path | str, chunk_size: int = FILE_CHUNK_SIZE) -> tuple[str, int]:
    """(hex digest, size) of a local file."""
    with open(path, "rb", buffering=0) as stream:
        digest, count, _ = sha256_local(stream, chunk_size=chunk_size)
        return digest, count


class LocalFile(ReadsInto, Protocol):
    def fileno(self) -> int: ...


def sha256_local(
    stream: LocalFile, limit: int | None = None, chunk_size: int = FILE_CHUNK_SIZE
) -> tuple[str, int, bytes]:
    """(hex digest, byte count, first bytes) of an open local file (unbuffered), on this
    thread, from its current position. With ``limit``, stops after ``limit + 1`` bytes (the
    caller sees the count exceed it)."""
    fd = stream.fileno()
    with contextlib.suppress(OSError, AttributeError):  # a hint only; not on every system
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
    with contextlib.suppress(OSError):
        size = os.fstat(fd).st_size
        if 0 < size < chunk_size:
            chunk_size = size + 1  # a small file: no 4 MiB buffer for it (+1 sees the end)
    digest = hashlib.sha256()
    view = memoryview(bytearray(chunk_size))
    count = 0
    head = b""
    while True:
        want = chunk_size if limit is None else max(1, min(chunk_size, limit + 1 - count))
        got = stream.readinto(view[:want])
        if not got:
            break
        if count < HEAD_SIZE:
            head += bytes(view[: min(got, HEAD_SIZE - count)])
        digest.update(view[:got])
        count += got
        if limit is not None and count > limit:
            break
    return digest.hexdigest(), count, head


def sha256_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """(hex digest, byte count) of an iterable of byte chunks."""
    digest = hashlib.sha256()
    total = 0
    for chunk in chunks:
        digest.update(chunk)
        total += len(chunk)
    return digest.hexdigest(), total
