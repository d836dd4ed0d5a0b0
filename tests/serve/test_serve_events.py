"""Which pull requests a delivery names, and the queue's message format (pure parts)."""

from __future__ import annotations

import json
import pickle

import pytest
from serve_support import gitee_mr, gitee_note, github_pr

from mdvalidator.serve.events import (
    GITEE,
    GITHUB,
    PayloadError,
    PullRequestRef,
    parse_gitee,
    parse_github,
)


@pytest.mark.parametrize("action", ["open", "update", "reopen"])
def test_gitee_merge_request_actions_we_handle(action: str) -> None:
    event = parse_gitee("Merge Request Hook", json.loads(gitee_mr("hub/models", 7, action)))
    assert event is not None and not event.force
    assert event.pulls == (PullRequestRef(GITEE, "hub/models", 7),)
    assert event.repo == "hub/models"


@pytest.mark.parametrize("action", ["close", "merge", "approved", "tested", None])
def test_gitee_actions_we_do_not_handle(action: str | None) -> None:
    payload = json.loads(gitee_mr("hub/models", 7))
    payload["action"] = action
    assert parse_gitee("Merge Request Hook", payload) is None


def test_gitee_recheck_comment_forces_and_other_notes_are_ignored() -> None:
    event = parse_gitee(
        "Note Hook", json.loads(gitee_note("hub/models", 3, " /mdvalidator recheck\n"))
    )
    assert event is not None and event.force and event.pulls[0].number == 3
    assert parse_gitee("Note Hook", json.loads(gitee_note("hub/models", 3, "LGTM"))) is None
    issue_note = json.loads(gitee_note("hub/models", 3, "/mdvalidator recheck"))
    issue_note["noteable_type"] = "Issue"
    assert parse_gitee("Note Hook", issue_note) is None
    assert parse_gitee("Push Hook", {}) is None


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "open", "repository": {"full_name": "hub/models"}},
        {"action": "open", "pull_request": {"number": 1}},
        {"action": "open", "pull_request": {"number": "1"}, "repository": {"full_name": "a/b"}},
        {"action": "open", "pull_request": {"number": 0}, "repository": {"full_name": "a/b"}},
        {"action": "open", "pull_request": {"number": 1}, "repository": {"full_name": "../x"}},
        {"action": "open", "pull_request": {"number": 1}, "repository": {"full_name": "a/b\nc"}},
    ],
    ids=["no-pull", "no-repo", "number-text", "number-zero", "repo-dots", "repo-newline"],
)
def test_gitee_payloads_that_name_no_pull_request(payload: dict[str, object]) -> None:
    with pytest.raises(PayloadError):
        parse_gitee("Merge Request Hook", payload)


def test_github_events() -> None:
    event = parse_github("pull_request", json.loads(github_pr("o/r", 5, 99, "synchronize")))
    assert event is not None and event.pulls == (PullRequestRef(GITHUB, "o/r", 5, 99),)
    assert parse_github("pull_request", json.loads(github_pr("o/r", 5, 99, "closed"))) is None
    suite = {
        "action": "rerequested",
        "repository": {"full_name": "o/r"},
        "installation": {"id": 99},
        "check_suite": {"pull_requests": [{"number": 5}, {"number": 6}, {"number": 5}]},
    }
    event = parse_github("check_suite", suite)
    assert event is not None and event.force and [p.number for p in event.pulls] == [5, 6]
    run = {
        "action": "rerequested",
        "repository": {"full_name": "o/r"},
        "check_run": {"pull_requests": [{"number": 8}]},
    }
    event = parse_github("check_run", run)
    assert event is not None and event.pulls[0].installation == 0  # not installed: refused later
    assert parse_github("ping", {"zen": "hi"}) is None
    assert parse_github("check_run", {**run, "action": "created"}) is None


def test_queue_messages_are_json_of_our_one_task() -> None:
    from huey.registry import Message

    from mdvalidator.serve.queue import JsonSerializer

    codec = JsonSerializer()
    message = Message(
        "id1",
        "mdvalidator.serve.queue.check_pull_request",
        None,
        0,
        0,
        None,
        ("gitee", "hub/models", 4, 0),
        {},
        None,
        None,
        None,
        None,
        None,
        None,
        0,
    )
    data = codec.serialize(message)
    assert json.loads(data)["args"] == ["gitee", "hub/models", 4, 0]
    assert codec.deserialize(data) == message
    forged = [
        pickle.dumps(message),
        json.dumps({**json.loads(data), "name": "os.system"}).encode(),
        json.dumps({**json.loads(data), "args": ["gitee", "../../x", 4, 0]}).encode(),
        json.dumps({**json.loads(data), "args": ["gitee", "a/b", -1, 0]}).encode(),
        json.dumps({**json.loads(data), "extra": 1}).encode(),
    ]
    for raw in forged:
        with pytest.raises(ValueError):
            codec.deserialize(raw)
