"""Reading a JSON report file (``mdvalidator --format json``): the publishers' input, and
``report merge``'s.

The report travels from an unprivileged job to a privileged one as a build artifact, so it is
untrusted input twice over: it is read by the one capped reader (its size capped before it is
read; a FIFO, device or link refused), and its shape is checked by the one JSON contract
(``json_report.load_report``: a malformed file is a :class:`ReportError`, exit 2). Its text
is sanitised later, where it is rendered, and its verdict is not taken on its word
(``Report.failed``).
"""

from __future__ import annotations

import json
from pathlib import Path

from mdvalidator.problem import Report
from mdvalidator.reading import ReadError, ReadFailure, read_capped
from mdvalidator.reporters.json_report import ReportError
from mdvalidator.reporters.json_report import load_report as parse_report

# A report is a list of problems, not a data set: 20,000 problems take about 5 MB, a whole-hub
# audit a few MB more. Anything larger is not one of ours (``--max-report-size`` to raise it).
MAX_REPORT_BYTES = 16 * 1024 * 1024


def _too_large(file: Path, max_bytes: int) -> str:
    return (
        f"{file}: larger than {max_bytes} bytes, the cap for a report "
        "(not one of ours, or raise it with --max-report-size)"
    )


def read_report_value(path: str | Path, max_bytes: int = MAX_REPORT_BYTES) -> object:
    """The decoded JSON value of the report file at ``path`` (at most ``max_bytes`` read), not
    yet checked against the contract (``report merge`` adds the audit's fields to that check)."""
    file = Path(path)
    try:
        text = read_capped(file, max_bytes).decode("utf-8")
    except ReadError as error:
        if error.kind is ReadFailure.TOO_LARGE:
            raise ReportError(_too_large(file, max_bytes)) from None
        reason = error.message.removeprefix("cannot read: ")
        raise ReportError(f"cannot read the report {file}: {reason}") from None
    except UnicodeDecodeError:
        raise ReportError(f"cannot read the report {file}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{file}: not JSON (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ReportError(f"{file}: nested too deeply to be an mdvalidator report") from None


def load_report(path: str | Path, max_bytes: int = MAX_REPORT_BYTES) -> Report:
    """Read (at most ``max_bytes``) and validate the report file at ``path``."""
    data = read_report_value(path, max_bytes)
    try:
        return parse_report(data)
    except ReportError as exc:
        raise ReportError(f"{path}: {exc}") from None


__all__ = ["MAX_REPORT_BYTES", "ReportError", "load_report", "read_report_value"]
