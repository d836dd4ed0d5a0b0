"""Multi-connection download of one asset: fixed-size parts fetched at once, hashed in order.

:func:`mdvalidator.assets.download.download` asks for the first part (``Range: bytes=0-P-1``).
When the server answers 206 with a Content-Range naming the whole size and gives a validator (a
strong ETag or Last-Modified), :class:`PartsDownload` fetches the rest:

- parts of ``options.part_size`` bytes are handed out in order to up to ``options.connections``
  workers (threads), each with one kept-alive connection opened through the same gate as every
  request (resolve once, check every address, connect to that address; each redirect hop);
- each part is asked for with ``Range`` and ``If-Range``, and its answer must be a 206 whose
  Content-Range is exactly the bytes asked for out of the same total, with the first answer's
  ETag, Last-Modified and Content-Encoding, and a Content-Length that agrees. Anything else (a
  200: the asset changed or ranges are ignored; a Content-Range or a validator that differs; a
  416) means the parts cannot be shown to be pieces of one file: the download stops and starts
  again as one stream (:class:`Fallback`), and nothing spliced is ever hashed into a verdict;
- a part that fails (dropped connection, 5xx, 429) is retried alone, resuming where it stopped,
  through the one retry loop; a part that fails for good (blocked, 404, out of retries, past the
  deadline) fails the asset;
- the parts are hashed in order through one sha256 as their bytes arrive: the front part while
  it downloads, the ones after it once it is done. At most ``options.window_bytes`` are held
  ahead of the hash, in memory (no temporary file).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import mmap
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from mdvalidator.assets.errors import (
    Deadline,
    FetchError,
    Retryable,
    classify,
    timed_out,
    unreachable,
    with_retries,
)
from mdvalidator.assets.fetch import (
    Opened,
    Reusable,
    check_status,
    checked_link,
    content_length,
    open_url,
)
from mdvalidator.assets.hashing import HEAD_SIZE
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.slots import slots_for
from mdvalidator.sanitize import clean

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
READ_SIZE = 1 << 20  # one read of a part (the hash catches up after each)


class Fallback(Exception):
    """The server's parts cannot be shown to be one file: download it as one stream.

    ``message`` says why when it is worth telling (a server that lied or a file that changed);
    it is empty for the ordinary cases (no validator to ask ``If-Range`` with, an empty file).
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class _Stopped(Exception):
    """The download no longer needs this worker (it finished, failed or fell back)."""


def content_range(opened: Opened) -> tuple[int, int, int | None] | None:
    """(first byte, last byte, total or None for ``*``) of a 206's Content-Range, or None."""
    match = _CONTENT_RANGE.match(opened.header("Content-Range") or "")
    if not match:
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), int(match.group(2)), total


@dataclass(frozen=True)
class Representation:
    """What every part's answer must share with the first one."""

    etag: str | None
    last_modified: str | None
    encoding: str | None

    @classmethod
    def of(cls, opened: Opened) -> Representation:
        return cls(
            opened.header("ETag"), opened.header("Last-Modified"), opened.header("Content-Encoding")
        )

    @property
    def if_range(self) -> str | None:
        """The validator sent in ``If-Range`` (weak ETags may not be)."""
        if self.etag and not self.etag.startswith("W/"):
            return self.etag
        return self.last_modified


@dataclass(eq=False)
class _Part:
    start: int
    end: int  # exclusive
    buffer: mmap.mmap | None = None
    filled: int = 0

    @property
    def size(self) -> int:
        return self.end - self.start


