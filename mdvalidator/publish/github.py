"""Publishing a report to GitHub with PyGithub: a check run with annotations, and a PR comment.

The check run named ``mdvalidator`` carries the verdict (conclusion), a summary table and one
annotation per problem. The Checks API takes at most 50 annotations per request and appends on
every update, so the run is created with the first batch and updated with the rest; the last
update sets the conclusion. With a pull request number, problems in files the PR did not change
are listed in the summary rather than annotated (GitHub cannot show them on the diff), and one
comment on the PR, found again by a hidden marker, is edited in place on later runs.

The report is untrusted (it comes from a job that ran the PR's content): the conclusion is
recomputed from its problems and assets, only plain relative paths are annotated (no absolute
or ``..`` paths, no control or format characters; with a PR, only the files it changes), lines
are clamped to what the API takes, and at most :data:`MAX_ANNOTATIONS` are written (errors
first); everything else is counted and listed in the summary.

PyGithub is imported inside :func:`~mdvalidator.publish.github_client.github_session`, so the
offline lint path never loads it.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from mdvalidator.argtypes import argtype, at_least
from mdvalidator.problem import Problem, Report
from mdvalidator.publish import api_url, repository, rolling, summary
from mdvalidator.publish.annotations import (
    MAX_ANNOTATIONS,
    annotation,
    batches,
    capped,
    sections,
    split_by_changed,
)
from mdvalidator.publish.errors import PublishError
from mdvalidator.publish.github_client import TOKEN_VARIABLE, Pacing, github_session
from mdvalidator.sanitize import clean, redact_url

DEFAULT_API_URL = "https://api.github.com"
BOT_LOGIN = "github-actions[bot]"  # who writes the comment when the workflow token is used
ANY_AUTHOR = "*"


@dataclass(frozen=True)
class GithubTarget:
    """Where to publish: repository, commit, optional pull request, and which server."""

    repo: str
    sha: str
    pr: int | None = None
    api_url: str = DEFAULT_API_URL
    check_name: str = summary.CHECK_NAME
    comment_author: str = BOT_LOGIN
    details_url: str | None = None


@dataclass
class GithubOutcome:
    """What was done, for the one-line log the CLI prints."""

    check_run_url: str = ""
    conclusion: str = ""
    annotations: int = 0
    check_requests: int = 0
    not_annotated: int = 0  # outside the PR's files, or not a path GitHub can show
    over_cap: int = 0  # left out past MAX_ANNOTATIONS
    comment: str = ""  # "created", "updated" or "" (no --pr, or the PR moved on)
    pr_moved: bool = False  # the PR's head is no longer the commit that was validated
    steps: list[str] = field(default_factory=list)


def publish_github(
    report: Report, target: GithubTarget, token: str, pacing: Pacing | None = None
) -> GithubOutcome:
    """Create or update the check run and (with ``target.pr``) the PR comment.

    Raises :class:`PublishError` with a printable message on any API or connection failure.
    """
    outcome = GithubOutcome()
    with github_session(target.api_url, token, pacing or Pacing(), outcome.steps) as client:
        _publish(client, report, target, outcome)
    return outcome


def _publish(client: Any, report: Report, target: GithubTarget, out: GithubOutcome) -> None:
    out.steps.append("reading the repository")
    repository = client.get_repo(target.repo)
    web_url = str(repository.html_url)  # completes the lazy object: GET /repos/{owner}/{repo}
    link = summary.blob_link(web_url, target.sha)

    changed: frozenset[str] | None = None
    if target.pr is not None:
        pull = repository.get_pull(target.pr)
        out.steps.append(f"reading pull request #{target.pr}")
        head = str(pull.head.sha)  # completes the lazy object: GET .../pulls/{number}
        out.pr_moved = head != target.sha
        if not out.pr_moved:  # otherwise its files are not the ones that were validated
            out.steps.append(f"listing the files of pull request #{target.pr}")
            changed = frozenset(f.filename for f in pull.get_files())
    inside, outside = split_by_changed(report.problems, changed)
    groups = sections(inside, outside, changed is not None)
    out.not_annotated = len(outside)
    annotated, out.over_cap = capped(inside)

    title = clean(summary.headline(report), 200)
    notes = []
    if outside and changed is not None:
        notes.append(
            f"{len(outside)} problem(s) are in files this pull request does not change; "
            "they are listed here but not annotated."
        )
    elif outside:
        notes.append(
            f"{len(outside)} problem(s) name no plain path in the repository; "
            "they are listed here but not annotated."
        )
    if out.over_cap:
        notes.append(
            f"{out.over_cap} more problem(s) are not annotated: at most {MAX_ANNOTATIONS} "
            "annotations are written (errors first)."
        )
    check_summary = summary.render(
        report, limit=summary.GITHUB_LIMIT, link=link, sections=groups, notes=notes
    )
    out.conclusion = summary.conclusion(report)
    run = _write_check_run(
        repository,
        target=target,
        inside=annotated,
        title=title,
        check_summary=check_summary,
        out=out,
    )
    out.check_run_url = str(run.html_url or "")

    if target.pr is None or out.pr_moved:
        # A moved head means a newer run will report; it also stops a report that names the
        # wrong pull request (the number travels in an artifact) from commenting there.
        return
    notes_comment = list(notes)
    if out.check_run_url.startswith(("https://", "http://")):
        notes_comment.append(
            f"Details: [the {target.check_name} check run]({redact_url(out.check_run_url)})."
        )
    body = summary.render(
        report,
        limit=summary.GITHUB_LIMIT,
        link=link,
        sections=groups,
        marker=True,
        notes=notes_comment,
    )
    _write_comment(repository, target, body, out)


def _write_check_run(
    repository: Any,
    *,
    target: GithubTarget,
    inside: Sequence[Problem],
    title: str,
    check_summary: str,
    out: GithubOutcome,
) -> Any:
    out.steps.append(f"looking for an unfinished {target.check_name} check run")
    commit = repository.get_commit(target.sha)
    run = next(
        (
            r
            for r in commit.get_check_runs(check_name=target.check_name, filter="latest")
            if r.status != "completed"
        ),
        None,
    )
    notes = [annotation(p) for p in inside]
    chunks = list(batches(notes))
    for index, chunk in enumerate(chunks):
        final = index == len(chunks) - 1
        output: dict[str, Any] = {"title": title, "summary": check_summary}
        if chunk:
            output["annotations"] = chunk
        fields: dict[str, Any] = {"output": output}
        if final:
            fields["conclusion"] = out.conclusion
            fields["completed_at"] = datetime.now(timezone.utc)
        else:
            fields["status"] = "in_progress"
        if target.details_url:
            fields["details_url"] = target.details_url
        if run is None:
            out.steps.append(f"creating the {target.check_name} check run")
            run = repository.create_check_run(
                name=target.check_name, head_sha=target.sha, external_id="mdvalidator", **fields
            )
        else:
            out.steps.append(f"updating the {target.check_name} check run (batch {index + 1})")
            run.edit(**fields)
        out.check_requests += 1
        out.annotations += len(chunk)
    return run


def _write_comment(repository: Any, target: GithubTarget, body: str, out: GithubOutcome) -> None:
    assert target.pr is not None
    out.steps.append(f"reading the comments of pull request #{target.pr}")
    issue = repository.get_issue(target.pr)
    ours = None
    for comment in issue.get_comments():
        text = comment.body or ""
        if not text.startswith(summary.MARKER):
            continue
        author = comment.user.login if comment.user is not None else None  # None: a deleted user
        if target.comment_author not in (ANY_AUTHOR, author):
            continue
        ours = comment
        break
    if ours is None:
        out.steps.append(f"commenting on pull request #{target.pr}")
        issue.create_comment(body)
        out.comment = "created"
    else:
        out.steps.append(f"updating the comment on pull request #{target.pr}")
        ours.edit(body)
        out.comment = "updated"


__all__ = ["GithubOutcome", "GithubTarget", "Pacing", "PublishError", "publish_github"]


_SHA = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")  # a git commit (SHA-1 or SHA-256 objects)


def _sha(text: str) -> str:
    if not _SHA.match(text):
        raise argparse.ArgumentTypeError("expected a full 40-character hex commit SHA")
    return text


def _seconds(text: str) -> float:
    seconds: float = argtype(at_least(0, float, "a number"))(text)
    return seconds


class GithubPublisher:
    help = "check run with annotations and a PR comment, or the rolling issue of an audit"
    description = (
        "Token: the GITHUB_TOKEN environment variable (needs checks: write, and "
        "pull-requests: write with --pr; issues: write with --issue)."
    )
    token_variable = TOKEN_VARIABLE

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--repo", required=True, type=repository, metavar="OWNER/NAME")
        parser.add_argument(
            "--sha", type=_sha, help="the pull request's head commit (required without --issue)"
        )
        parser.add_argument(
            "--pr",
            type=argtype(at_least(1, int, "a number")),
            metavar="N",
            help="also keep one summary comment on pull request N, and annotate only "
            "the files it changes",
        )
        rolling.add_issue_flags(parser)
        parser.add_argument(
            "--api-url",
            type=api_url,
            default=DEFAULT_API_URL,
            help="GitHub Enterprise: https://HOST/api/v3 (default: %(default)s)",
        )
        parser.add_argument("--check-name", default="mdvalidator", help="default: %(default)s")
        parser.add_argument(
            "--details-url", type=api_url, help="link shown as the check run's details"
        )
        parser.add_argument(
            "--comment-author",
            default=BOT_LOGIN,
            metavar="LOGIN",
            help="whose earlier comment (or rolling issue) to edit: the account the token "
            "belongs to (default: %(default)s; '*' for any author)",
        )
        parser.add_argument(
            "--retries", type=int, default=3, help="retries of failed reads (default 3)"
        )
        parser.add_argument(
            "--write-interval",
            type=_seconds,
            default=1.0,
            metavar="SECONDS",
            help="pause between writes, as GitHub asks of integrators (default 1)",
        )
        parser.add_argument(
            "--request-interval",
            type=_seconds,
            default=0.25,
            metavar="SECONDS",
            help="pause between requests (default 0.25)",
        )

    def publish(self, report: Report, args: argparse.Namespace, token: str) -> str:
        pacing = Pacing(
            retries=max(args.retries, 0),
            request_interval=args.request_interval,
            write_interval=args.write_interval,
        )
        rolling.check_mode(args.issue, {"--sha": args.sha, "--pr": args.pr})
        if args.issue is not None:
            return _publish_issue(args, token, pacing)
        if args.dashboard_url is not None:
            raise PublishError("--dashboard-url goes with --issue")
        if args.sha is None:
            raise PublishError("--sha is required (the commit the report is about), or --issue")
        target = GithubTarget(
            repo=args.repo,
            sha=args.sha,
            pr=args.pr,
            api_url=args.api_url,
            check_name=clean(args.check_name, 100),
            comment_author=args.comment_author,
            details_url=args.details_url,
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


def _publish_issue(args: argparse.Namespace, token: str, pacing: Pacing) -> str:
    from mdvalidator.publish.github_issue import IssueTarget, publish_github_issue

    audit = rolling.read_audit(args.report, args.max_report_size)
    target = IssueTarget(
        repo=args.repo,
        title=args.issue,
        author=args.comment_author,
        api_url=args.api_url,
        dashboard=args.dashboard_url,
    )
    done = publish_github_issue(audit, target, token, pacing)
    where = f"issue #{done.number}" if done.number is not None else "no issue (all is well)"
    return f"mdvalidator: {done.action.value} {where} {args.issue!r}"


PUBLISHER = GithubPublisher()
