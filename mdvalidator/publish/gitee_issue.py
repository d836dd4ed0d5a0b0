"""The rolling issue on Gitee (``mdvalidator publish gitee --issue TITLE REPORT.json``).

Gitee API v5 (``fixtures/publish/gitee-v5-subset.json``): ``GET /user`` (whose issue is ours),
``GET /repos/{owner}/{repo}/issues`` (``state`` open, progressing, then closed; pages of 100),
``POST /repos/{owner}/issues`` and ``PATCH /repos/{owner}/issues/{number}``: Gitee names the
repository of a new or edited issue in the body (``repo``), and numbers issues with strings
(``I7ABCD``). The bot account's token needs the ``issues`` scope (and ``user_info``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mdvalidator.audit.auditreport import AuditReport
from mdvalidator.publish import rolling, summary
from mdvalidator.publish.errors import library_logs_held
from mdvalidator.publish.gitee_client import PER_PAGE, GiteeClient, repo_path

MAX_PAGES = 10
_STATE = {rolling.Action.REOPEN: "open", rolling.Action.CLOSE: "closed"}
_DOING = {rolling.Action.REOPEN: "reopening", rolling.Action.CLOSE: "closing"}


@dataclass(frozen=True)
class GiteeIssueTarget:
    repo: str
    title: str  # as sent (rolling.headline)
    api_url: str
    dashboard: str | None = None


@dataclass(frozen=True)
class GiteeIssueOutcome:
    action: rolling.Action
    number: str
    url: str


def publish_gitee_issue(
    report: AuditReport,
    target: GiteeIssueTarget,
    token: str,
    *,
    retries: int = 3,
    timeout: float = 30.0,
) -> GiteeIssueOutcome:
    """Create, edit, reopen or close the rolling issue; :class:`PublishError` on failure."""
    client = GiteeClient(target.api_url, token, retries, timeout)
    try:
        with library_logs_held():  # urllib3 would log retried URLs, token and all
            return _publish(client, report, target)
    finally:
        client.close()


def _find(client: GiteeClient, target: GiteeIssueTarget, login: str, state: str) -> dict[str, Any]:
    repo = repo_path(target.repo)
    for page in range(1, MAX_PAGES + 1):
        issues = client.call(
            "GET",
            f"{repo}/issues",
            f"listing the {state} issues",
            params={"state": state, "sort": "created", "direction": "desc", "page": page,
                    "per_page": PER_PAGE},
        )  # fmt: skip
        if not isinstance(issues, list):
            return {}
        for issue in issues:
            if not isinstance(issue, dict):
                continue
            user = issue.get("user")
            author = user.get("login") if isinstance(user, dict) else None
            title, body, number = issue.get("title"), issue.get("body"), issue.get("number")
            if not (isinstance(title, str) and isinstance(number, str) and number):
                continue
            text = body if isinstance(body, str) else None
            if rolling.is_ours(title, text, author, want=target.title, bot=login):
                return issue
        if len(issues) < PER_PAGE:
            return {}
    return {}


def _publish(
    client: GiteeClient, report: AuditReport, target: GiteeIssueTarget
) -> GiteeIssueOutcome:
    me = client.call("GET", "/user", "identifying the token's owner")
    login = me.get("login") if isinstance(me, dict) else None
    if not isinstance(login, str) or not login or login == "*":
        login = "\0"  # no account to match: never adopt anyone's issue
    text = rolling.draft(
        report, title=target.title, limit=summary.GITEE_LIMIT, dashboard=target.dashboard
    )
    found = _find(client, target, login, "open") or _find(client, target, login, "progressing")
    closed = _find(client, target, login, "closed") if not found and text.alarm else {}
    action = rolling.plan(text.alarm, bool(found), bool(closed))
    issue: object = found or closed
    owner, name = target.repo.split("/", 1)
    owner_path = f"/repos/{quote(owner, safe='')}"
    fields: dict[str, Any] = {"repo": name, "body": text.body}
    if action is rolling.Action.CREATE:
        issue = client.call(
            "POST", f"{owner_path}/issues", "creating the issue",
            body={**fields, "title": target.title},
        )  # fmt: skip
    elif action is not rolling.Action.NONE:
        number = str((found or closed)["number"])
        if action in _STATE:
            fields["state"] = _STATE[action]
        issue = client.call(
            "PATCH",
            f"{owner_path}/issues/{quote(number, safe='')}",
            f"{_DOING.get(action, 'updating')} issue {number}",
            body=fields,
        )
    if action is rolling.Action.NONE or not isinstance(issue, dict):
        return GiteeIssueOutcome(action, "", "")
    made, url = issue.get("number"), issue.get("html_url")
    return GiteeIssueOutcome(
        action, made if isinstance(made, str) else "", url if isinstance(url, str) else ""
    )


__all__ = ["GiteeIssueOutcome", "GiteeIssueTarget", "publish_gitee_issue"]
