"""Structured logs: one JSON object a line on stderr, for every event and every job.

``log(event, **fields)`` writes ``{"ts": ..., "level": ..., "event": ..., ...fields}``. Text that
may come from a pull request or a forge (repository names, messages) is passed through
:func:`mdvalidator.sanitize.clean` (no control or bidi characters, no ``##[``, length capped),
and every secret in force is replaced by ``***`` in the whole line, whatever logged it (the
libraries' records go through the same formatter).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Sequence
from typing import Any

from mdvalidator.sanitize import clean, redact

LOGGER = "mdvalidator.serve"
_FIELDS = "serve_fields"


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, _FIELDS, None) or {}
        line: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "event": fields.get("event") or "log",
        }
        if "event" not in fields:
            line["logger"] = record.name
            line["message"] = clean(record.getMessage(), 500)
        for key, value in fields.items():
            if key != "event":
                line[key] = _plain(value)
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = clean(f"{record.exc_info[0].__name__}: {record.exc_info[1]}", 500)
        return redact(json.dumps(line, ensure_ascii=False, sort_keys=False), self.secrets)


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value, 500)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value[:50]]
    return clean(str(value), 500)


def setup(secrets: Sequence[str], level: int = logging.INFO) -> None:
    """Send every record (ours, uvicorn's, Huey's) to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(secrets))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("huey", "urllib3", "github"):
        logging.getLogger(name).setLevel(logging.WARNING)


def log(event: str, level: int = logging.INFO, **fields: Any) -> None:
    logging.getLogger(LOGGER).log(level, event, extra={_FIELDS: {"event": event, **fields}})


def now_ms(start: float) -> float:
    """Milliseconds since ``start`` (a ``time.perf_counter()``), rounded."""
    return round((time.perf_counter() - start) * 1000, 2)
