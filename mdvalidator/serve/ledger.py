"""The service's shared state: one record per pull request, delivery ids, counters, leases.

The queue (Huey) carries "look at pull request P"; the ledger says what that means now, so a
task can be delivered twice, lost, or run late and still do the right thing once:

- ``accept`` (webhook, reconciler, start-up recovery) bumps P's *generation*;
- ``claim`` takes P's lease (one job per pull request across every process) and the generation
  it will cover; nothing to claim when that generation is already done, or another live
  worker holds the lease (it re-queues P when it finishes and sees a newer generation);
- ``finish`` records the outcome, marks the generation done, frees the lease, and says whether
  newer events came in meanwhile.

A pull request whose generation is ahead of its done one has work outstanding: :meth:`pending`
lists them for start-up recovery, whatever became of their tasks (a SIGKILL, a lost Redis
message). Leases expire; one held by a process of this host that has died is taken over at once.

Two stores keep this: ``ledger_sqlite.SqliteLedger`` (a file in the data dir, the default) and
``ledger_redis.RedisLedger`` (``--queue redis://...``), with the same behaviour (one contract
test suite runs against both); ``ledger_open.open_ledger`` picks one.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from mdvalidator.serve.events import PullRequestRef

QUEUED, RUNNING, DONE, FAILED, CLOSED = "queued", "running", "done", "failed", "closed"
DELIVERY_TTL = 3 * 24 * 3600.0  # GitHub keeps redelivering a delivery id for 3 days


@dataclass(frozen=True)
class Claim:
    """A claimed pull request: the generation this job covers and what is known of it."""

    generation: int
    verdict_head: str  # the head commit that already has a published verdict ("" none)
    force: bool  # a recheck was asked for: publish again even with a verdict for the head
    installation: int = 0


@dataclass(frozen=True)
class Outcome:
    """How a job ended; ``verdict`` set (pass/fail) when one was published for ``head``."""

    state: str
    head: str = ""
    verdict: str = ""
    duration: float = 0.0
    error: str = ""


@dataclass(frozen=True)
class JobRecord:
    """One pull request as the status page shows it."""

    forge: str
    repo: str
    number: int
    state: str
    head: str
    verdict: str
    verdict_head: str
    duration: float
    error: str
    updated: float
    generation: int
    done: int


class Ledger(Protocol):
    def ping(self) -> None: ...
    def first_delivery(self, key: str, ttl: float = DELIVERY_TTL) -> bool: ...
    def accept(self, ref: PullRequestRef, force: bool = False) -> int: ...
    def accept_delivery(
        self, key: str, refs: Sequence[PullRequestRef], force: bool, ttl: float = DELIVERY_TTL
    ) -> bool: ...
    def claim(self, ref: PullRequestRef, owner: str, ttl: float) -> Claim | None: ...
    def finish(self, ref: PullRequestRef, owner: str, generation: int, out: Outcome) -> bool: ...
    def release(self, ref: PullRequestRef, owner: str) -> None: ...
    def running(self) -> int: ...
    def verdict_head(self, ref: PullRequestRef) -> str: ...
    def pending(self) -> list[PullRequestRef]: ...
    def recent(self, limit: int = 200) -> list[JobRecord]: ...
    def add(self, counts: Mapping[str, float]) -> None: ...
    def counters(self) -> dict[str, float]: ...
    def note_problem(self, scope: str, text: str) -> None: ...
    def clear_problem(self, scope: str) -> None: ...
    def problems(self) -> dict[str, tuple[str, float]]: ...
    def take_slot(self, bucket: str, limit: int, window: float) -> float: ...
    def close(self) -> None: ...


HOST = socket.gethostname()
T = TypeVar("T")


def when_unlocked(action: Callable[[], T], deadline: float = 10.0) -> T:
    """``action()``, tried again at once while SQLite says the database is locked.

    SQLite's own busy handler sleeps longer and longer (up to 100 ms a try) however soon the
    lock is free; a webhook's answer would wait for nothing. Connections are opened with no
    busy timeout and come here instead: a try every half millisecond or so, for ``deadline``
    seconds."""
    give_up = time.monotonic() + deadline
    pause = 0.0002
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > give_up:
                raise
        time.sleep(pause)
        pause = min(pause * 1.5, 0.002)


def _started(pid: int) -> str | None:
    """The start time of process ``pid`` (Linux ``/proc``), or None when it is gone, a
    zombie, or cannot be told."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]


def new_owner() -> str:
    """A lease owner id for this process: host, pid, start time and a nonce (pids are
    reused, and a killed worker may linger as a zombie that ``kill(pid, 0)`` still finds)."""
    pid = os.getpid()
    return f"{HOST}:{pid}:{_started(pid) or '-'}:{uuid.uuid4().hex[:12]}"


def owner_is_dead(owner: str) -> bool:
    """True for an owner on this host whose process is gone (its lease can be taken now)."""
    host, _, rest = owner.partition(":")
    pid_text, _, rest = rest.partition(":")
    started = rest.partition(":")[0]
    if host != HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if Path("/proc/self/stat").exists():
        now = _started(pid)
        return now is None or (started not in ("", "-") and now != started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def encode_problem(text: str, at: float) -> str:
    return json.dumps({"text": text, "at": at})


def decode_problem(raw: str | bytes) -> tuple[str, float]:
    data = json.loads(raw)
    return str(data.get("text", "")), float(data.get("at", 0))
