"""``--shard I/N``: a deterministic split of the assets for CI matrices."""

from __future__ import annotations

import hashlib

from mdvalidator.problem import AssetRef


def in_shard(ref: AssetRef, shard: tuple[int, int]) -> bool:
    """Is ``ref`` in slice I of N (1-based)? Same answer on every machine and every run.

    Decided by a hash of (url, expected sha256), so the same asset named in several cards lands
    in one shard and is downloaded once across the matrix.
    """
    index, count = shard
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count} needs 1 <= I <= N")
    key = hashlib.sha256(f"{ref.url}\0{ref.expected}".encode()).digest()
    return int.from_bytes(key[:8], "big") % count == index - 1
