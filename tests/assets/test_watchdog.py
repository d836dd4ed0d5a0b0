"""The deadline watchdog cuts a blocked read, and leaves a disarmed socket alone."""

from __future__ import annotations

import socket

from mdvalidator.assets.watchdog import Watchdog


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
