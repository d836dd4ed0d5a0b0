"""``mdvalidator publish``: put a JSON report on a pull request.

    mdvalidator publish github   --report report.json --repo OWNER/NAME --sha SHA [--pr N]
    mdvalidator publish gitee    --report report.json --repo OWNER/NAME --pr N
    mdvalidator publish github|gitee --repo OWNER/NAME --issue TITLE [--dashboard-url URL] hub.json
    mdvalidator publish render   --report report.json [--format markdown|github|text|sarif]

Tokens come from the environment only (``GITHUB_TOKEN``, ``GITEE_TOKEN``), never from the
command line, and are never printed. Exit status: 0 published, 2 bad report, missing token or
API failure (the verdict itself is the check run's conclusion, not this exit status).
"""

from __future__ import annotations

import argparse
import os
import sys

from mdvalidator.argtypes import argtype, parse_size
from mdvalidator.publish import PUBLISHERS, get_publisher
from mdvalidator.publish.report import MAX_REPORT_BYTES
from mdvalidator.reporters import FORMATS
from mdvalidator.sanitize import clean, redact

HELP = "publish a JSON report to a pull request (GitHub check run / Gitee comment)"
DESCRIPTION = __doc__

EXIT_OK = 0
EXIT_FAILED = 2
RENDER_FORMATS = ("markdown", *FORMATS)  # markdown: the summary a PR comment shows


def _url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise argparse.ArgumentTypeError("expected an http(s) URL")
    return text.rstrip("/")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report",
        metavar="FILE",
        help="the report written by `mdvalidator --format json` (or give it as REPORT)",
    )
    parser.add_argument("report_file", nargs="?", metavar="REPORT", help="the same as --report")
    parser.add_argument(
        "--max-report-size",
        type=argtype(parse_size),
        default=MAX_REPORT_BYTES,
        metavar="SIZE",
        help="refuse a report file larger than this (default 16M)",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="platform", metavar="PLATFORM", required=True)
    for name in PUBLISHERS:
        publisher = get_publisher(name)
        platform = sub.add_parser(name, help=publisher.help, description=publisher.description)
        _common(platform)
        publisher.configure(platform)
    rd = sub.add_parser(
        "render",
        help="print a saved report again (no token, no network)",
        description="Print a JSON report in another format: `markdown` (the summary the PR "
        "comment shows), or any check format (`github` also writes $GITHUB_STEP_SUMMARY).",
    )
    _common(rd)
    rd.add_argument("--format", default="markdown", choices=RENDER_FORMATS)
    rd.add_argument(
        "--link-base",
        type=_url,
        metavar="URL",
        help="markdown: link paths to URL/blob/REF/PATH#Lline (with --ref)",
    )
    rd.add_argument("--ref", default="HEAD", help="commit or branch for --link-base links")


def run(args: argparse.Namespace) -> int:
    from mdvalidator.publish.errors import PublishError
    from mdvalidator.publish.report import ReportError, load_report

    if (args.report is None) == (args.report_file is None):
        return _fail("give the report once: --report FILE or REPORT")
    args.report = args.report or args.report_file
    try:
        report = load_report(args.report, args.max_report_size)
    except ReportError as exc:
        return _fail(str(exc))
    if args.platform == "render":
        return _render(args, report)
    publisher = get_publisher(args.platform)
    token = os.environ.get(publisher.token_variable, "").strip()
    if not token:
        return _fail(
            f"{publisher.token_variable} is not set: the {args.platform} publisher needs a token"
        )
    try:
        line = publisher.publish(report, args, token)
    except PublishError as exc:
        return _fail(redact(str(exc), [token]))
    print(redact(line, [token]))
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"mdvalidator: publish failed: {clean(message, 1000)}", file=sys.stderr)
    return EXIT_FAILED


def _render(args: argparse.Namespace, report: object) -> int:
    from mdvalidator.problem import Report
    from mdvalidator.publish import summary
    from mdvalidator.reporters import ReportOptions, render, write_step_summary

    assert isinstance(report, Report)
    if args.format == "markdown":
        link = summary.blob_link(args.link_base, args.ref) if args.link_base else None
        sys.stdout.write(summary.render(report, limit=summary.GITHUB_LIMIT, link=link))
        return EXIT_OK
    options = ReportOptions()
    sys.stdout.write(render(args.format, report, options))
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.format == "github" and step_summary:
        write_step_summary(report, step_summary, options)
    return EXIT_OK
