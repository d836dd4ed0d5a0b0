"""``mdvalidator publish``: put a JSON report on a pull request.

    mdvalidator publish github   --report report.json --repo OWNER/NAME --sha SHA [--pr N]
    mdvalidator publish gitee    --report report.json --repo OWNER/NAME --pr N
    mdvalidator publish render   --report report.json [--format markdown|github|text|sarif]

Tokens come from the environment only (``GITHUB_TOKEN``, ``GITEE_TOKEN``), never from the
command line, and are never printed. Exit status: 0 published, 2 bad report, missing token or
API failure (the verdict itself is the check run's conclusion, not this exit status).
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from mdvalidator.argtypes import argtype, at_least, parse_size
from mdvalidator.sanitize import clean, redact

HELP = "publish a JSON report to a pull request (GitHub check run / Gitee comment)"
DESCRIPTION = __doc__

EXIT_OK = 0
EXIT_FAILED = 2

# The check command's formats (mdvalidator.reporters.FORMATS), listed here so that building
# the parser does not import the reporters.
_FORMATS = ("text", "json", "github", "sarif")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_SHA = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")


def _repo(text: str) -> str:
    if not _REPO.match(text):
        raise argparse.ArgumentTypeError(f"expected OWNER/NAME, got {clean(text, 80)!r}")
    return text


def _sha(text: str) -> str:
    if not _SHA.match(text):
        raise argparse.ArgumentTypeError("expected a full 40-character hex commit SHA")
    return text


_positive = argtype(at_least(1, int, "a number"))
_size = argtype(parse_size)
# mdvalidator.publish.report.MAX_REPORT_BYTES, without importing marshmallow to build a parser
_MAX_REPORT_BYTES = 16 * 1024 * 1024
_non_negative = argtype(at_least(0, float, "a number"))


def _url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise argparse.ArgumentTypeError("expected an http(s) URL")
    return text.rstrip("/")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report",
        required=True,
        metavar="FILE",
        help="the report written by `mdvalidator --format json`",
    )
    parser.add_argument(
        "--max-report-size",
        type=_size,
        default=_MAX_REPORT_BYTES,
        metavar="SIZE",
        help="refuse a report file larger than this (default 16M)",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="platform", metavar="PLATFORM", required=True)

    gh = sub.add_parser(
        "github",
        help="check run with annotations, and a PR comment",
        description="Token: the GITHUB_TOKEN environment variable "
        "(needs checks: write, and pull-requests: write with --pr).",
    )
    _common(gh)
    gh.add_argument("--repo", required=True, type=_repo, metavar="OWNER/NAME")
    gh.add_argument("--sha", required=True, type=_sha, help="the pull request's head commit")
    gh.add_argument(
        "--pr",
        type=_positive,
        metavar="N",
        help="also keep one summary comment on pull request N, and annotate only "
        "the files it changes",
    )
    gh.add_argument(
        "--api-url",
        type=_url,
        default="https://api.github.com",
        help="GitHub Enterprise: https://HOST/api/v3 (default: %(default)s)",
    )
    gh.add_argument("--check-name", default="mdvalidator", help="default: %(default)s")
    gh.add_argument("--details-url", type=_url, help="link shown as the check run's details")
    gh.add_argument(
        "--comment-author",
        default="github-actions[bot]",
        metavar="LOGIN",
        help="whose earlier comment to edit: the account the token belongs to "
        "(default: %(default)s; '*' for any author)",
    )
    gh.add_argument("--retries", type=int, default=3, help="retries of failed reads (default 3)")
    gh.add_argument(
        "--write-interval",
        type=_non_negative,
        default=1.0,
        metavar="SECONDS",
        help="pause between writes, as GitHub asks of integrators (default 1)",
    )
    gh.add_argument(
        "--request-interval",
        type=_non_negative,
        default=0.25,
        metavar="SECONDS",
        help="pause between requests (default 0.25)",
    )

    gt = sub.add_parser(
        "gitee",
        help="one summary comment on a Gitee pull request",
        description="Token: the GITEE_TOKEN environment variable.",
    )
    _common(gt)
    gt.add_argument("--repo", required=True, type=_repo, metavar="OWNER/NAME")
    gt.add_argument("--pr", required=True, type=_positive, metavar="N")
    gt.add_argument(
        "--api-url", type=_url, default="https://gitee.com/api/v5", help="default: %(default)s"
    )
    gt.add_argument("--retries", type=int, default=3, help="retries of failed reads (default 3)")

    rd = sub.add_parser(
        "render",
        help="print a saved report again (no token, no network)",
        description="Print a JSON report in another format: `markdown` (the summary the PR "
        "comment shows), or any check format (`github` also writes $GITHUB_STEP_SUMMARY).",
    )
    _common(rd)
    rd.add_argument("--format", default="markdown", choices=("markdown", *_FORMATS))
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

    try:
        report = load_report(args.report, args.max_report_size)
    except ReportError as exc:
        return _fail(str(exc))
    if args.platform == "render":
        return _render(args, report)
    variable = "GITHUB_TOKEN" if args.platform == "github" else "GITEE_TOKEN"
    token = os.environ.get(variable, "").strip()
    if not token:
        return _fail(f"{variable} is not set: the {args.platform} publisher needs a token")
    try:
        if args.platform == "github":
            line = _github(args, report, token)
        else:
            line = _gitee(args, report, token)
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
    from mdvalidator.publish.report import PublishedReport
    from mdvalidator.reporters import ReportOptions, render, write_step_summary

    assert isinstance(report, PublishedReport)
    if args.format == "markdown":
        link = summary.blob_link(args.link_base, args.ref) if args.link_base else None
        sys.stdout.write(summary.render(report, limit=summary.GITHUB_LIMIT, link=link))
        return EXIT_OK
    plain = Report(checked=report.checked, problems=report.problems, assets=report.assets)
    options = ReportOptions()
    sys.stdout.write(render(args.format, plain, options))
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.format == "github" and step_summary:
        write_step_summary(plain, step_summary, options)
    return EXIT_OK


def _github(args: argparse.Namespace, report: object, token: str) -> str:
    from mdvalidator.publish.github import GithubTarget, Pacing, publish_github
    from mdvalidator.publish.report import PublishedReport

    assert isinstance(report, PublishedReport)
    target = GithubTarget(
        repo=args.repo,
        sha=args.sha,
        pr=args.pr,
        api_url=args.api_url,
        check_name=clean(args.check_name, 100),
        comment_author=args.comment_author,
        details_url=args.details_url,
    )
    pacing = Pacing(
        retries=max(args.retries, 0),
        request_interval=args.request_interval,
        write_interval=args.write_interval,
    )
    done = publish_github(report, target, token, pacing)
    text = (
        f"mdvalidator: check run {target.check_name!r}: {done.conclusion}, "
        f"{done.annotations} annotation(s) in {done.check_requests} request(s)"
    )
    if done.not_annotated:
        where = "outside the PR's files" if args.pr else "without a plain repository path"
        text += f", {done.not_annotated} problem(s) {where} listed in the summary"
    if done.over_cap:
        text += f", {done.over_cap} more past the annotation cap counted in the summary"
    if done.comment:
        text += f"; {done.comment} the comment on pull request #{args.pr}"
    if done.pr_moved:
        text += (
            f"; pull request #{args.pr} is no longer at {args.sha[:12]}, so its comment "
            "was left alone"
        )
    return text


def _gitee(args: argparse.Namespace, report: object, token: str) -> str:
    from mdvalidator.publish.gitee import GiteeTarget, publish_gitee
    from mdvalidator.publish.report import PublishedReport

    assert isinstance(report, PublishedReport)
    target = GiteeTarget(repo=args.repo, pr=args.pr, api_url=args.api_url)
    done = publish_gitee(report, target, token, retries=max(args.retries, 0))
    return f"mdvalidator: {done.comment} the comment on Gitee pull request !{args.pr}"
