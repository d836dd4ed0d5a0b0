"""The ledger (see :mod:`mdvalidator.serve.ledger`) in one SQLite file, the default store.

WAL mode, ``synchronous=NORMAL`` (a commit survives the process being killed), one short
``BEGIN IMMEDIATE`` transaction per step, and no busy timeout of SQLite's own: a locked
database is tried again at once (:func:`~mdvalidator.serve.ledger.when_unlocked`), so a
webhook's answer does not sleep through SQLite's growing back-off.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from mdvalidator.serve.events import PullRequestRef
from mdvalidator.serve.ledger import (
    DELIVERY_TTL,
    QUEUED,
    RUNNING,
    Claim,
    JobRecord,
    Outcome,
    owner_is_dead,
    when_unlocked,
)

_SCHEMA = """
create table if not exists pulls (
  key text primary key, forge text not null, repo text not null, number integer not null,
  installation integer not null default 0, generation integer not null default 0,
  done integer not null default 0, force_gen integer not null default 0,
  state text not null default 'queued', head text not null default '',
  verdict text not null default '', verdict_head text not null default '',
  duration real not null default 0, error text not null default '',
  updated real not null default 0, lease_owner text not null default '',
  lease_expires real not null default 0);
create index if not exists pulls_updated on pulls (updated);
create table if not exists deliveries (key text primary key, expires real not null);
create table if not exists counters (name text primary key, value real not null);
create table if not exists problems (scope text primary key, text text not null, at real);
create table if not exists slots (bucket text primary key, win integer, used integer);
"""


class SqliteLedger:
    """The ledger in one SQLite file (WAL): every process of one machine shares it."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._inserts = 0
        with self._lock:
            db = self._db()
            when_unlocked(lambda: db.executescript(_SCHEMA), self.timeout)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():  # a forked child opens its own
            conn = sqlite3.connect(
                self.path, timeout=0, isolation_level=None, check_same_thread=False
            )
            when_unlocked(lambda: conn.execute("pragma journal_mode=wal"), self.timeout)
            conn.execute("pragma synchronous=normal")
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._db()
            when_unlocked(lambda: db.execute("begin immediate"), self.timeout)
            try:
                yield db
            except BaseException:
                db.execute("rollback")
                raise
            db.execute("commit")

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            db = self._db()
            return when_unlocked(lambda: list(db.execute(sql, params).fetchall()), self.timeout)

    def ping(self) -> None:
        self._read("select 1")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def first_delivery(self, key: str, ttl: float = DELIVERY_TTL) -> bool:
        now = time.time()
        with self._tx() as db:
            db.execute("delete from deliveries where key = ? and expires < ?", (key, now))
            added = db.execute(
                "insert or ignore into deliveries (key, expires) values (?, ?)", (key, now + ttl)
            ).rowcount
            self._inserts += 1
            if self._inserts % 200 == 0:
                db.execute("delete from deliveries where expires < ?", (now,))
        return added == 1

    @staticmethod
    def _accept(db: sqlite3.Connection, ref: PullRequestRef, force: bool, now: float) -> int:
        db.execute(
            "insert into pulls (key, forge, repo, number, installation, updated) "
            "values (?, ?, ?, ?, ?, ?) on conflict (key) do nothing",
            (ref.key, ref.forge, ref.repo, ref.number, ref.installation, now),
        )
        db.execute(
            "update pulls set generation = generation + 1, updated = ?, repo = ?, "
            "installation = case when ? > 0 then ? else installation end, "
            "state = case when state = 'running' then state else 'queued' end "
            "where key = ?",
            (now, ref.repo, ref.installation, ref.installation, ref.key),
        )
        (generation,) = db.execute(
            "select generation from pulls where key = ?", (ref.key,)
        ).fetchone()
        if force:
            db.execute("update pulls set force_gen = ? where key = ?", (generation, ref.key))
        return int(generation)

    def accept(self, ref: PullRequestRef, force: bool = False) -> int:
        with self._tx() as db:
            return self._accept(db, ref, force, time.time())

    def accept_delivery(
        self, key: str, refs: Sequence[PullRequestRef], force: bool, ttl: float = DELIVERY_TTL
    ) -> bool:
        """A webhook's work in one transaction: False (nothing done) when ``key`` was seen;
        else each pull request accepted and counted."""
        now = time.time()
        with self._tx() as db:
            db.execute("delete from deliveries where key = ? and expires < ?", (key, now))
            added = db.execute(
                "insert or ignore into deliveries (key, expires) values (?, ?)", (key, now + ttl)
            ).rowcount
            if added != 1:
                return False
            for ref in refs:
                self._accept(db, ref, force, now)
            db.execute(
                "insert into counters (name, value) values ('jobs_queued_total', ?) "
                "on conflict (name) do update set value = value + excluded.value",
                (float(len(refs)),),
            )
            self._inserts += 1
            if self._inserts % 200 == 0:
                db.execute("delete from deliveries where expires < ?", (now,))
        return True

    def claim(self, ref: PullRequestRef, owner: str, ttl: float) -> Claim | None:
        now = time.time()
        with self._tx() as db:
            row = db.execute(
                "select generation, done, force_gen, verdict_head, lease_owner, lease_expires, "
                "installation from pulls where key = ?",
                (ref.key,),
            ).fetchone()
            if row is None:
                return None
            generation, done, force, verdict_head, lease, expires, installation = row
            held = lease and expires > now and not owner_is_dead(lease)
            if held or generation <= done:
                return None
            db.execute(
                "update pulls set lease_owner = ?, lease_expires = ?, state = ?, updated = ? "
                "where key = ?",
                (owner, now + ttl, RUNNING, now, ref.key),
            )
        return Claim(int(generation), str(verdict_head), int(force) > int(done), int(installation))

    def finish(self, ref: PullRequestRef, owner: str, generation: int, out: Outcome) -> bool:
        now = time.time()
        with self._tx() as db:
            row = db.execute(
                "select lease_owner, generation from pulls where key = ?", (ref.key,)
            ).fetchone()
            if row is None or row[0] != owner:
                return False  # the lease expired and someone else took the pull request
            newer = int(row[1]) > generation
            db.execute(
                "update pulls set lease_owner = '', lease_expires = 0, "
                "done = max(done, ?), state = ?, head = ?, duration = ?, error = ?, updated = ? "
                "where key = ?",
                (
                    generation, QUEUED if newer else out.state, out.head, out.duration,
                    out.error, now, ref.key,
                ),
            )  # fmt: skip
            if out.verdict:
                db.execute(
                    "update pulls set verdict = ?, verdict_head = ? where key = ?",
                    (out.verdict, out.head, ref.key),
                )
        return newer

    def release(self, ref: PullRequestRef, owner: str) -> None:
        """Give the lease back without finishing (the job was interrupted: run it again)."""
        with self._tx() as db:
            db.execute(
                "update pulls set lease_owner = '', lease_expires = 0, state = ? "
                "where key = ? and lease_owner = ?",
                (QUEUED, ref.key, owner),
            )

    def running(self) -> int:
        rows = self._read(
            "select count(*) from pulls where lease_owner != '' and lease_expires > ?",
            (time.time(),),
        )
        return int(str(rows[0][0]))

    def verdict_head(self, ref: PullRequestRef) -> str:
        rows = self._read("select verdict_head from pulls where key = ?", (ref.key,))
        return str(rows[0][0]) if rows else ""

    def pending(self) -> list[PullRequestRef]:
        rows = self._read(
            "select forge, repo, number, installation from pulls where generation > done"
        )
        return [PullRequestRef(str(f), str(r), int(n), int(i)) for f, r, n, i in rows]  # type: ignore[call-overload]

    def recent(self, limit: int = 200) -> list[JobRecord]:
        rows = self._read(
            "select forge, repo, number, state, head, verdict, verdict_head, duration, error, "
            "updated, generation, done from pulls order by updated desc limit ?",
            (limit,),
        )
        return [JobRecord(*row) for row in rows]  # type: ignore[arg-type]

    def add(self, counts: Mapping[str, float]) -> None:
        if not counts:
            return
        with self._tx() as db:
            db.executemany(
                "insert into counters (name, value) values (?, ?) "
                "on conflict (name) do update set value = value + excluded.value",
                list(counts.items()),
            )

    def counters(self) -> dict[str, float]:
        return {str(k): float(v) for k, v in self._read("select name, value from counters")}  # type: ignore[arg-type]

    def note_problem(self, scope: str, text: str) -> None:
        with self._tx() as db:
            db.execute(
                "insert or replace into problems (scope, text, at) values (?, ?, ?)",
                (scope, text, time.time()),
            )

    def clear_problem(self, scope: str) -> None:
        with self._tx() as db:
            db.execute("delete from problems where scope = ?", (scope,))

    def problems(self) -> dict[str, tuple[str, float]]:
        rows = self._read("select scope, text, at from problems order by scope")
        return {str(s): (str(t), float(a)) for s, t, a in rows}  # type: ignore[arg-type]

    def take_slot(self, bucket: str, limit: int, window: float) -> float:
        """One request of ``limit`` per ``window`` seconds in ``bucket``: 0 when it may go now,
        else how long to wait (fixed windows, shared by every process)."""
        now = time.time()
        current = int(now // window)
        with self._tx() as db:
            row = db.execute("select win, used from slots where bucket = ?", (bucket,)).fetchone()
            used = int(row[1]) if row is not None and int(row[0]) == current else 0
            if used >= limit:
                return (current + 1) * window - now
            db.execute(
                "insert or replace into slots (bucket, win, used) values (?, ?, ?)",
                (bucket, current, used + 1),
            )
        return 0.0
