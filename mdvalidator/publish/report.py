"""Reading a JSON report file that the publishers turn into comments: the reporters' reader
(:mod:`mdvalidator.reporters.report_file`), named here for the publishers."""

from __future__ import annotations

from mdvalidator.reporters.contract import MAX_POSITION
from mdvalidator.reporters.json_report import ReportError
from mdvalidator.reporters.json_report import load_report as parse_report
from mdvalidator.reporters.report_file import MAX_REPORT_BYTES, load_report, read_report_value

__all__ = [
    "MAX_POSITION",
    "MAX_REPORT_BYTES",
    "ReportError",
    "load_report",
    "parse_report",
    "read_report_value",
]
