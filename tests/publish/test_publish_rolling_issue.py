"""`mdvalidator publish github|gitee --issue TITLE REPORT.json`: ONE rolling issue, kept by the
bot, against the stand-in servers (every request checked against the committed API subsets:
fixtures/openapi/github-subset.json, fixtures/publish/gitee-v5-subset.json)."""

from __future__ import annotations

import re

import pytest

from mdvalidator.cli import main
from mdvalidator.publish.rolling import marker
from mdvalidator.publish.summary import GITEE_LIMIT, GITHUB_LIMIT

TOKEN = "tok_Zq81SECRETsecret7755"
TITLE = "Asset health"
GH_LIST, GH_ONE = "/repos/{owner}/{repo}/issues", "/repos/{owner}/{repo}/issues/{issue_number}"
GE_LIST, GE_NEW = "/repos/{owner}/{repo}/issues", "/repos/{owner}/issues"
GE_ONE = "/repos/{owner}/issues/{number}"
SHA = "ab" * 32


@pytest.fixture(autouse=True)
def _tokens(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITEE_TOKEN", TOKEN)


def asset(path, status, health=None, url="https://dl.example/m.ckpt", **extra):
    entry = {
        "path": path, "line": 7, "url": url, "expected": "cd" * 32,
        "actual": SHA if status == "mismatch" else None, "bytes": 10, "status": status,
    }  # fmt: skip
    if health:
        entry["health"] = health
    entry.update(extra)
    return entry


def report(*assets, problems=()):
    failing = any(a["status"] in ("mismatch", "unreachable", "blocked") for a in assets)
    return {
        "version": 1, "status": "fail" if failing else "pass", "checked": max(len(assets), 1),
        "problems": list(problems), "assets": list(assets),
    }  # fmt: skip


DEAD = report(
    asset("assets/a/1.0/lenet_mnist.md", "unreachable", "dead",
          evidence={"http_status": 404, "host": "dl.example", "attempts": 3, "moved_to": None},
          since="2024-05-01"),
    asset("assets/a/1.0/vgg_cifar.md", "verified", url="https://dl.example/v.ckpt"),
)  # fmt: skip
MISMATCH = report(asset("assets/a/1.0/lenet_mnist.md", "mismatch"))
WELL = report(asset("assets/a/1.0/lenet_mnist.md", "verified"))
FLAKY = report(asset("assets/a/1.0/lenet_mnist.md", "unreachable", "flaky"))


def on_github(server, path, *extra):
    return main(
        ["publish", "github", "--repo", "hub/models", "--issue", TITLE, "--api-url",
         server.base_url, "--retries", "0", "--write-interval", "0", "--request-interval", "0",
         *extra, str(path)]
    )  # fmt: skip


def on_gitee(server, path, *extra):
    return main(
        ["publish", "gitee", "--repo", "hub/models", "--issue", TITLE, "--api-url",
         server.base_url, "--retries", "0", *extra, str(path)]
    )  # fmt: skip


def test_github_create_edit_close_reopen_keeps_one_issue(github, write_report, capsys):
    assert on_github(github, write_report(DEAD, "1.json")) == 0
    assert len(github.issues) == 1 and len(github.called("POST", GH_LIST)) == 1
    issue = github.issues[1]
    assert issue["title"] == TITLE and issue["state"] == "open"
    assert issue["body"].startswith(marker(TITLE))
    assert "1 dead" in issue["body"] and "`assets/a/1.0/lenet_mnist.md`" in issue["body"]
    assert "HTTP 404" in issue["body"] and "since `2024-05-01`" in issue["body"]

    assert on_github(github, write_report(MISMATCH, "2.json")) == 0  # edited in place
    assert len(github.issues) == 1 and len(github.called("PATCH", GH_ONE)) == 1
    assert "1 mismatched" in issue["body"] and "dead" not in issue["body"].split("\n")[1]

    assert on_github(github, write_report(WELL, "3.json")) == 0  # all is well: closed
    assert issue["state"] == "closed" and "no asset is dead" in issue["body"]
    closing = github.called("PATCH", GH_ONE)[-1].body
    assert closing["state"] == "closed" and closing["state_reason"] == "completed"

    assert on_github(github, write_report(WELL, "4.json")) == 0  # nothing to do
    assert len(github.called("PATCH", GH_ONE)) == 2

    assert on_github(github, write_report(DEAD, "5.json")) == 0  # wrong again: reopened
    assert len(github.issues) == 1 and issue["state"] == "open"
    assert github.called("PATCH", GH_ONE)[-1].body["state_reason"] == "reopened"
    assert len(github.called("POST", GH_LIST)) == 1  # never a second issue, never a comment
    assert not github.called("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
    out, err = capsys.readouterr()
    assert "created issue #1" in out and "closed issue #1" in out and "reopened issue #1" in out
    assert TOKEN not in out + err


def test_github_flaky_alone_opens_no_issue_but_an_open_one_stays(github, write_report):
    assert on_github(github, write_report(FLAKY)) == 0
    assert github.issues == {}
    assert on_github(github, write_report(DEAD, "dead.json")) == 0
    assert on_github(github, write_report(FLAKY, "flaky.json")) == 0
    assert github.issues[1]["state"] == "closed"  # nothing dead, mismatched or blocked


@pytest.mark.parametrize("with_marker", [False, True])
def test_github_never_adopts_a_users_issue_of_the_same_title(github, write_report, with_marker):
    body = (marker(TITLE) + "\n" if with_marker else "") + "my own notes"
    theirs = github.seed_issue("hub", "models", TITLE, body, "octocat")
    assert on_github(github, write_report(DEAD)) == 0
    assert github.issues[theirs]["body"] == body and github.issues[theirs]["state"] == "open"
    assert len(github.issues) == 2  # ours is a new one, by the bot
    ours = github.issues[2]
    assert ours["user"]["login"] == "github-actions[bot]"
    assert all(r.path.endswith("/issues/2") for r in github.called("PATCH", GH_ONE))
    assert on_github(github, write_report(WELL, "well.json")) == 0
    assert github.issues[theirs]["state"] == "open" and ours["state"] == "closed"


def test_github_skips_pull_requests_and_links_the_dashboard(github, write_report):
    github.seed_issue("hub", "models", TITLE, marker(TITLE), "github-actions[bot]")
    github.issues[1]["pull_request"] = {"url": "https://x.example/pulls/1"}
    github.issues[1]["html_url"] = "https://github.example/hub/models/pull/1"
    url = "https://hub.example/health"
    assert on_github(github, write_report(DEAD), "--dashboard-url", url + "/") == 0
    assert len(github.issues) == 2
    body = github.issues[2]["body"]
    assert f"[The dashboard]({url}/)" in body and f"({url}/#health=dead)" in body
    assert re.search(rf"\[Its page on the dashboard\]\({url}/cards/[0-9a-f]{{16}}\.html\)", body)


HOSTILE_PATH = "assets/@everyone/<img src=x onerror=alert(1)>`]( javascript:x).md"
HOSTILE = report(
    asset(HOSTILE_PATH, "unreachable", "dead",
          url="https://user:pw@dl.example/<b>@admin</b>?token=s3cret)",
          evidence={"http_status": 410, "host": "<i>h</i>", "attempts": 1,
                    "moved_to": "https://x.example/@ghost"}),
    problems=[{
        "path": HOSTILE_PATH, "line": 3, "column": 1, "rule": "MDV102", "name": "missing-field",
        "severity": "error",
        "message": "@maintainers <script>alert(1)</script> [click](https://evil.example) #1",
    }],
)  # fmt: skip


def _no_live_text(body: str) -> None:
    # In a code span HTML is shown, not rendered; outside one every "<" is escaped.
    assert re.search(r"(?<!\\)<(img|script|b>|i>)", _outside_code(body)) is None
    assert re.search("@(?!\u2060)", body) is None  # every @ defused: no one is notified
    assert "javascript:" not in _outside_code(body)
    assert "[click](https://evil.example)" not in body
    assert "s3cret" not in body and "pw@" not in body


def _outside_code(body: str) -> str:
    return re.sub(r"(`+).*?\1", "", body)


def test_hostile_card_text_cannot_mention_or_inject(github, gitee, write_report):
    path = write_report(HOSTILE)
    assert on_github(github, path) == 0
    assert on_gitee(gitee, path) == 0
    for body in (github.issues[1]["body"], next(iter(gitee.issues.values()))["body"]):
        _no_live_text(body)
        assert "\\<script\\>" in body  # shown, escaped


def test_the_body_is_capped_at_the_forges_limit(github, gitee, write_report):
    many = report(
        *[asset(f"assets/p/1.0/model{i:05d}_set.md", "mismatch") for i in range(1500)],
        problems=[
            {"path": f"assets/p/1.0/model{i:05d}_set.md", "line": 1, "column": 1,
             "rule": "MDV102", "name": "missing-field", "severity": "error", "message": "x" * 400}
            for i in range(1500)
        ],
    )  # fmt: skip
    path = write_report(many)
    assert on_github(github, path) == 0 and on_gitee(gitee, path) == 0
    body = github.issues[1]["body"]
    assert len(body) <= GITHUB_LIMIT and "more card(s): see the audit report" in body
    assert len(next(iter(gitee.issues.values()))["body"]) <= GITEE_LIMIT


def test_gitee_create_edit_close_and_a_foreign_issue_left_alone(gitee, write_report, capsys):
    theirs = gitee.seed_issue(TITLE, marker(TITLE) + "\nforged", "somebody")
    assert on_gitee(gitee, write_report(DEAD, "1.json")) == 0
    ours = [n for n in gitee.issues if n != theirs]
    assert len(ours) == 1 and len(gitee.called("POST", GE_NEW)) == 1
    new = gitee.called("POST", GE_NEW)[0].body
    assert new["repo"] == "models" and new["title"] == TITLE and new["access_token"] == TOKEN
    issue = gitee.issues[ours[0]]
    assert issue["user"]["login"] == "hub-bot" and "1 dead" in issue["body"]

    assert on_gitee(gitee, write_report(MISMATCH, "2.json")) == 0
    assert len(gitee.issues) == 2 and "1 mismatched" in issue["body"]
    edit = gitee.called("PATCH", GE_ONE)[-1]
    assert edit.path == f"/repos/hub/issues/{ours[0]}" and edit.body["repo"] == "models"

    assert on_gitee(gitee, write_report(WELL, "3.json")) == 0
    assert issue["state"] == "closed"
    assert gitee.called("PATCH", GE_ONE)[-1].body["state"] == "closed"
    assert on_gitee(gitee, write_report(DEAD, "4.json")) == 0
    assert issue["state"] == "open" and len(gitee.issues) == 2
    assert gitee.issues[theirs]["body"].endswith("forged")  # never touched
    assert all(r.path.endswith(ours[0]) for r in gitee.called("PATCH", GE_ONE))
    writes = [r for r in gitee.requests if r.method != "GET"]
    assert all("access_token" not in r.query for r in writes)
    out, err = capsys.readouterr()
    assert f"created Gitee issue {ours[0]}" in out and TOKEN not in out + err


def test_issue_mode_refuses_the_pull_request_flags(github, gitee, write_report, capsys):
    path = str(write_report(DEAD))
    assert on_github(github, path, "--sha", "a" * 40) == 2
    assert on_gitee(gitee, path, "--pr", "3") == 2
    assert main(["publish", "github", "--repo", "o/r", "--report", path, path]) == 2
    err = capsys.readouterr().err
    assert "--issue keeps the rolling issue; it takes no --sha" in err
    assert "give the report once" in err
    assert github.requests == [] and gitee.requests == []


def test_a_report_with_forged_health_is_refused(github, write_report, capsys):
    forged = report(asset("assets/a/1.0/lenet_mnist.md", "mismatch", "verified"))
    assert on_github(github, write_report(forged)) == 2
    assert "is not the health of an asset whose status is 'mismatch'" in capsys.readouterr().err
    assert github.issues == {}
