"""The one progress display: a tqdm bar on stderr, on a terminal only, for every command.

The engine counts files checked with it, and the live-store source the models it fetches.
Nothing is shown when stderr is not a terminal (CI logs, pipes, tests) or tqdm is missing.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


class Progress:
    """A count towards ``total`` (None: unknown) of ``unit``s, described by ``what``."""

    def __init__(self, total: int | None, what: str, unit: str, enabled: bool) -> None:
        self._bar: Any = None
        self._lock = threading.Lock()
        if not (enabled and sys.stderr.isatty()):
            return
        try:  # optional: no progress display without tqdm
            tqdm = importlib.import_module("tqdm").tqdm
        except ImportError:
            return
        self._bar = tqdm(
            total=total, desc=what, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True
        )

    def advance(self, note: str = "") -> None:
        if self._bar is None:
            return
        with self._lock:
            if note:
                self._bar.set_postfix_str(note, refresh=False)
            self._bar.update(1)

    def count(self, items: Iterable[T]) -> Iterator[T]:
        """``items`` as they come, one step each."""
        for item in items:
            self.advance()
            yield item

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


__all__ = ["Progress"]
