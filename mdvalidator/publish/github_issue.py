"""The rolling issue on GitHub (``mdvalidator publish github --issue TITLE REPORT.json``).

Operations (GitHub REST, ``fixtures/openapi/github-subset.json``): ``GET /repos/{owner}/{repo}``,
``GET /repos/{owner}/{repo}/issues`` (``state`` open, then closed: newest first, pages of 100),
``POST /repos/{owner}/{repo}/issues`` (``title``, ``body``) and
``PATCH /repos/{owner}/{repo}/issues/{issue_number}`` (``body``, ``state``, ``state_reason``).
Pull requests (which the issues list includes; their ``html_url`` is a ``/pull/`` page) are
skipped. The token needs ``issues: write``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mdvalidator.audit.auditreport import AuditReport
from mdvalidator.publish import rolling, summary
from mdvalidator.publish.github_client import Pacing, github_session

MAX_PAGES = 10  # 1,000 issues of each state: our own is among the newest


@dataclass(frozen=True)
class IssueTarget:
    repo: str
    title: str  # as sent (rolling.headline)
    author: str  # whose issue to keep: the token's account, or "*"
    api_url: str
    dashboard: str | None = None


@dataclass(frozen=True)
class IssueOutcome:
    action: rolling.Action
    number: int | None
    url: str


def publish_github_issue(
    report: AuditReport, target: IssueTarget, token: str, pacing: Pacing | None = None
) -> IssueOutcome:
    """Create, edit, reopen or close the rolling issue; :class:`PublishError` on failure."""
    steps: list[str] = []
    with github_session(target.api_url, token, pacing or Pacing(), steps) as client:
        return _publish(client, report, target, steps)


def _find(repository: Any, target: IssueTarget, state: str, steps: list[str]) -> Any:
    steps.append(f"listing the {state} issues")
    issues = repository.get_issues(state=state, sort="created", direction="desc")
    for index, issue in enumerate(issues):
        if index >= MAX_PAGES * 100:
            return None
        if "/pull/" in str(issue.html_url):  # a pull request (not `.pull_request`: a GET each)
            continue
        author = issue.user.login if issue.user is not None else None
        if rolling.is_ours(issue.title, issue.body, author, want=target.title, bot=target.author):
            return issue
    return None


def _publish(
    client: Any, report: AuditReport, target: IssueTarget, steps: list[str]
) -> IssueOutcome:
    steps.append("reading the repository")
    repository = client.get_repo(target.repo)
    repository.html_url  # noqa: B018 - completes the lazy object: a missing repository fails here
    text = rolling.draft(
        report, title=target.title, limit=summary.GITHUB_LIMIT, dashboard=target.dashboard
    )
    found = _find(repository, target, "open", steps)
    closed = None
    if found is None and text.alarm:
        closed = _find(repository, target, "closed", steps)
    action = rolling.plan(text.alarm, found is not None, closed is not None)
    issue: Any = found or closed
    if action is rolling.Action.CREATE:
        steps.append("creating the issue")
        issue = repository.create_issue(title=target.title, body=text.body)
    elif action is rolling.Action.EDIT:
        steps.append(f"updating issue #{issue.number}")
        issue.edit(body=text.body)
    elif action is rolling.Action.REOPEN:
        steps.append(f"reopening issue #{issue.number}")
        issue.edit(body=text.body, state="open", state_reason="reopened")
    elif action is rolling.Action.CLOSE:
        steps.append(f"closing issue #{issue.number}")
        issue.edit(body=text.body, state="closed", state_reason="completed")
    if issue is None:
        return IssueOutcome(action, None, "")
    return IssueOutcome(action, int(issue.number), str(issue.html_url or ""))


__all__ = ["IssueOutcome", "IssueTarget", "publish_github_issue"]
