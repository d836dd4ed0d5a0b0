"""Which ledger store a run uses (apart from :mod:`mdvalidator.serve.ledger`, the contract both
stores import, so nothing imports in a circle)."""

from __future__ import annotations

from pathlib import Path

from mdvalidator.serve.ledger import Ledger


def open_ledger(data_dir: Path, queue: str) -> Ledger:
    """The ledger of a run: in Redis with a Redis queue, else a SQLite file in ``data_dir``."""
    if queue != "sqlite":
        from mdvalidator.serve.ledger_redis import RedisLedger

        return RedisLedger(queue)
    from mdvalidator.serve.ledger_sqlite import SqliteLedger

    data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteLedger(data_dir / "ledger.sqlite3")
