"""Which pull requests a webhook delivery asks us to look at (pure: a decoded payload in).

Only the minimum is read: the repository's ``full_name``, pull request numbers, and for GitHub
the App installation and the head commit (GitHub's signature covers the body). Gitee's does not,
so nothing else is taken from a Gitee payload: the worker reads the pull request back from the
API. An event or action we do not handle is ``None`` (answered 204); a payload of a handled
event that lacks what we need is a :class:`PayloadError` (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mdvalidator.serve.settings import REPO

GITEE = "gitee"
GITHUB = "github"
RECHECK_COMMAND = "/mdvalidator recheck"

GITEE_PR_ACTIONS = frozenset({"open", "update", "reopen"})
GITHUB_PR_ACTIONS = frozenset({"opened", "synchronize", "reopened"})
_MAX_NUMBER = 2**31 - 1


class PayloadError(Exception):
    """The payload of an event we handle does not say which pull request (a 400)."""


@dataclass(frozen=True, order=True)
class PullRequestRef:
    """One pull request on one forge; ``installation`` is the GitHub App installation."""

    forge: str
    repo: str
    number: int
    installation: int = 0

    @property
    def key(self) -> str:
        """The identity every record of this pull request is kept under."""
        return f"{self.forge}:{self.repo.casefold()}#{self.number}"

    @property
    def shown(self) -> str:
        mark = "!" if self.forge == GITEE else "#"
        return f"{self.repo}{mark}{self.number}"


@dataclass(frozen=True)
class Event:
    """What a delivery asks for: these pull requests checked (again, with ``force``)."""

    name: str  # e.g. "Merge Request Hook/open", for logs
    pulls: tuple[PullRequestRef, ...]
    force: bool = False
    repo: str = ""  # the repository the delivery is about


def _object(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise PayloadError(f"the payload has no {key!r} object")
    return value


def _repo(payload: Any) -> str:
    name = _object(payload, "repository").get("full_name")
    if not isinstance(name, str) or not REPO.match(name):
        raise PayloadError("repository.full_name is not OWNER/NAME")
    return name


def _number(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_NUMBER:
        raise PayloadError(f"{where} is not a pull request number")
    return value


def parse_gitee(event: str, payload: Any) -> Event | None:
    """``X-Gitee-Event`` and the decoded body -> :class:`Event`, ``None`` when not handled."""
    if event == "Merge Request Hook":
        action = payload.get("action") if isinstance(payload, dict) else None
        if action not in GITEE_PR_ACTIONS:
            return None
    elif event == "Note Hook":
        if not isinstance(payload, dict) or payload.get("noteable_type") != "PullRequest":
            return None
        comment = payload.get("comment")
        body = comment.get("body") if isinstance(comment, dict) else None
        if not isinstance(body, str) or body.strip() != RECHECK_COMMAND:
            return None
        action = "recheck"
    else:
        return None
    repo = _repo(payload)
    number = _number(_object(payload, "pull_request").get("number"), "pull_request.number")
    ref = PullRequestRef(GITEE, repo, number)
    return Event(f"{event}/{action}", (ref,), force=action == "recheck", repo=repo)


def _installation(payload: dict[str, Any]) -> int:
    installation = payload.get("installation")
    ident = installation.get("id") if isinstance(installation, dict) else None
    if isinstance(ident, int) and not isinstance(ident, bool) and ident > 0:
        return ident
    return 0


def _listed_pulls(holder: dict[str, Any], where: str) -> list[int]:
    pulls = holder.get("pull_requests")
    if not isinstance(pulls, list):
        raise PayloadError(f"{where}.pull_requests is not a list")
    numbers = []
    for index, item in enumerate(pulls[:50]):
        number = item.get("number") if isinstance(item, dict) else None
        numbers.append(_number(number, f"{where}.pull_requests[{index}].number"))
    return numbers


def parse_github(event: str, payload: Any) -> Event | None:
    """``X-GitHub-Event`` and the decoded body -> :class:`Event`, ``None`` when not handled.

    A pull request of an event without an App installation gets ``installation`` 0 (the
    repository is not one the App serves: the caller answers 403).
    """
    if not isinstance(payload, dict):
        return None
    action = payload.get("action")
    if event == "pull_request" and action in GITHUB_PR_ACTIONS:
        numbers = [_number(_object(payload, "pull_request").get("number"), "pull_request.number")]
        force = False
    elif event == "check_suite" and action in ("requested", "rerequested"):
        numbers = _listed_pulls(_object(payload, "check_suite"), "check_suite")
        force = action == "rerequested"
    elif event == "check_run" and action == "rerequested":
        numbers = _listed_pulls(_object(payload, "check_run"), "check_run")
        force = True
    else:
        return None
    repo = _repo(payload)
    installation = _installation(payload)
    pulls = tuple(PullRequestRef(GITHUB, repo, n, installation) for n in dict.fromkeys(numbers))
    return Event(f"{event}/{action}", pulls, force=force, repo=repo)
