"""``mdvalidator report``: whole-hub audits from the JSON reports of a sharded run.

    mdvalidator report merge shard-*.json -o hub.json [--history FILE] [--shards N]
    mdvalidator report html hub.json [--history FILE] -o site/

``merge`` makes one report of the shards' (assets and problems deduplicated, the verdict
recomputed, never read from the inputs). With ``--history FILE`` it also classifies each asset
against earlier runs (dead only after ``--dead-after`` runs that failed the same way, flaky
otherwise) and appends this run to FILE, atomically. ``html`` writes a static dashboard (no
external files; works from file:// and on GitHub or Gitee Pages) into a folder, atomically.

Reports are untrusted input (the jobs that wrote them may have run pull request content):
each is size-capped and validated, and a bad one stops the command with exit status 2 naming
the file and the key. Exit status: 0 written (whatever the verdict), 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mdvalidator.argtypes import argtype, at_least, parse_size
from mdvalidator.reporters.report_file import MAX_REPORT_BYTES

if TYPE_CHECKING:
    from mdvalidator.audit.history import HistoryRecord

HELP = "merge the JSON reports of a sharded run; build the audit dashboard"
DESCRIPTION = (__doc__ or "").replace("``", "`")

EXIT_OK = 0
EXIT_FAILED = 2

_count = argtype(at_least(1, int, "a number"))
_keep = argtype(at_least(0, int, "a number"))
_size = argtype(parse_size)
# mdvalidator.audit.files' cap, without importing the audit to build a parser
_MAX_HISTORY_BYTES = 256 * 1024 * 1024


def _date(text: str) -> str:
    from mdvalidator.audit.auditreport import DATE

    if not DATE.match(text):
        raise argparse.ArgumentTypeError("expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)")
    return text


def _url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise argparse.ArgumentTypeError("expected an http(s) URL")
    return text


def _inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history", type=Path, metavar="FILE", help="the audit history (JSON lines)"
    )
    parser.add_argument(
        "--max-report-size",
        type=_size,
        default=MAX_REPORT_BYTES,
        metavar="SIZE",
        help="refuse a report file larger than this (default 16M)",
    )
    parser.add_argument(
        "--max-history-size",
        type=_size,
        default=_MAX_HISTORY_BYTES,
        metavar="SIZE",
        help="refuse a history file larger than this (default 256M)",
    )
    parser.add_argument(
        "--dead-after",
        type=_count,
        default=2,
        metavar="N",
        help="an asset is dead once N runs in a row failed to download it the same way (default 2)",
    )
    parser.add_argument(
        "--date",
        type=_date,
        metavar="DATE",
        help="this run's date, UTC (default: now)",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    merge = sub.add_parser(
        "merge",
        help="merge the reports of a sharded run into one",
        description="Merge JSON reports (`mdvalidator --format json --shard I/N`) into one.",
    )
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT")
    merge.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="the merged report (default: stdout)"
    )
    merge.add_argument(
        "--shards",
        type=_count,
        metavar="N",
        help="the run had N shards: fail when an asset of a shard no report verified remains",
    )
    merge.add_argument("--strict", action="store_true", help="warnings fail the merged report")
    merge.add_argument(
        "--history-keep",
        type=_keep,
        default=400,
        metavar="N",
        help="keep the last N runs in the history (default 400; 0 keeps all)",
    )
    _inputs(merge)

    html = sub.add_parser(
        "html",
        help="write the static dashboard of a report",
        description="Write a static dashboard of a (merged) report into a folder.",
    )
    html.add_argument("report", type=Path, metavar="REPORT")
    html.add_argument(
        "-o", "--output", required=True, type=Path, metavar="DIR", help="the site's folder"
    )
    html.add_argument("--title", default="Asset health", help="the page title")
    html.add_argument(
        "--source-url",
        type=_url,
        metavar="URL",
        help="where the hub's files are shown, e.g. https://github.com/OWNER/HUB/blob/main/ "
        "(cards and lines link there)",
    )
    _inputs(html)


def run(args: argparse.Namespace) -> int:
    from mdvalidator.audit.auditreport import ReportError
    from mdvalidator.audit.history import HistoryError
    from mdvalidator.audit.merge import MergeError

    try:
        return _merge(args) if args.action == "merge" else _html(args)
    except (ReportError, HistoryError, MergeError) as exc:
        _say(f"error: {exc}")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"error: {where}{exc.strerror or exc}")
    return EXIT_FAILED


def _say(message: str) -> None:
    from mdvalidator.sanitize import clean

    print(f"mdvalidator: report: {clean(message, 2000)}", file=sys.stderr)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _merge(args: argparse.Namespace) -> int:
    from mdvalidator.atomic import write_atomic
    from mdvalidator.audit.auditreport import render_audit_report
    from mdvalidator.audit.classify import audit_run
    from mdvalidator.audit.files import append_history, load_audit_report, read_history
    from mdvalidator.audit.history import health_counts
    from mdvalidator.audit.merge import merge_reports

    reports = [load_audit_report(path, args.max_report_size) for path in args.reports]
    merged = merge_reports(reports, [str(p) for p in args.reports], args.shards)
    for note in merged.notes:
        _say(f"note: {note}")
    report = merged.report
    date = args.date or _now()
    history = read_history(args.history, args.max_history_size) if args.history else None
    run = None
    if history is not None:
        for warning in history.warnings:
            _say(f"warning: {warning}")
        run = audit_run(report, history.records, date, args.dead_after)
        report = run.report
    text = render_audit_report(report, args.strict)
    if args.output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(Path(args.output), text.encode("utf-8"))
    if history is not None and run is not None:
        try:
            dropped = append_history(args.history, history, run.record, args.history_keep)
        except OSError as exc:
            _say(
                f"error: cannot append to the history {args.history}: {exc.strerror or exc} "
                "(it is as it was)"
            )
            return EXIT_FAILED
        if dropped:
            _say(f"note: {dropped} old run(s) dropped from the history (--history-keep)")
    counts = health_counts(report)
    verdict = "fail" if report.failed(args.strict) else "pass"
    _say(
        f"merged {len(reports)} report(s): {counts['cards']} files, {counts['assets']} assets "
        f"({counts['verified']} verified, {counts['dead']} dead, {counts['flaky']} flaky, "
        f"{counts['mismatch']} mismatched); status {verdict}"
    )
    return EXIT_OK


def _html(args: argparse.Namespace) -> int:
    from mdvalidator import __version__
    from mdvalidator.audit.classify import classify_with_history
    from mdvalidator.audit.files import load_audit_report, read_history, write_site
    from mdvalidator.audit.site import SiteOptions, build_site

    report = load_audit_report(args.report, args.max_report_size)
    records: tuple[HistoryRecord, ...] = ()
    if args.history:
        history = read_history(args.history, args.max_history_size)
        for warning in history.warnings:
            _say(f"warning: {warning}")
        records = history.records
        if all(asset.health is None for asset in report.assets):
            # A report without health (not from `report merge --history`): its history
            # holds the earlier runs, not this one.
            report = classify_with_history(report, history.records, args.dead_after)
    date = args.date or _now()
    options = SiteOptions(
        title=args.title, generated=date, source_url=args.source_url or "", version=__version__
    )
    files = build_site(report, records, options)
    write_site(args.output, files)
    failing = sum(1 for name in files if name.startswith("cards/"))
    _say(f"wrote {args.output}: index.html and {failing} card page(s)")
    return EXIT_OK
