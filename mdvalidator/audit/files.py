"""The audit's only I/O: capped reads of its inputs, the history append, the site folder.

Nothing is ever half written: a history line is appended by writing the whole new file beside
the old one, flushed to disk, then renamed over it (a full disk or a crash leaves the old file
as it was); the site is built in a temporary folder beside the target and renamed into place.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from mdvalidator.atomic import write_atomic
from mdvalidator.audit.auditreport import AuditReport, ReportError, parse_audit_report
from mdvalidator.audit.history import (
    HistoryError,
    HistoryRead,
    HistoryRecord,
    parse_history,
    record_line,
)

MAX_REPORT_BYTES = 16 * 1024 * 1024
# About 35 bytes an asset a run: 3,000 assets a day for a year is under 40 MB.
MAX_HISTORY_BYTES = 256 * 1024 * 1024
SITE_MARKER = ".mdvalidator-dashboard"


class InputTooLarge(Exception):
    pass


def read_capped(path: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` of a regular file; a FIFO or device is refused, not waited on."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path}: not a regular file")
        if info.st_size > max_bytes:
            raise InputTooLarge(f"{path}: larger than {max_bytes} bytes")
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise InputTooLarge(f"{path}: larger than {max_bytes} bytes")
    return data


def load_audit_report(path: Path, max_bytes: int = MAX_REPORT_BYTES) -> AuditReport:
    """Read and validate one report; :class:`ReportError` says what is wrong, and where."""
    try:
        text = read_capped(path, max_bytes).decode("utf-8")
    except InputTooLarge:
        raise ReportError(
            f"{path}: larger than {max_bytes} bytes, the cap for a report "
            "(not one of ours, or raise it with --max-report-size)"
        ) from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ReportError(f"cannot read the report {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ReportError(f"{path}: nested too deeply to be an mdvalidator report") from None
    try:
        return parse_audit_report(data)
    except ReportError as exc:
        raise ReportError(f"{path}: {exc}") from None


def read_history(path: Path, max_bytes: int = MAX_HISTORY_BYTES) -> HistoryRead:
    """The history at ``path``; an absent file is an empty history (the first run)."""
    try:
        data = read_capped(path, max_bytes)
    except FileNotFoundError:
        return HistoryRead(records=(), lines=())
    except InputTooLarge:
        raise HistoryError(
            f"{path}: larger than {max_bytes} bytes (keep fewer runs with --history-keep, "
            "or raise --max-history-size)"
        ) from None
    except OSError as exc:
        raise HistoryError(f"cannot read the history {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise HistoryError(f"{path}:{line}: not UTF-8 text") from None
    return parse_history(text, str(path))


def append_history(path: Path, read: HistoryRead, record: HistoryRecord, keep: int = 0) -> int:
    """Write ``read``'s lines (the last ``keep - 1`` of them, with ``keep``) and ``record``'s
    line to ``path`` in one step; returns how many earlier runs were dropped."""
    lines = list(read.lines)
    dropped = max(0, len(lines) - (keep - 1)) if keep > 0 else 0
    kept = lines[dropped:]
    text = "".join(line + "\n" for line in kept) + record_line(record)
    write_atomic(path, text.encode("utf-8"), durable=True)
    return dropped


def write_site(target: Path, files: Mapping[str, bytes]) -> None:
    """Put ``files`` (relative path -> bytes) in the folder ``target``, replacing the dashboard
    that was there. The folder must be absent, empty, or one this function wrote: a typo in
    ``-o`` never deletes someone's folder."""
    target = Path(target)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OSError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / SITE_MARKER).is_file():
        raise OSError(
            f"{target}: not empty and not a dashboard mdvalidator wrote (no {SITE_MARKER}); "
            "choose an empty or new folder"
        )
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".new"))
    try:
        for name, data in {**files, SITE_MARKER: b"mdvalidator dashboard\n"}.items():
            destination = building / name
            if destination.resolve().parent != building.resolve() / Path(name).parent:
                raise ValueError(f"not a plain relative path: {name!r}")
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        os.chmod(building, 0o755)
        _swap_in(building, target.resolve())
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _swap_in(building: Path, target: Path) -> None:
    if not target.exists():
        os.rename(building, target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(building, target)
    except BaseException:
        os.rename(old, target)
        raise
    with contextlib.suppress(OSError):
        shutil.rmtree(old)
