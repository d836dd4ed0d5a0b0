"""The deadline watchdog cuts a blocked read, and leaves a disarmed socket alone."""

from __future__ import annotations

import dataclasses
import socket
import threading
from typing import TYPE_CHECKING

import mdvalidator.assets.fetch as fetch_module
from mdvalidator.assets.download import download
from mdvalidator.assets.fetch import FetchError
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.watchdog import Watchdog

if TYPE_CHECKING:
    from conftest import AssetServer


def test_blocked_read_is_cut_at_the_deadline() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.settimeout(30)  # far beyond the deadline: only the watchdog can end the read
        Watchdog().arm(ours, 0.05)
        assert ours.recv(10) == b""


def test_disarmed_socket_is_left_alone() -> None:
    watchdog = Watchdog()
    ours, theirs = socket.socketpair()
    probe, probe_peer = socket.socketpair()
    with ours, theirs, probe, probe_peer:
        watchdog.arm(ours, 0.02)()
        watchdog.arm(probe, 0.05)
        probe.settimeout(30)
        assert probe.recv(10) == b""  # the watchdog has gone past both deadlines
        theirs.sendall(b"still open")
        assert ours.recv(10) == b"still open"


def test_many_cancelled_entries_are_purged() -> None:
    watchdog = Watchdog()
    pairs = [socket.socketpair() for _ in range(200)]
    try:
        for ours, _ in pairs:
            watchdog.arm(ours, 3600)()
        assert len(watchdog._heap) < 150
    finally:
        for ours, theirs in pairs:
            ours.close()
            theirs.close()


def test_interrupt_stops_running_downloads(server: AssetServer, options: AssetOptions) -> None:
    server.route("/slow.bin", body=b"x" * 10_000, drip=0.05)  # would take 500 s
    patient = dataclasses.replace(options, deadline=600.0, read_timeout=600.0)
    watchdog = fetch_module.WATCHDOG
    failures: list[FetchError] = []

    def fetch() -> None:
        try:
            download(server.url("/slow.bin"), patient)
        except FetchError as error:
            failures.append(error)

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    try:
        while not server.seen:  # the request is on the wire
            worker.join(0.01)
        watchdog.interrupt()
        worker.join(10)
        assert not worker.is_alive()
        assert [f.reason for f in failures] == ["interrupted"]
    finally:
        watchdog.stopped.clear()
