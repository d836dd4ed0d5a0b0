"""Fetching conf files: the safe fetcher, or a local checkout through ``--mirror``; once per URL.

Every network read goes through :func:`mdvalidator.assets.fetch.fetch_small`: the link is read
by :mod:`mdvalidator.urls`, every address (every redirect hop too) passes the SSRF gate, the body
is capped at :data:`CONF_MAX_BYTES`, 64 KiB: the largest real conf file is 2.4 KiB, and parsing
is the costly part (a 64 KiB file of literals takes about 30 MB to parse, a 1 MiB one 500 MB).
``--mirror PREFIX=TARGET`` applies as it does to assets: a URL target is fetched the same way,
a folder target is read from disk, refusing any path that leaves the folder (symbolic links
included). The result of each URL is kept for the run, so a conf file that
serves many cards is read once, even when cards are checked on several threads.

Across runs, network reads go through a cache of their own (:mod:`.conf_cache`, unless
``--no-cache``): a body kept from an earlier run is used only when the server answers 304 to a
conditional request, so a fixed conf file is always judged as fixed. Mirror folders are read
afresh every time. Failures are values (:class:`ConfUnavailable`), never exceptions.

This module is the network edge of :mod:`mdvalidator.loadability`: it imports the fetcher
lazily, so the offline lint path never loads it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mdvalidator.sanitize import clean, redact_url

if TYPE_CHECKING:
    from mdvalidator.assets.options import AssetOptions

__all__ = [
    "CONF_MAX_BYTES",
    "ConfFetcher",
    "ConfResult",
    "ConfText",
    "ConfUnavailable",
    "read_mirror_file",
]

CONF_MAX_BYTES = 64 * 1024
UnavailableKind = Literal["missing", "unreachable", "blocked", "too-large", "offline"]
# (url, options, max_bytes) -> body; raises mdvalidator.assets.errors.FetchError
Fetch = Callable[[str, "AssetOptions", int], bytes]


@dataclass(frozen=True)
class ConfText:
    url: str
    data: bytes
    source: Literal["network", "mirror"]


@dataclass(frozen=True)
class ConfUnavailable:
    url: str
    kind: UnavailableKind
    message: str  # safe to print
    http_status: int | None = None


ConfResult = ConfText | ConfUnavailable


def read_mirror_file(url: str, folder: Path, relative: str, max_bytes: int) -> ConfResult:
    """``folder/relative``, refusing a path outside ``folder`` once links are resolved."""
    shown = redact_url(url)
    try:
        root = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        message = f"{shown}: the mirror folder is missing ({clean(str(folder), 120)})"
        return ConfUnavailable(url, "unreachable", message)
    candidate = root / relative.lstrip("/")
    try:
        path = candidate.resolve(strict=True)
    except FileNotFoundError:
        return ConfUnavailable(url, "missing", f"{shown}: not in the mirror folder", 404)
    except (OSError, RuntimeError):
        return ConfUnavailable(url, "unreachable", f"{shown}: cannot read the mirror folder")
    if not path.is_relative_to(root):
        message = f"{shown}: mirror path leaves the mirror folder"
        return ConfUnavailable(url, "blocked", message)
    if not path.is_file():
        return ConfUnavailable(url, "missing", f"{shown}: not a file in the mirror folder", 404)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        message = f"{shown}: cannot read mirror file: {clean(exc.strerror or '', 80)}"
        return ConfUnavailable(url, "unreachable", message)
    if len(data) > max_bytes:
        message = f"{shown}: larger than the limit for a conf file ({max_bytes} bytes)"
        return ConfUnavailable(url, "too-large", message)
    return ConfText(url, data, "mirror")


def _network_fetch(url: str, options: AssetOptions, max_bytes: int) -> bytes:
    """One read through the revalidating cache (or none, with ``--no-cache``)."""
    from mdvalidator.assets.fetch import fetch_small, fetch_small_conditional
    from mdvalidator.loadability.conf_cache import (
        ConfCache,
        ConfEntry,
        conf_cache_dir,
        revalidatable,
    )

    if not options.use_cache:
        return fetch_small(url, options, max_bytes)
    cache = ConfCache(conf_cache_dir(options.cache_dir), max_bytes)
    kept = cache.get(url)
    etag, since = (kept.etag, kept.last_modified) if kept is not None else (None, None)
    got = fetch_small_conditional(url, options, max_bytes, etag, since)
    if got.body is None:
        assert kept is not None  # a 304 is accepted only for a conditional request
        return kept.body
    if revalidatable(got.etag, got.last_modified, got.date) and not _looks_like_a_page(got.body):
        cache.put(ConfEntry(url, got.body, got.etag, got.last_modified))
    elif kept is not None:
        cache.drop(url)
    return got.body


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    result: ConfResult | None = None


class ConfFetcher:
    """Reads conf files for one run; each URL at most once (``reads`` counts real reads)."""

    def __init__(
        self,
        options: AssetOptions,
        max_bytes: int = CONF_MAX_BYTES,
        fetch: Fetch | None = None,
    ) -> None:
        self.options = options
        self.max_bytes = max_bytes
        self._fetch = fetch or _network_fetch
        self._lock = threading.Lock()
        self._results: dict[str, _Pending] = {}
        self.reads = 0

    def get(self, url: str) -> ConfResult:
        with self._lock:
            pending = self._results.get(url)
            owner = pending is None
            if pending is None:
                pending = self._results[url] = _Pending()
                self.reads += 1
        if not owner:
            pending.done.wait()
            assert pending.result is not None
            return pending.result
        try:
            pending.result = self._read(url)
        except Exception as exc:  # never let one conf file stop the run
            message = f"{redact_url(url)}: failed: {type(exc).__name__}"
            pending.result = ConfUnavailable(url, "unreachable", message)
        finally:
            if pending.result is None:  # interrupted (KeyboardInterrupt): waiters must not hang
                pending.result = ConfUnavailable(url, "unreachable", "interrupted")
            pending.done.set()
        return pending.result

    def _read(self, url: str) -> ConfResult:
        from mdvalidator.assets.errors import FetchError
        from mdvalidator.assets.mirror import map_url
        from mdvalidator.problem import AssetStatus

        target, folder = map_url(url, self.options.mirrors)
        if folder is not None:
            return read_mirror_file(url, folder, target, self.max_bytes)
        if self.options.offline:
            return ConfUnavailable(url, "offline", f"{redact_url(url)}: not fetched (--offline)")
        try:
            data = self._fetch(target, self.options, self.max_bytes)
        except FetchError as error:
            if error.http_status in (404, 410):
                return ConfUnavailable(url, "missing", error.message, error.http_status)
            kind: UnavailableKind = "unreachable"
            if error.status is AssetStatus.BLOCKED:
                kind = "blocked"
            elif error.status is AssetStatus.TOO_LARGE:
                kind = "too-large"
            return ConfUnavailable(url, kind, error.message, error.http_status)
        if _looks_like_a_page(data):
            # A forge's sign-in or error page answered 200: not the raw file. Never parse it as
            # Python (that would be a false syntax error).
            message = f"{redact_url(url)}: the server sent an HTML page, not the raw file"
            return ConfUnavailable(url, "unreachable", message)
        return ConfText(url, data, "network")


def _looks_like_a_page(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml"))
