"""A progress bar on stderr for asset downloads, shown on a terminal only (tqdm if installed)."""

from __future__ import annotations

import importlib
import sys
import threading
from typing import Any


class DownloadProgress:
    """Bytes downloaded across parallel jobs and assets finished; a no-op when not shown."""

    def __init__(self, assets: int, enabled: bool) -> None:
        self._bar: Any = None
        self._lock = threading.Lock()
        self._done = 0
        self._assets = assets
        if not (enabled and assets and sys.stderr.isatty()):
            return
        try:  # optional: no progress display without tqdm
            tqdm = importlib.import_module("tqdm").tqdm
        except ImportError:
            return
        self._bar = tqdm(
            total=None,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=f"assets 0/{assets}",
            file=sys.stderr,
            leave=False,
            dynamic_ncols=True,
        )

    def tracker(self) -> Any:
        """A ``(bytes so far, total)`` callback for one download, or None when not shown."""
        if self._bar is None:
            return None
        last = [0]

        def update(count: int, _total: int | None) -> None:
            delta = count - last[0] if count >= last[0] else count
            last[0] = count
            with self._lock:
                self._bar.update(delta)

        return update

    def finished(self) -> None:
        if self._bar is None:
            return
        with self._lock:
            self._done += 1
            self._bar.set_description_str(f"assets {self._done}/{self._assets}", refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
