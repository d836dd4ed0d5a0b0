"""The on-disk cache of conf file bodies, keyed by the URL fetched, revalidated on every use.

A conf file is small (at most 64 KiB) and has no expected digest, so the body itself is kept,
with the validators the server sent (ETag, Last-Modified). A cached body is never used
without asking the server first: each run sends ``If-None-Match``/``If-Modified-Since`` and
uses the body only on a 304; a 200 replaces the entry. So a contributor who fixes a conf file
is judged on the fixed one, and an unchanged file is not downloaded again.

An entry is stored only when the server gave a validator that can tell a change: an ETag, or a
Last-Modified at least one second older than the response's Date (RFC 9110 8.8.2.2: a file
changed twice within the second of its Last-Modified would otherwise look unchanged).

Entries are sealed like the asset cache's (:mod:`mdvalidator.usercache`, a purpose of their
own): an entry that was planted, restored from elsewhere or edited does not authenticate and is
ignored (fetched again in full). The folder is ``conf`` under ``--cache-dir`` when given, else
``$XDG_CACHE_HOME/mdvalidator/conf``, beside the asset cache.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
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

__all__ = ["ConfCache", "ConfEntry", "conf_cache_dir", "revalidatable"]

VERSION = 1
_PURPOSE = f"mdvalidator conf cache {VERSION}"
_MAGIC = f"mdvalidator-conf-cache {VERSION} "
FOLDER = "conf"


def conf_cache_dir(cache_dir: Path | None) -> Path:
    """``<cache_dir>/conf`` for ``--cache-dir``, else the user's ``mdvalidator/conf``."""
    return cache_dir / FOLDER if cache_dir is not None else cache_folder(FOLDER)


@dataclass(frozen=True)
class ConfEntry:
    url: str  # the URL fetched (after --mirror mapping)
    body: bytes
    etag: str | None
    last_modified: str | None


def revalidatable(etag: str | None, last_modified: str | None, date: str | None) -> bool:
    """Can a later conditional request tell whether this answer's body changed?"""
    if etag:
        return True
    if not last_modified or not date:
        return False
    try:
        gap = parsedate_to_datetime(date) - parsedate_to_datetime(last_modified)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return gap.total_seconds() >= 1


class ConfCache:
    """Entries under ``directory`` sealed with ``key`` (default: the user's cache key); without
    a usable key (none, or one inside the cache folder or the folder holding it, which is
    ``--cache-dir`` itself: whoever plants entries could plant the key) nothing is read or
    written."""

    def __init__(self, directory: Path, max_bytes: int, key: bytes | None = None) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        if key is None and not inside(key_file(), directory.parent):
            key = cache_key()
        self.key = key

    def _file(self, url: str) -> Path:
        name = hashlib.sha256(f"{VERSION}\0{url}".encode()).hexdigest()
        return self.directory / name[:2] / f"{name}.json"

    def get(self, url: str) -> ConfEntry | None:
        """The entry for ``url``; None when absent, unreadable, forged or inconsistent."""
        if self.key is None:
            return None
        try:
            with self._file(url).open("rb") as stream:
                raw = stream.read(2 * self.max_bytes + 4096)  # base64 of the body, and more
        except OSError:
            return None
        first, _, body = raw.partition(b"\n")
        header = first.decode("ascii", "replace")
        if not header.startswith(_MAGIC):
            return None
        if not unsealed(self.key, _PURPOSE, body, header[len(_MAGIC) :]):
            return None
        entry = _entry(body)
        if entry is None or entry.url != url or len(entry.body) > self.max_bytes:
            return None
        if not (entry.etag or entry.last_modified):
            return None
        return entry

    def put(self, entry: ConfEntry) -> None:
        """Store ``entry``; a cache that cannot be written is not an error (just no cache)."""
        if self.key is None or len(entry.body) > self.max_bytes:
            return
        data = {
            "version": VERSION,
            "url": entry.url,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "body": base64.b64encode(entry.body).decode("ascii"),
        }
        body = json.dumps(data, sort_keys=True).encode("utf-8")
        sealed = f"{_MAGIC}{seal(self.key, _PURPOSE, body)}\n".encode("ascii") + body
        target = self._file(entry.url)
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(target, sealed, mode=0o600)

    def drop(self, url: str) -> None:
        with contextlib.suppress(OSError):
            self._file(url).unlink()


def _entry(body: bytes) -> ConfEntry | None:
    try:
        data = json.loads(body.decode("utf-8"))
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        return ConfEntry(
            url=entry_text(data["url"]),
            body=base64.b64decode(entry_text(data["body"]), validate=True),
            etag=entry_optional_text(data.get("etag")),
            last_modified=entry_optional_text(data.get("last_modified")),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
