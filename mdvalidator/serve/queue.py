"""The task queue: Huey, on its SQLite storage (a file in the data dir) or on Redis.

One task, ``check_pull_request(forge, repo, number, installation)``: "look at this pull request
again". What that means at run time is in the ledger, so duplicates are harmless and a lost
task is found again (start-up recovery, the reconciler). Messages are JSON, not Huey's default
pickle: whoever can write to the queue (a shared Redis) must not be able to run code in a
worker; a message that is not exactly the shape we write is refused.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey
from huey.registry import Message
from huey.serializer import Serializer
from huey.storage import SqliteStorage

from mdvalidator.serve.events import GITEE, GITHUB, PullRequestRef
from mdvalidator.serve.ledger import when_unlocked
from mdvalidator.serve.settings import REPO, ServeSettings

QUEUE_NAME = "mdvalidator"
TASK_NAME = "check_pull_request"
_MESSAGE_FIELDS = Message._fields
_TIMES = ("eta", "expires_resolved")


class JsonSerializer(Serializer):  # type: ignore[misc]
    """Huey messages as JSON, with the shape of our one task checked on the way in."""

    def _serialize(self, data: Any) -> bytes:
        if not isinstance(data, Message):
            raise TypeError("only task messages are queued")
        if data.on_complete or data.on_error or data.chord_config:
            raise TypeError("pipelines are not used here")
        fields = dict(zip(_MESSAGE_FIELDS, data, strict=True))
        for name in _TIMES:
            value = fields.get(name)
            if isinstance(value, datetime.datetime):
                fields[name] = value.isoformat()
        if isinstance(fields.get("expires"), datetime.timedelta):
            fields["expires"] = fields["expires"].total_seconds()
        return json.dumps(fields, separators=(",", ":")).encode("utf-8")

    def _deserialize(self, data: bytes) -> Any:
        fields = json.loads(data)
        if not isinstance(fields, dict) or set(fields) - set(_MESSAGE_FIELDS):
            raise ValueError("not a task message")
        if not str(fields.get("name", "")).endswith(f".{TASK_NAME}"):
            raise ValueError("not a task of ours")
        args = fields.get("args")
        if not (isinstance(args, list) and len(args) == 4 and _valid_args(*args)):
            raise ValueError("a task message with unexpected arguments")
        fields["args"] = tuple(args)
        fields["kwargs"] = {}
        for name in _TIMES:
            if isinstance(fields.get(name), str):
                fields[name] = datetime.datetime.fromisoformat(fields[name])
        return Message(**fields)


def _valid_args(forge: Any, repo: Any, number: Any, installation: Any) -> bool:
    return (
        forge in (GITEE, GITHUB)
        and isinstance(repo, str)
        and bool(REPO.match(repo))
        and isinstance(number, int)
        and number > 0
        and isinstance(installation, int)
        and installation >= 0
    )


Handler = Callable[[PullRequestRef], None]


class _SqliteStorage(SqliteStorage):  # type: ignore[misc]
    """Huey's SQLite storage with ``synchronous=NORMAL`` (WAL): a commit survives the process
    being killed without an fsync each (which costs milliseconds on every webhook); after a
    power cut the ledger, kept the same way, is what start-up recovery goes by."""

    def _create_connection(self) -> Any:
        self._timeout = 0  # no busy handler of SQLite's: see ledger.when_unlocked
        conn = when_unlocked(super()._create_connection)
        conn.execute("pragma synchronous=normal")
        return conn

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        when_unlocked(lambda: super(_SqliteStorage, self).enqueue(data, priority))

    def dequeue(self) -> bytes | None:
        return when_unlocked(super().dequeue)  # type: ignore[no-any-return]


class TaskQueue:
    """The Huey instance and our task on it (``handler`` runs it in a worker; None: web)."""

    def __init__(self, settings: ServeSettings, handler: Handler | None = None) -> None:
        serializer = JsonSerializer()
        if settings.uses_redis:
            self.huey: Any = RedisHuey(
                QUEUE_NAME, url=settings.queue, results=False, serializer=serializer,
                blocking=True, read_timeout=1,
            )  # fmt: skip
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self.huey = Huey(
                QUEUE_NAME, storage_class=_SqliteStorage, results=False, serializer=serializer,
                filename=str(Path(settings.data_dir) / "queue.sqlite3"), timeout=10,
            )  # fmt: skip

        def check_pull_request(forge: str, repo: str, number: int, installation: int) -> None:
            if handler is None:
                raise RuntimeError("this process only enqueues")
            handler(PullRequestRef(forge, repo, number, installation))

        check_pull_request.__module__ = __name__
        self.task = self.huey.task(name=TASK_NAME)(check_pull_request)

    def enqueue(self, ref: PullRequestRef) -> None:
        self.task(ref.forge, ref.repo, ref.number, ref.installation)

    def length(self) -> int:
        return int(self.huey.pending_count())

    def ping(self) -> None:
        """Raises when the storage cannot be reached."""
        storage = self.huey.storage
        if hasattr(storage, "conn") and hasattr(storage.conn, "ping"):
            storage.conn.ping()
        else:
            storage.queue_size()

    def consumer(self, settings: ServeSettings) -> Any:
        """A Huey consumer of ``settings.workers`` worker processes; SIGTERM stops it
        gracefully (running tasks get ``shutdown_timeout`` seconds to finish)."""
        return self.huey.create_consumer(
            workers=settings.workers,
            worker_type="process",
            periodic=False,
            initial_delay=0.05,
            backoff=1.3,
            max_delay=0.25,
            scheduler_interval=1,
            check_worker_health=True,
            health_check_interval=2,
            graceful_signal="TERM",
            shutdown_timeout=settings.shutdown_timeout,
        )
