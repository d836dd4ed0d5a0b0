"""Streaming sha256 of local files and byte streams, in large chunks, in constant memory."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

CHUNK_SIZE = 1 << 20  # 1 MiB: large enough that per-call overhead vanishes next to hashing


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


def sha256_file(path: Path | str, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    """(hex digest, size) of a local file, read unbuffered in ``chunk_size`` pieces."""
    with open(path, "rb", buffering=0) as stream:
        return sha256_stream(stream, chunk_size)


def sha256_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """(hex digest, byte count) of an iterable of byte chunks."""
    digest = hashlib.sha256()
    total = 0
    for chunk in chunks:
        digest.update(chunk)
        total += len(chunk)
    return digest.hexdigest(), total
