"""The on-disk cache of what each link's bytes hash to, keyed by the (normalised) link.

An entry records the sha256 computed on the bytes the link served (whatever the card expects:
a mismatch is remembered as well as a match), with the server's validators (ETag,
Last-Modified, Content-Length), so the next run asks "changed since?" with a conditional request
and downloads nothing when the server answers 304. A digest is only used after such an answer:
an entry for a link whose server gives no validator is not stored.

Entries are sealed (:mod:`mdvalidator.usercache`): an entry that someone else planted or restored
does not authenticate, and is ignored (downloaded again) with a note. One small file per entry,
written atomically; an unreadable or inconsistent file is ignored as if absent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from mdvalidator.atomic import write_atomic
from mdvalidator.usercache import (
    cache_folder,
    cache_key,
    entry_optional_text,
    entry_text,
    inside,
    key_file,
    seal,
    unsealed,
)

VERSION = 2
_PURPOSE = f"mdvalidator asset cache {VERSION}"
_MAGIC = f"mdvalidator-asset-cache {VERSION} "
FORGED_NOTE = "a cache entry for this link did not authenticate (not written with this user's key)"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/mdvalidator/assets`` (``~/.cache`` when unset)."""
    return cache_folder("assets")


@dataclass(frozen=True)
class CacheEntry:
    url: str  # the normalised link asked for
    final_url: str  # where the bytes came from, after redirects
    digest: str  # sha256 of the bytes served
    length: int
    etag: str | None
    last_modified: str | None
    delimited: bool = True  # the server marked the body's end (see Downloaded.delimited)
    head: str = ""  # hex of the first bytes, for format sniffing on cached runs
    stored_at: float = 0.0

    @property
    def revalidatable(self) -> bool:
        """Can a conditional request tell whether the asset changed?"""
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class CacheRead:
    entry: CacheEntry | None
    note: str = ""  # set when an entry was there but did not authenticate


class ResultCache:
    """Entries under ``directory``, sealed with ``key`` (default: the user's cache key).

    Without a usable key (none can be created, or it lies inside the cache folder itself, where
    whoever plants entries could plant the key too) nothing is read or written.
    """

    def __init__(self, directory: Path | None = None, key: bytes | None = None) -> None:
        self.directory = directory or default_cache_dir()
        if key is None and not inside(key_file(), self.directory):
            key = cache_key()
        self.key = key

    def _file(self, url: str) -> Path:
        name = hashlib.sha256(f"{VERSION}\0{url}".encode()).hexdigest()
        return self.directory / name[:2] / f"{name}.json"

    def read(self, url: str) -> CacheRead:
        if self.key is None:
            return CacheRead(None)
        try:
            raw = self._file(url).read_bytes()
        except OSError:
            return CacheRead(None)
        first, _, body = raw.partition(b"\n")
        header = first.decode("ascii", "replace")
        if not header.startswith(_MAGIC):
            return CacheRead(None)
        if not unsealed(self.key, _PURPOSE, body, header[len(_MAGIC) :]):
            return CacheRead(None, FORGED_NOTE)
        entry = _entry(body)
        if entry is None or entry.url != url:
            return CacheRead(None)
        return CacheRead(entry)

    def get(self, url: str) -> CacheEntry | None:
        return self.read(url).entry

    def put(self, entry: CacheEntry) -> None:
        """Store ``entry``; a cache that cannot be written is not an error (just no cache)."""
        if self.key is None:
            return
        stamped = {**asdict(entry), "stored_at": entry.stored_at or time.time()}
        body = json.dumps({"version": VERSION, **stamped}, sort_keys=True).encode("utf-8")
        data = f"{_MAGIC}{seal(self.key, _PURPOSE, body)}\n".encode("ascii") + body
        target = self._file(entry.url)
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(target, data, mode=0o600)

    def drop(self, url: str) -> None:
        with contextlib.suppress(OSError):
            self._file(url).unlink()


def _entry(body: bytes) -> CacheEntry | None:
    try:
        data = json.loads(body.decode("utf-8"))
        if data.get("version") != VERSION:
            return None
        entry = CacheEntry(
            url=entry_text(data["url"]),
            final_url=entry_text(data["final_url"]),
            digest=entry_text(data["digest"]),
            length=_count(data["length"]),
            etag=entry_optional_text(data.get("etag")),
            last_modified=entry_optional_text(data.get("last_modified")),
            delimited=data.get("delimited") is True,
            head=entry_text(data.get("head", "")),
            stored_at=float(data.get("stored_at", 0.0)),
        )
        bytes.fromhex(entry.head)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if len(entry.digest) != 64 or not all(c in "0123456789abcdef" for c in entry.digest):
        return None
    return entry


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("not a count")
    return value