class PartsDownload:
    """The rest of a download whose first answer (``first``) holds part 0 of ``total`` bytes."""

    def __init__(
        self,
        first: Opened,
        total: int,
        options: AssetOptions,
        deadline: Deadline,
        progress: Progress | None = None,
    ) -> None:
        self.url = first.url  # where the first part came from: every part is asked there
        self.total = total
        self.expected = Representation.of(first)
        self.options = options
        self.deadline = deadline
        self.progress = progress
        size = options.part_size
        self.part_size = size
        self.count = -(-total // size)  # parts, the last one maybe short
        self._taken: dict[int, _Part] = {}  # handed out and not hashed yet (the window)
        self.window = max(1, options.window_bytes // size)
        cap = min(options.connections, options.max_host_connections)
        self.workers = max(1, min(cap, self.count, self.window))
        self.host = checked_link(self.url).host
        self.slots = slots_for(options.max_total_connections, options.max_host_connections)
        self._first = first
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._next = 0  # the next part to hand out
        self._front = 0  # the next part to hash
        self._failure: BaseException | None = None
        self._free: list[mmap.mmap] = []
        self._buffers: list[mmap.mmap] = []  # every buffer made, unmapped at the end
        self._connections: set[Reusable] = set()
        self._received = 0

    def run(self) -> tuple[str, bytes]:
        """(sha256 of the whole, its first bytes); FetchError or Fallback when it cannot be.

        The first connection's slot is the caller's
        (:func:`~mdvalidator.assets.slots.first_slot`); the others wait for theirs."""
        first_part = self._take()  # part 0, whose answer is ``first``: the first worker's
        threads = [
            threading.Thread(
                target=self._work,
                args=(first_part if index == 0 else None,),
                name=f"part-worker-{index}",
                daemon=True,
            )
            for index in range(self.workers)
        ]
        for thread in threads:
            thread.start()
        try:
            return self._hash_in_order()
        finally:
            self._halt(None)
            for thread in threads:
                thread.join()
            self._free.clear()
            self._taken.clear()
            for buffer in self._buffers:
                with contextlib.suppress(BufferError):  # a view still held: the GC unmaps it
                    buffer.close()

    # The hash: the calling thread, in order.

    def _hash_in_order(self) -> tuple[str, bytes]:
        digest = hashlib.sha256()
        head = b""
        for index in range(self.count):
            hashed = 0
            size = min(self.part_size, self.total - index * self.part_size)
            while hashed < size:
                with self._lock:
                    part = self._taken.get(index)
                    while (part is None or part.filled == hashed) and self._failure is None:
                        if self.deadline.expired():
                            raise timed_out(self.url, self.options)
                        self._lock.wait(0.5)
                        part = self._taken.get(index)
                    if self._failure is not None:
                        raise self._failure
                    assert part is not None and part.buffer is not None
                    filled, buffer = part.filled, part.buffer
                digest.update(memoryview(buffer)[hashed:filled])
                hashed = filled
            with self._lock:
                part = self._taken.pop(index)
                assert part.buffer is not None
                if len(head) < HEAD_SIZE:
                    head += bytes(part.buffer[: min(size, HEAD_SIZE - len(head))])
                self._free.append(part.buffer)
                part.buffer = None
                self._front = index + 1
                self._lock.notify_all()
        return digest.hexdigest(), head

    # The workers: one thread and one connection each.

    def _stopping(self) -> bool:
        return self._stop.is_set()

    def _wanted(self) -> bool:
        return not self._stop.is_set() and self._next < self.count

    def _work(self, part: _Part | None) -> None:
        """Fetch parts until none is left; ``part`` is part 0 for the first worker, which goes
        on with the first answer (and its connection, and its slot, which the caller holds)."""
        first = self._first if part is not None else None
        reusable = first.reusable if first is not None and first.reusable else Reusable()
        with self._lock:
            self._connections.add(reusable)
        held = False
        try:
            if first is None:
                held = self.slots.acquire(self.host, self._wanted)
                if not held:
                    return
            while True:
                part = part or self._take()
                if part is None:
                    return
                self._fetch(part, reusable, first)
                part = first = None
        except _Stopped:
            pass
        except BaseException as exc:
            self._halt(exc)
        finally:
            if first is not None:
                first.close()
            reusable.close()
            with self._lock:
                self._connections.discard(reusable)
            if held:
                self.slots.release(self.host)

    def _take(self) -> _Part | None:
        """The next part to fetch (with a buffer), once the window has room; None when none."""
        with self._lock:
            while (
                not self._stopping()
                and self._next < self.count
                and self._next >= self._front + self.window
            ):
                self._lock.wait(0.5)
            if self._stopping() or self._next >= self.count:
                return None
            start = self._next * self.part_size
            buffer = self._free.pop() if self._free else self._new_buffer()
            part = _Part(start, min(start + self.part_size, self.total), buffer)
            self._taken[self._next] = part
            self._next += 1
            return part

    def _new_buffer(self) -> mmap.mmap:
        """A part's buffer: anonymous memory, given back to the system when the download ends
        (a 4 MiB bytearray would stay in the allocator's heap once the first one is freed)."""
        buffer = mmap.mmap(-1, self.part_size)
        self._buffers.append(buffer)
        return buffer

    def _fetch(self, part: _Part, reusable: Reusable, first: Opened | None) -> None:
        pending = [first] if first is not None else []

        def attempt() -> None:
            if self._stopping():
                raise _Stopped
            offset = part.start + part.filled
            if pending:
                opened = pending.pop()
            else:
                headers = {"Range": f"bytes={offset}-{part.end - 1}"}
                if_range = self.expected.if_range
                if if_range:
                    headers["If-Range"] = if_range
                opened = open_url(
                    self.url, self.options, self.deadline, headers=headers, reusable=reusable
                )
            try:
                self._check(opened, offset, part.end)
                self._read(opened, part)
            except (OSError, http.client.HTTPException) as exc:
                opened.close()
                if self._stopping():
                    raise _Stopped from None
                raise classify(opened.url, exc, self.options, self.deadline) from None
            except BaseException:
                opened.close()
                raise
            opened.finish()

        with_retries(
            self.url,
            self.options,
            self.deadline,
            attempt,
            progress=lambda: part.filled,
            sleep=self._stop.wait,
        )

    def _check(self, opened: Opened, offset: int, end: int) -> None:
        """The answer must be exactly bytes ``offset`` to ``end - 1`` of the same file."""
        status = opened.response.status
        if status == 200:
            raise Fallback("the server answered a range request with the whole file")
        if status == 416:
            raise Fallback("the server refused a range within the size it announced")
        check_status(opened, self.options, frozenset({206}))
        span = content_range(opened)
        if span != (offset, end - 1, self.total):
            shown = clean(opened.header("Content-Range") or "none", 80)
            message = f"the server answered bytes={offset}-{end - 1} with Content-Range {shown!r}"
            raise Fallback(message)
        if Representation.of(opened) != self.expected:
            raise Fallback("the asset changed between parts (ETag, Last-Modified or encoding)")
        length = content_length(opened)
        if length is not None and length != end - offset:
            raise Fallback("a part's Content-Length disagrees with its Content-Range")

    def _read(self, opened: Opened, part: _Part) -> None:
        response = opened.response
        assert part.buffer is not None
        view = memoryview(part.buffer)
        while part.filled < part.size:
            if self._stopping():
                raise _Stopped
            count = response.readinto(view[part.filled : min(part.size, part.filled + READ_SIZE)])
            if not count:
                break
            with self._lock:
                part.filled += count
                self._received += count
                self._lock.notify_all()
                if self.progress is not None:
                    self.progress(self._received, self.total)
        if part.filled < part.size:
            if self._stopping():
                raise _Stopped
            raise Retryable(unreachable(opened.url, "connection dropped", "dropped"))
        if response.length is None and response.read(1):  # chunked: nothing may follow
            raise Fallback("the server sent more than the range it announced")

    def _halt(self, failure: BaseException | None) -> None:
        """Stop every worker: the first failure is kept; their transfers are cut at once."""
        with self._lock:
            if failure is not None and self._failure is None and not self._stop.is_set():
                self._failure = failure
            self._stop.set()
            self._lock.notify_all()
            connections = list(self._connections)
        for reusable in connections:
            reusable.cut()


__all__ = [
    "Fallback",
    "FetchError",
    "PartsDownload",
    "Representation",
    "content_range",
]
