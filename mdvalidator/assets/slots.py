"""How many connections a run may hold open: per host, and across every asset together.

Every connection of a multi-connection download holds a slot: the first one for the whole
download (:func:`first_slot`: it waits for room before the first request), the extra ones
while they work; they give up waiting when their download no longer needs them.
Single-stream downloads (``--connections 1``) are bounded by ``--jobs`` alone, as before.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator

from mdvalidator.assets.errors import Deadline, timed_out, unreachable
from mdvalidator.assets.fetch import checked_link
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.watchdog import WATCHDOG


class ConnectionSlots:
    """Counts of open connections, at most ``per_host`` to one host and ``total`` in all."""

    def __init__(self, total: int, per_host: int) -> None:
        self.total = total
        self.per_host = per_host
        self._open: Counter[str] = Counter()
        self._count = 0
        self._changed = threading.Condition()

    def acquire(self, host: str, wanted: Callable[[], bool], poll: float = 0.25) -> bool:
        """Wait for room for one more connection to ``host``; False once ``wanted()`` is false
        (the download finished or failed). ``wanted`` is polled, so it needs no notification."""
        with self._changed:
            while self._count >= self.total or self._open[host] >= self.per_host:
                if not wanted():
                    return False
                self._changed.wait(poll)
            if not wanted():
                return False
            self._open[host] += 1
            self._count += 1
            return True

    def release(self, host: str) -> None:
        with self._changed:
            self._open[host] -= 1
            if self._open[host] <= 0:
                del self._open[host]
            self._count -= 1
            self._changed.notify_all()

    def in_use(self, host: str | None = None) -> int:
        with self._changed:
            return self._count if host is None else self._open[host]


_SLOTS: dict[tuple[int, int], ConnectionSlots] = {}
_SLOTS_LOCK = threading.Lock()


def slots_for(total: int, per_host: int) -> ConnectionSlots:
    """The process-wide counts for these caps (every download with the same options shares
    them, whichever thread runs it)."""
    with _SLOTS_LOCK:
        key = (total, per_host)
        if key not in _SLOTS:
            _SLOTS[key] = ConnectionSlots(total, per_host)
        return _SLOTS[key]


@contextlib.contextmanager
def first_slot(url: str, options: AssetOptions, deadline: Deadline) -> Iterator[None]:
    """Hold a connection slot for the first connection of a multi-connection download (the
    whole time it runs), waiting for room under the caps first."""
    if options.connections <= 1:
        yield
        return
    host = checked_link(url).host
    slots = slots_for(options.max_total_connections, options.max_host_connections)

    def wanted() -> bool:
        return not deadline.expired() and not WATCHDOG.stopped.is_set()

    if not slots.acquire(host, wanted):
        if WATCHDOG.stopped.is_set():
            raise unreachable(url, "interrupted", "interrupted")
        raise timed_out(url, options)
    try:
        yield
    finally:
        slots.release(host)
