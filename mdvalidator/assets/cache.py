"""The on-disk cache of verified assets, keyed by (url, expected sha256).

An entry records that the bytes at ``url`` once hashed to ``expected``, with the server's
validators (ETag, Last-Modified, Content-Length) so the next run can ask "changed since?" and
download nothing when the answer is 304. Only verified results are stored. One small JSON file
per entry, written atomically (temporary file + rename); an unreadable or inconsistent file is
ignored as if absent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from mdvalidator.atomic import write_atomic

VERSION = 1


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/mdvalidator/assets`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "mdvalidator" / "assets"


@dataclass(frozen=True)
class CacheEntry:
    url: str
    expected: str
    etag: str | None
    last_modified: str | None
    length: int
    head: str = ""  # hex of the first bytes, for format sniffing on cached runs
    verified_at: float = 0.0

    @property
    def revalidatable(self) -> bool:
        """Can a conditional request tell whether the asset changed?"""
        return bool(self.etag or self.last_modified)


class ResultCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir()

    def _file(self, url: str, expected: str) -> Path:
        key = hashlib.sha256(f"{VERSION}\0{url}\0{expected}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def get(self, url: str, expected: str) -> CacheEntry | None:
        try:
            data = json.loads(self._file(url, expected).read_text("utf-8"))
            entry = CacheEntry(
                url=_text(data["url"]),
                expected=_text(data["expected"]),
                etag=_optional_text(data.get("etag")),
                last_modified=_optional_text(data.get("last_modified")),
                length=_count(data["length"]),
                head=_text(data.get("head", "")),
                verified_at=float(data.get("verified_at", 0.0)),
            )
            bytes.fromhex(entry.head)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if data.get("version") != VERSION or (entry.url, entry.expected) != (url, expected):
            return None
        return entry

    def put(self, entry: CacheEntry) -> None:
        """Store ``entry``; a cache that cannot be written is not an error (just no cache)."""
        target = self._file(entry.url, entry.expected)
        stamp = entry.verified_at or time.time()
        data = {"version": VERSION, **asdict(entry), "verified_at": stamp}
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, json.dumps(data).encode("utf-8"), mode=0o600)

    def drop(self, url: str, expected: str) -> None:
        with contextlib.suppress(OSError):
            self._file(url, expected).unlink()


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("not a count")
    return value
