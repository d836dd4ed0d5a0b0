"""`mdvalidator publish gitee` through the CLI and requests against the stand-in Gitee API v5,
which checks each request against fixtures/publish/gitee-v5-subset.json."""

from __future__ import annotations

import pytest

from mdvalidator.cli import main
from mdvalidator.publish.summary import GITEE_LIMIT, MARKER

TOKEN = "tok_Zq81SECRETsecret7755"
LIST = "/repos/{owner}/{repo}/pulls/{number}/comments"
EDIT = "/repos/{owner}/{repo}/pulls/comments/{id}"


@pytest.fixture(autouse=True)
def _token(monkeypatch):
    monkeypatch.setenv("GITEE_TOKEN", TOKEN)


def publish(server, report):
    return main(
        [
            "publish", "gitee", "--report", str(report), "--repo", "hub/models", "--pr", "12",
            "--api-url", server.base_url, "--retries", "0",
        ]
    )  # fmt: skip


def test_first_run_comments_second_run_edits(gitee, write_report, report_of, capsys):
    assert publish(gitee, write_report(report_of(2))) == 0
    assert publish(gitee, write_report(report_of(0), "fixed.json")) == 0

    assert gitee.errors == []
    assert len(gitee.called("POST", LIST)) == 1
    assert len(gitee.called("PATCH", EDIT)) == 1
    assert len(gitee.comments) == 1
    body = next(iter(gitee.comments.values()))["body"]
    assert body.startswith(MARKER) and "All Passed" in body
    out, err = capsys.readouterr()
    assert "created the comment" in out and "updated the comment" in out
    assert TOKEN not in out + err


def test_each_problem_links_to_its_file_and_line(gitee, write_report, report_of):
    assert publish(gitee, write_report(report_of(2, paths=("assets/x y.md",)))) == 0

    body = next(iter(gitee.comments.values()))["body"]
    head = "https://gitee.example/contrib/models/blob/" + "c" * 40
    assert f"[`assets/x y.md`]({head}/assets/x%20y.md#L1)" in body
    assert f"({head}/assets/x%20y.md#L2)" in body


def test_the_token_stays_out_of_write_urls(gitee, write_report, report_of):
    assert publish(gitee, write_report(report_of(1))) == 0

    writes = [r for r in gitee.requests if r.method != "GET"]
    assert writes and all("access_token" not in r.query for r in writes)
    assert all(r.body["access_token"] == TOKEN for r in writes)


def test_another_users_marker_comment_is_not_edited(gitee, write_report, report_of):
    planted = gitee.seed_comment(12, MARKER + " planted", "mallory")

    assert publish(gitee, write_report(report_of(1))) == 0

    assert gitee.comments[planted]["body"] == MARKER + " planted"
    assert len(gitee.comments) == 2


def test_our_comment_is_found_past_the_first_page(gitee, write_report, report_of):
    for n in range(150):
        gitee.seed_comment(12, f"looks good {n}", "reviewer")
    ours = gitee.seed_comment(12, MARKER + " old", "hub-bot")

    assert publish(gitee, write_report(report_of(1))) == 0

    assert gitee.errors == []
    pages = [r.query.get("page") for r in gitee.called("GET", LIST)]
    assert pages == ["1", "2"]
    assert "MDV102" in gitee.comments[ours]["body"]
    assert not gitee.called("POST", LIST)


def test_a_long_report_is_capped(gitee, write_report, report_of):
    assert publish(gitee, write_report(report_of(500, message="y" * 150))) == 0

    body = next(iter(gitee.comments.values()))["body"]
    assert len(body) <= GITEE_LIMIT
    rows = body.count("\n| ❌ error |")
    assert f"... and {500 - rows} more" in body


@pytest.mark.parametrize(
    ("method", "template", "status", "expected"),
    [
        ("GET", "/user", 401, "token was rejected"),
        ("POST", LIST, 403, "may not do this"),
        ("GET", "/repos/{owner}/{repo}/pulls/{number}", 404, "not found"),
        ("GET", LIST, 503, "internal error"),
    ],
)
def test_api_errors_are_one_clear_line(
    gitee, write_report, report_of, capsys, method, template, status, expected
):
    gitee.fail(method, template, status, f"nope {TOKEN}")

    assert publish(gitee, write_report(report_of(1))) == 2

    out, err = capsys.readouterr()
    assert f"Gitee API error {status}" in err and expected in err
    assert "Traceback" not in err and TOKEN not in out + err


def test_a_wrong_token_is_refused(gitee, write_report, report_of, capsys, monkeypatch):
    monkeypatch.setenv("GITEE_TOKEN", "not-the-token")

    assert publish(gitee, write_report(report_of(1))) == 2

    assert "Gitee API error 401" in capsys.readouterr().err


def test_no_server_is_a_connection_message_without_the_token(write_report, report_of, capsys):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Closed:
        base_url = f"http://127.0.0.1:{port}/api/v5"

    assert publish(Closed, write_report(report_of(1))) == 2
    err = capsys.readouterr().err
    assert "cannot reach the Gitee API" in err and TOKEN not in err and "Traceback" not in err
