"""The audit's only I/O: capped reads of its inputs, the history append, the site folder.

Nothing is ever half written: a history line is appended by writing the whole new file beside
the old one, flushed to disk, then renamed over it (a full disk or a crash leaves the old file
as it was); the site is built in a temporary folder beside the target and renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
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
from mdvalidator.reading import ReadError, ReadFailure, read_capped
from mdvalidator.reporters.report_file import MAX_REPORT_BYTES, read_report_value

# About 35 bytes an asset a run: 3,000 assets a day for a year is under 40 MB.
MAX_HISTORY_BYTES = 256 * 1024 * 1024
SITE_MARKER = ".mdvalidator-dashboard"


def load_audit_report(path: Path, max_bytes: int = MAX_REPORT_BYTES) -> AuditReport:
    """Read and validate one report (the publishers' capped reader, the one contract, then the
    audit's own fields); :class:`ReportError` says what is wrong, and where."""
    data = read_report_value(path, max_bytes)
    try:
        return parse_audit_report(data)
    except ReportError as exc:
        raise ReportError(f"{path}: {exc}") from None


def read_history(path: Path, max_bytes: int = MAX_HISTORY_BYTES) -> HistoryRead:
    """The history at ``path``; an absent file is an empty history (the first run)."""
    if not os.path.lexists(path):
        return HistoryRead(records=(), lines=())
    try:
        data = read_capped(path, max_bytes)
    except ReadError as error:
        if error.kind is ReadFailure.TOO_LARGE:
            raise HistoryError(
                f"{path}: larger than {max_bytes} bytes (keep fewer runs with --history-keep, "
                "or raise --max-history-size)"
            ) from None
        reason = error.message.removeprefix("cannot read: ")
        raise HistoryError(f"cannot read the history {path}: {reason}") from None
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
