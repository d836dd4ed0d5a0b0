"""Streaming sha256 of local files and byte streams, in large chunks, in constant memory.

:class:`OverlappedHasher` hashes on a worker thread while the caller fills the next buffer
(``hashlib`` and socket/file reads both release the GIL for large buffers), so reading and
hashing proceed at the same time on two cores. Memory is a few fixed buffers whatever the size.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK_SIZE = 1 << 20  # 1 MiB: large enough that per-call overhead vanishes next to hashing
HEAD_SIZE = 512  # bytes kept from the start of a stream, for format sniffing (tar: 257+)
_OVERLAP_FROM = 8 * CHUNK_SIZE  # smaller files are hashed on the calling thread


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
            self.head = (self.head + bytes(buffer[: HEAD_SIZE - self.count]))[:HEAD_SIZE]
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


def sha256_file(path: Path | str, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    """(hex digest, size) of a local file, read unbuffered in ``chunk_size`` pieces."""
    with open(path, "rb", buffering=0) as stream:
        if os.fstat(stream.fileno()).st_size >= _OVERLAP_FROM:
            digest, count, _ = sha256_stream_overlapped(stream, chunk_size)
            return digest, count
        return sha256_stream(stream, chunk_size)


def sha256_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """(hex digest, byte count) of an iterable of byte chunks."""
    digest = hashlib.sha256()
    total = 0
    for chunk in chunks:
        digest.update(chunk)
        total += len(chunk)
    return digest.hexdigest(), total
