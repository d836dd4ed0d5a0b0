"""One thread that cuts connections whose deadline has passed.

A socket timeout bounds each read, not a whole download: a server dripping one byte every few
seconds never trips it. So each connection is registered here with its fetch's deadline, and
shut down when that passes; the blocked read then returns and the fetcher reports a timeout.
One shared thread (rather than a timer thread per request) keeps a warm-cache run cheap.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable


class _Entry:
    __slots__ = ("sock", "when")

    def __init__(self, when: float, sock: socket.socket) -> None:
        self.when = when
        self.sock: socket.socket | None = sock


class Watchdog:
    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._heap: list[tuple[float, int, _Entry]] = []
        self._order = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None
        self.stopped = threading.Event()  # set by interrupt(): fetches fail at once

    def arm(self, sock: socket.socket, seconds: float) -> Callable[[], None]:
        """Shut ``sock`` down in ``seconds`` unless the returned function is called first."""
        entry = _Entry(time.monotonic() + seconds, sock)
        with self._wake:
            heapq.heappush(self._heap, (entry.when, next(self._order), entry))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="watchdog", daemon=True)
                self._thread.start()
            self._wake.notify()

        def cancel() -> None:
            with self._wake:
                if entry.sock is not None:
                    entry.sock = None
                    self._cancelled += 1
                    if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                        self._heap = [item for item in self._heap if item[2].sock is not None]
                        heapq.heapify(self._heap)
                        self._cancelled = 0

        return cancel

    def interrupt(self) -> None:
        """Cut every registered connection now and refuse new ones (Ctrl-C while verifying)."""
        self.stopped.set()
        with self._wake:
            entries = [item[2] for item in self._heap]
            self._heap.clear()
            self._cancelled = 0
        for entry in entries:
            sock, entry.sock = entry.sock, None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].sock is None:
                    heapq.heappop(self._heap)
                    self._cancelled = max(0, self._cancelled - 1)
                if not self._heap:
                    self._wake.wait()
                    continue
                delay = self._heap[0][0] - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                entry = heapq.heappop(self._heap)[2]
                sock, entry.sock = entry.sock, None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


WATCHDOG = Watchdog()
