"""Download-and-hash of one asset: streaming, resumable, size-capped, never decoded.

The bytes are hashed as they arrive and never written anywhere. With ``options.connections``
above 1 the first request asks for the first part only; a server that answers it with a 206 of
a larger whole and a validator gets the rest fetched over several connections and hashed in
order (:mod:`mdvalidator.assets.parts`). Everything else is one stream, hashed on a worker thread
(:class:`OverlappedHasher`): a dropped connection resumes with ``Range`` + ``If-Range`` when the
server gave a validator; a server that answers 200 instead of 206 (range ignored, or the asset
changed) restarts the hash from byte 0. Retries go through the one retry loop
(:func:`~mdvalidator.assets.errors.with_retries`) and the whole download shares one deadline.
"""

from __future__ import annotations

import dataclasses
import http.client
from collections.abc import Callable
from dataclasses import dataclass

from mdvalidator.assets.fetch import (
    Deadline,
    Opened,
    Retryable,
    Reusable,
    check_status,
    classify,
    content_length,
    open_url,
    timed_out,
    too_large,
    unreachable,
    with_retries,
)
from mdvalidator.assets.hashing import CHUNK_SIZE, OverlappedHasher
from mdvalidator.assets.health import Trace
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.parts import Fallback, PartsDownload, Representation, content_range
from mdvalidator.assets.slots import first_slot

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


@dataclass(frozen=True)
class Validators:
    """What identifies a version of a remote file (from a cache entry or a first response)."""

    etag: str | None = None
    last_modified: str | None = None
    length: int | None = None

    @property
    def if_range(self) -> str | None:
        """A validator usable in ``If-Range`` (weak ETags are not)."""
        return Representation(self.etag, self.last_modified, None).if_range


@dataclass(frozen=True)
class Downloaded:
    """The outcome of a download: digest of the exact bytes served, or "not modified"."""

    url: str
    digest: str | None
    size: int
    validators: Validators
    head: bytes = b""
    not_modified: bool = False
    note: str = ""  # e.g. why the parts of a multi-connection download were not trusted
    # The server marked where the body ends (Content-Length, Content-Range or chunked), so a
    # cut-short transfer would have been noticed; False for a close-delimited body.
    delimited: bool = True


def download(
    url: str,
    options: AssetOptions,
    known: Validators | None = None,
    progress: Progress | None = None,
    trace: Trace | None = None,
) -> Downloaded:
    """Fetch ``url`` and hash it; with ``known`` validators, a 304 returns ``not_modified``.
    Every request reports to ``trace`` (what the download met: the asset's evidence)."""
    deadline = Deadline(options.deadline, trace)
    with first_slot(url, options, deadline), OverlappedHasher() as hasher:
        state = _State(hasher, _probe_size(options, known))
        try:
            return with_retries(
                url,
                options,
                deadline,
                lambda: state.attempt(url, options, deadline, known, progress),
                progress=lambda: hasher.count,
            )
        except Fallback as why:  # the server's ranges cannot be trusted: one stream, afresh
            note = f"{why.message}; downloaded again in one stream" if why.message else ""
        hasher.reset()
        deadline.trace.retried()
        state = _State(hasher, None)
        got = with_retries(
            url,
            options,
            deadline,
            lambda: state.attempt(url, options, deadline, None, progress),
            progress=lambda: hasher.count,
        )
        return dataclasses.replace(got, note=note) if note else got


def _probe_size(options: AssetOptions, known: Validators | None) -> int | None:
    """How many bytes the first request asks for (None: all of them, one stream)."""
    if options.connections <= 1:
        return None
    if known is not None and known.length is not None and known.length <= options.part_size:
        return None  # the cache says it is small
    return options.part_size


class _State:
    """What survives between attempts: the hash so far and the server's validators."""

    def __init__(self, hasher: OverlappedHasher, probe: int | None) -> None:
        self.hasher = hasher
        self.validators = Validators()
        self.delimited = True
        self.probe = probe  # the first request asks for this many bytes (a part)

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
        else:
            if self.probe:
                headers["Range"] = f"bytes=0-{self.probe - 1}"
            if known is not None:
                if known.etag:
                    headers["If-None-Match"] = known.etag
                if known.last_modified:
                    headers["If-Modified-Since"] = known.last_modified
        probing = bool(self.probe) and not offset
        reusable = Reusable() if probing else None  # the first part's connection goes on
        opened = open_url(url, options, deadline, headers=headers, reusable=reusable)
        handed_over = False
        try:
            status = opened.response.status
            if status == 304 and known is not None and not offset:
                return Downloaded(opened.url, None, known.length or 0, known, not_modified=True)
            if status == 416 and probing:
                raise Fallback()  # an empty file, say
            if status == 416 and offset:  # no byte at the offset the body was cut at
                message = "the body ended before its announced length"
                raise Retryable(unreachable(opened.url, message, "dropped"))
            check_status(opened, options, frozenset({200, 206}))
            if probing and status == 206:
                total = self._first_part(opened, options)
                if total is not None:
                    handed_over = True
                    return self._parts(opened, total, options, deadline, progress)
            total = self._start(opened, offset, options)
            self.delimited = total is not None or bool(opened.response.chunked and not offset)
            self._stream(opened, options, deadline, total, progress)
        except (OSError, http.client.HTTPException) as exc:
            raise classify(opened.url, exc, options, deadline) from None
        finally:
            if not handed_over:
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

    def _first_part(self, opened: Opened, options: AssetOptions) -> int | None:
        """The total size when the answer to the first request is part 0 of a larger file that
        can be fetched in parts; None when it is the whole file. Fallback when neither."""
        span = content_range(opened)
        if span is None or span[0] != 0 or span[2] is None:
            raise Fallback("the server answered the first part with an unusable Content-Range")
        last, total = span[1], span[2]
        if last >= total:
            raise Fallback("the server answered the first part with a Content-Range past its end")
        if total > options.max_size:
            raise too_large(opened.url, total, options.max_size)
        if last == total - 1:
            return None
        if last != (self.probe or 0) - 1:
            raise Fallback("the server answered the first part with another range")
        if Representation.of(opened).if_range is None:
            raise Fallback()  # no validator (ETag, Last-Modified) to ask If-Range with
        return total

    def _parts(
        self,
        opened: Opened,
        total: int,
        options: AssetOptions,
        deadline: Deadline,
        progress: Progress | None,
    ) -> Downloaded:
        try:
            parts = PartsDownload(opened, total, options, deadline, progress)
        except BaseException:
            opened.close()
            raise
        digest, head = parts.run()  # owns ``opened`` from here on
        if deadline.expired():
            raise timed_out(opened.url, options)
        found = Representation.of(opened)
        validators = Validators(found.etag, found.last_modified, total)
        return Downloaded(opened.url, digest, total, validators, head=head, delimited=True)

    def _start(self, opened: Opened, offset: int, options: AssetOptions) -> int | None:
        """Check the response fits the download so far; the expected total size, if known."""
        length = content_length(opened)
        etag = opened.header("ETag")
        if opened.response.status == 206:
            span = content_range(opened)
            if not offset and self.probe and span is not None and span[2] is not None:
                # The first part was the whole file (checked by _first_part).
                self.validators = Validators(etag, opened.header("Last-Modified"), span[2])
                total: int | None = span[2]
            else:
                same_version = etag is None or etag == self.validators.etag
                if not offset or span is None or span[0] != offset or not same_version:
                    self.hasher.reset()
                    self.validators = Validators()
                    message = "answered a range request with the wrong part"
                    raise Retryable(unreachable(opened.url, message, "protocol"))
                total = span[2]
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
