"""Publishing a report to a Gitee pull request: one summary comment, edited in place.

Gitee API v5 (``https://gitee.com/api/v5``, swagger at gitee.com/api/v5/swagger) has no checks
API, so the verdict is a comment that lists every problem linked to its file and line in the
PR's head commit. The comment is found again by the hidden marker and by its author (the token's
owner, ``GET /user``), so a later run edits it instead of adding another.

Endpoints used (all take ``access_token``; reads as a query parameter, writes in the body):
``GET /user``, ``GET /repos/{owner}/{repo}/pulls/{number}``,
``GET /repos/{owner}/{repo}/pulls/{number}/comments`` (``page``, ``per_page`` <= 100),
``POST /repos/{owner}/{repo}/pulls/{number}/comments`` (``body``),
``PATCH /repos/{owner}/{repo}/pulls/comments/{id}`` (``body``).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from urllib.parse import urlsplit

from mdvalidator.argtypes import argtype, at_least
from mdvalidator.problem import Report
from mdvalidator.publish import api_url, repository, rolling, summary
from mdvalidator.publish.errors import PublishError, library_logs_held
from mdvalidator.publish.gitee_client import PER_PAGE, TOKEN_VARIABLE, GiteeClient, repo_path

DEFAULT_API_URL = "https://gitee.com/api/v5"
MAX_PAGES = 50  # 5,000 comments: far past any real pull request


@dataclass(frozen=True)
class GiteeTarget:
    repo: str
    pr: int
    api_url: str = DEFAULT_API_URL


@dataclass(frozen=True)
class GiteeOutcome:
    comment: str  # "created" or "updated"
    comment_id: int


def _web_url(api_url: str) -> str:
    """``https://gitee.com/api/v5`` -> ``https://gitee.com`` (the site a PR is viewed on)."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}"


def publish_gitee(
    report: Report,
    target: GiteeTarget,
    token: str,
    *,
    retries: int = 3,
    timeout: float = 30.0,
) -> GiteeOutcome:
    """Create or edit the summary comment on ``target.pr``; :class:`PublishError` on failure."""
    client = GiteeClient(target.api_url, token, retries, timeout)
    try:
        with library_logs_held():  # urllib3 would log retried URLs, token and all
            return _publish(client, report, target)
    finally:
        client.close()


def _publish(client: GiteeClient, report: Report, target: GiteeTarget) -> GiteeOutcome:
    repo = repo_path(target.repo)
    me = client.call("GET", "/user", "identifying the token's owner")
    login = me.get("login") if isinstance(me, dict) else None
    pull = client.call("GET", f"{repo}/pulls/{target.pr}", f"reading pull request !{target.pr}")
    head = pull.get("head") if isinstance(pull, dict) else None
    sha = head.get("sha") if isinstance(head, dict) else None
    head_repo = head.get("repo") if isinstance(head, dict) else None
    web = head_repo.get("html_url") if isinstance(head_repo, dict) else None
    if not isinstance(web, str) or not web.startswith(("https://", "http://")):
        web = f"{_web_url(target.api_url)}/{target.repo}"
    link = summary.blob_link(web, sha) if isinstance(sha, str) and sha else None
    body = summary.render(report, limit=summary.GITEE_LIMIT, link=link, marker=True)

    existing = _find_comment(client, repo, target.pr, login)
    if existing is None:
        made = client.call(
            "POST",
            f"{repo}/pulls/{target.pr}/comments",
            f"commenting on pull request !{target.pr}",
            body={"body": body},
        )
        made_id = made.get("id") if isinstance(made, dict) else None
        return GiteeOutcome("created", made_id if isinstance(made_id, int) else 0)
    client.call(
        "PATCH",
        f"{repo}/pulls/comments/{existing}",
        f"updating the comment on pull request !{target.pr}",
        body={"body": body},
    )
    return GiteeOutcome("updated", existing)


def _find_comment(client: GiteeClient, repo: str, pr: int, login: object) -> int | None:
    for page in range(1, MAX_PAGES + 1):
        comments = client.call(
            "GET",
            f"{repo}/pulls/{pr}/comments",
            f"reading the comments of pull request !{pr}",
            params={"page": page, "per_page": PER_PAGE},
        )
        if not isinstance(comments, list):
            return None
        for comment in comments:
            if not isinstance(comment, dict):
                continue
            text = comment.get("body")
            user = comment.get("user")
            author = user.get("login") if isinstance(user, dict) else None
            if isinstance(text, str) and text.startswith(summary.MARKER) and author == login:
                comment_id = comment.get("id")
                if isinstance(comment_id, int):
                    return comment_id
        if len(comments) < PER_PAGE:
            return None
    return None


class GiteePublisher:
    help = "one summary comment on a Gitee pull request, or the rolling issue of an audit"
    description = (
        "Token: the GITEE_TOKEN environment variable (the bot account's: pull_requests scope, "
        "issues with --issue, and user_info)."
    )
    token_variable = TOKEN_VARIABLE

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--repo", required=True, type=repository, metavar="OWNER/NAME")
        positive = argtype(at_least(1, int, "a number"))
        parser.add_argument(
            "--pr", type=positive, metavar="N", help="the pull request (required without --issue)"
        )
        rolling.add_issue_flags(parser)
        parser.add_argument(
            "--api-url", type=api_url, default=DEFAULT_API_URL, help="default: %(default)s"
        )
        parser.add_argument(
            "--retries", type=int, default=3, help="retries of failed reads (default 3)"
        )

    def publish(self, report: Report, args: argparse.Namespace, token: str) -> str:
        rolling.check_mode(args.issue, {"--pr": args.pr})
        retries = max(args.retries, 0)
        if args.issue is not None:
            from mdvalidator.publish.gitee_issue import GiteeIssueTarget, publish_gitee_issue

            audit = rolling.read_audit(args.report, args.max_report_size)
            issue = GiteeIssueTarget(
                repo=args.repo, title=args.issue, api_url=args.api_url, dashboard=args.dashboard_url
            )
            made = publish_gitee_issue(audit, issue, token, retries=retries)
            where = f"issue {made.number}" if made.number else "no issue (all is well)"
            return f"mdvalidator: {made.action.value} Gitee {where} {args.issue!r}"
        if args.dashboard_url is not None:
            raise PublishError("--dashboard-url goes with --issue")
        if args.pr is None:
            raise PublishError("--pr is required (the pull request to comment on), or --issue")
        target = GiteeTarget(repo=args.repo, pr=args.pr, api_url=args.api_url)
        done = publish_gitee(report, target, token, retries=retries)
        return f"mdvalidator: {done.comment} the comment on Gitee pull request !{args.pr}"


PUBLISHER = GiteePublisher()
