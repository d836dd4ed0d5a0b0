"""Download-and-hash of one asset: streaming, resumable, size-capped, never decoded.

The bytes are hashed as they arrive (on a worker thread, see :class:`OverlappedHasher`) and
never written anywhere. A dropped connection resumes with ``Range`` + ``If-Range`` when the
server gave a validator; a server that answers 200 instead of 206 (range ignored, or the asset
changed) restarts the hash from byte 0. Retries are bounded and the whole download shares one
deadline.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Callable
from dataclasses import dataclass

from mdvalidator.assets.fetch import (
    Deadline,
    Opened,
    Retryable,
    check_status,
    classify,
    content_length,
    open_url,
    timed_out,
    too_large,
    unreachable,
)
from mdvalidator.assets.hashing import CHUNK_SIZE, OverlappedHasher
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.watchdog import WATCHDOG

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
MAX_RESUMES = 50  # resumes that made progress; each failed attempt also counts as a retry


@dataclass(frozen=True)
class Validators:
    """What identifies a version of a remote file (from a cache entry or a first response)."""

    etag: str | None = None
    last_modified: str | None = None
    length: int | None = None

    @property
    def if_range(self) -> str | None:
        """A validator usable in ``If-Range`` (weak ETags are not)."""
        if self.etag and not self.etag.startswith("W/"):
            return self.etag
        return self.last_modified


@dataclass(frozen=True)
class Downloaded:
    """The outcome of a download: digest of the exact bytes served, or "not modified"."""

    url: str
    digest: str | None
    size: int
    validators: Validators
    head: bytes = b""
    not_modified: bool = False
    # The server marked where the body ends (Content-Length, Content-Range or chunked), so a
    # cut-short transfer would have been noticed; False for a close-delimited body.
    delimited: bool = True


def download(
    url: str,
    options: AssetOptions,
    known: Validators | None = None,
    progress: Progress | None = None,
) -> Downloaded:
    """Fetch ``url`` and hash it; with ``known`` validators, a 304 returns ``not_modified``."""
    deadline = Deadline(options.deadline)
    with OverlappedHasher() as hasher:
        state = _State(hasher)
        failures = 0
        resumes = 0
        while True:
            before = hasher.count
            try:
                return state.attempt(url, options, deadline, known, progress)
            except Retryable as retry:
                if deadline.expired():
                    raise timed_out(url, options) from None
                if hasher.count > before and resumes < MAX_RESUMES:
                    resumes += 1  # it made progress: resume at once
                    continue
                failures += 1
                if failures > options.retries:
                    raise retry.error.after(failures) from None
                wait = retry.wait
                if wait is None:
                    wait = options.backoff * 2 ** (failures - 1)
                if wait >= deadline.remaining():
                    raise timed_out(url, options) from None
                WATCHDOG.stopped.wait(wait)  # returns at once on Ctrl-C


class _State:
    """What survives between attempts: the hash so far and the server's validators."""

    def __init__(self, hasher: OverlappedHasher) -> None:
        self.hasher = hasher
        self.validators = Validators()
        self.delimited = True

    def attempt(
        self,
        url: str,
        options: AssetOptions,
        deadline: Deadline,
        known: Validators | None,
        progress: Progress | None,
    ) -> Downloaded:
        offset = self.hasher.count
        headers: dict[str, str] = {}
        if offset and self.validators.if_range is None:
            # Nothing would prove that the rest belongs to the same version: start again.
            self.hasher.reset()
            offset = 0
        if offset:
            headers["Range"] = f"bytes={offset}-"
            headers["If-Range"] = self.validators.if_range or ""
        elif known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        opened = open_url(url, options, deadline, headers=headers)
        try:
            status = opened.response.status
            if status == 304 and known is not None and not offset:
                return Downloaded(opened.url, None, known.length or 0, known, not_modified=True)
            check_status(opened, options, frozenset({200, 206}))
            total = self._start(opened, offset, options)
            self.delimited = total is not None or bool(opened.response.chunked and not offset)
            self._stream(opened, options, deadline, total, progress)
        except (OSError, http.client.HTTPException) as exc:
            raise classify(opened.url, exc, options, deadline) from None
        finally:
            opened.close()
        if deadline.expired():
            raise timed_out(url, options)
        return Downloaded(
            opened.url,
            self.hasher.hexdigest(),
            self.hasher.count,
            self.validators,
            head=self.hasher.head,
            delimited=self.delimited,
        )

    def _start(self, opened: Opened, offset: int, options: AssetOptions) -> int | None:
        """Check the response fits the download so far; the expected total size, if known."""
        length = content_length(opened)
        etag = opened.header("ETag")
        if opened.response.status == 206:
            match = _CONTENT_RANGE.match(opened.header("Content-Range") or "")
            same_version = etag is None or etag == self.validators.etag
            if not offset or not match or int(match.group(1)) != offset or not same_version:
                self.hasher.reset()
                self.validators = Validators()
                message = "answered a range request with the wrong part"
                raise Retryable(unreachable(opened.url, message, "protocol"))
            total = None if match.group(3) == "*" else int(match.group(3))
        else:
            if offset:
                self.hasher.reset()  # a full body instead of the rest: hash it from the start
            self.validators = Validators(etag, opened.header("Last-Modified"), length)
            total = length
        if total is not None and total > options.max_size:
            raise too_large(opened.url, total, options.max_size)
        return total

    def _stream(
        self,
        opened: Opened,
        options: AssetOptions,
        deadline: Deadline,
        total: int | None,
        progress: Progress | None,
    ) -> None:
        response = opened.response
        hasher = self.hasher
        while True:
            buffer = hasher.acquire()
            try:
                count = response.readinto(memoryview(buffer)[: min(CHUNK_SIZE, len(buffer))])
            except BaseException:
                hasher.release(buffer)
                raise
            hasher.submit(buffer, count)
            if hasher.count > options.max_size:
                raise too_large(opened.url, None, options.max_size)
            if progress is not None and count:
                progress(hasher.count, total)
            if not count:
                break
        if deadline.expired():
            raise timed_out(opened.url, options)
        left = response.length  # http.client's count of promised bytes not received
        short = total is not None and hasher.count < total
        if (left is not None and left > 0) or short:
            raise Retryable(unreachable(opened.url, "connection dropped", "dropped"))
