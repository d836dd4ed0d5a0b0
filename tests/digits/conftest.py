"""Fixtures for the DIGITS Model Store tests (helpers live in ``digits_support``)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from digits_support import STORE, Server, Site, StoreHandler

from mdvalidator.assets.options import AssetOptions
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.ruleset import RuleSet, builtin_ruleset


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return builtin_ruleset("digits-model-store")


@pytest.fixture(scope="session")
def options(ruleset: RuleSet) -> DigitsOptions:
    opts: DigitsOptions = ruleset.options
    return opts


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A private, writable copy of the sample store."""
    target = tmp_path / "store"
    shutil.copytree(STORE, target)
    return target


@pytest.fixture
def serve() -> Iterator[Callable[[Path], Server]]:
    """Start servers on 127.0.0.1 for folders; all are shut down after the test."""
    running: list[ThreadingHTTPServer] = []

    def start(root: Path) -> Server:
        site = Site(root)
        handler = type("Handler", (StoreHandler,), {"site": site})
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        running.append(server)
        host, port = server.server_address[:2]
        return Server(f"http://{host!s}:{port}/", site)

    yield start
    for server in running:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fetch_options() -> AssetOptions:
    """The safe fetcher allowed onto loopback, with quick retries (no real waiting)."""
    return AssetOptions(
        allow_private_network=True, retries=1, backoff=0.01, connect_timeout=5, read_timeout=5,
        deadline=30, use_cache=False,
    )  # fmt: skip
