"""`mdvalidator publish github` through the real CLI, PyGithub and HTTP, against the stand-in
GitHub (tests/publish/conftest.py) that checks each request against GitHub's OpenAPI subset."""

from __future__ import annotations

import math
import socket

import pytest

from mdvalidator.cli import main
from mdvalidator.publish.summary import MARKER

SHA = "a" * 40
CHECK_RUNS = "/repos/{owner}/{repo}/check-runs"
CHECK_RUN = "/repos/{owner}/{repo}/check-runs/{check_run_id}"
COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
COMMENT = "/repos/{owner}/{repo}/issues/comments/{comment_id}"
TOKEN = "tok_Zq81SECRETsecret7755"


@pytest.fixture(autouse=True)
def _token(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


def publish(server, report, *extra):
    return main(
        [
            "publish",
            "github",
            "--report",
            str(report),
            "--repo",
            "hub/models",
            "--sha",
            SHA,
            "--api-url",
            server.base_url,
            "--retries",
            "0",
            "--write-interval",
            "0",
            "--request-interval",
            "0",
            *extra,
        ]
    )


def only_run(server):
    assert len(server.check_runs) == 1
    return next(iter(server.check_runs.values()))


@pytest.mark.parametrize("count", [0, 1, 50, 51, 500])
def test_annotations_go_in_batches_of_50(github, write_report, report_of, capsys, count):
    github.changed_files = ["assets/a.md", "assets/b.md"]
    report = write_report(report_of(count, paths=("assets/a.md", "assets/b.md")))

    assert publish(github, report, "--pr", "7") == 0

    assert github.errors == []
    writes = github.called("POST", CHECK_RUNS) + github.called("PATCH", CHECK_RUN)
    assert len(github.called("POST", CHECK_RUNS)) == 1
    assert len(writes) == max(1, math.ceil(count / 50))
    sizes = [len((w.body.get("output") or {}).get("annotations", [])) for w in writes]
    assert all(size <= 50 for size in sizes) and sum(sizes) == count
    run = only_run(github)
    assert len(run["annotations"]) == count
    assert [a["start_line"] for a in run["annotations"]] == list(range(1, count + 1))
    assert run["status"] == "completed"
    assert run["conclusion"] == ("failure" if count else "success")
    # Only the last write concludes; earlier ones keep the run in progress.
    assert "conclusion" in writes[-1].body
    assert all(w.body.get("status") == "in_progress" for w in writes[:-1])
    assert run["output"]["title"] == (
        f"{count} error{'s' if count != 1 else ''}" if count else "All Passed"
    )
    assert len(run["output"]["summary"]) <= 65535
    comments = list(github.comments.values())
    assert len(comments) == 1 and comments[0]["body"].startswith(MARKER)
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    assert f"{count} annotation(s)" in out and "created the comment" in out


def test_a_second_run_edits_the_comment(github, write_report, report_of, capsys):
    github.changed_files = ["assets/a.md"]
    assert publish(github, write_report(report_of(3)), "--pr", "7") == 0
    assert publish(github, write_report(report_of(0), "fixed.json"), "--pr", "7") == 0

    assert github.errors == []
    assert len(github.called("POST", COMMENTS)) == 1
    edits = github.called("PATCH", COMMENT)
    assert len(edits) == 1
    assert len(github.comments) == 1
    body = next(iter(github.comments.values()))["body"]
    assert body.startswith(MARKER) and "All Passed" in body and "missing" not in body
    assert "updated the comment" in capsys.readouterr().out


def test_someone_elses_marker_comment_is_left_alone(github, write_report, report_of):
    github.changed_files = ["assets/a.md"]
    planted = github.seed_comment("hub", "models", 7, MARKER + "\nplanted", "mallory")

    assert publish(github, write_report(report_of(1)), "--pr", "7") == 0

    assert github.comments[planted]["body"] == MARKER + "\nplanted"
    assert len(github.called("POST", COMMENTS)) == 1


def test_problems_outside_the_pr_go_in_the_summary(github, write_report, report_of, capsys):
    github.changed_files = ["assets/a.md"]
    report = write_report(report_of(4, paths=("assets/a.md", "assets/other.md")))

    assert publish(github, report, "--pr", "7") == 0

    run = only_run(github)
    assert {a["path"] for a in run["annotations"]} == {"assets/a.md"}
    assert len(run["annotations"]) == 2
    summary = run["output"]["summary"]
    assert "does not change (not annotated)" in summary
    assert "[`assets/other.md`](https://github.example/hub/models/blob/" + SHA in summary
    assert "2 problem(s) outside the PR's files" in capsys.readouterr().out


def test_without_a_pr_every_problem_is_annotated_and_no_comment(github, write_report, report_of):
    assert publish(github, write_report(report_of(3, paths=("x.md", "y.md")))) == 0

    assert github.errors == []
    assert len(only_run(github)["annotations"]) == 3
    assert not github.called("GET", COMMENTS) and not github.comments
    assert not github.called("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files")


def test_an_unfinished_check_run_is_updated_a_finished_one_is_not(github, write_report, report_of):
    done = github.seed_check_run("hub", "models", SHA, "mdvalidator", "completed")
    waiting = github.seed_check_run("hub", "models", SHA, "mdvalidator", "in_progress")

    assert publish(github, write_report(report_of(2, paths=("x.md",)))) == 0

    assert github.errors == []
    assert not github.called("POST", CHECK_RUNS)
    assert len(github.check_runs[waiting]["annotations"]) == 2
    assert github.check_runs[done]["annotations"] == []


def test_many_problems_are_capped_with_and_n_more(github, write_report, report_of):
    github.changed_files = ["assets/a.md"]
    report = write_report(report_of(500, message="x" * 200))

    assert publish(github, report, "--pr", "7") == 0

    body = next(iter(github.comments.values()))["body"]
    assert len(body) <= 65536
    rows = body.count("\n| ❌ error |")
    assert 0 < rows < 500
    assert f"... and {500 - rows} more" in body


def test_pull_request_text_is_defused(github, write_report, report_of):
    nasty = {
        "path": "assets/a|b).md",
        "line": 3,
        "column": 2,
        "rule": "MDV102",
        "name": "missing-field",
        "severity": "error",
        "message": "hi @octocat \u202eevil\u202c <img src=x> ::error::boom | `tick` "
        "[x](javascript:y)",
    }
    data = report_of(0)
    data["problems"], data["status"] = [nasty], "fail"
    github.changed_files = ["assets/a|b).md"]

    assert publish(github, write_report(data), "--pr", "7") == 0

    body = next(iter(github.comments.values()))["body"]
    assert "@octocat" not in body and "@\u2060octocat" in body
    assert "\u202e" not in body and "\\<img src=x\\>" in body
    assert "[x](javascript" not in body
    assert "a%7Cb%29.md#L3" in body  # the link is percent-encoded, the cell cannot be split
    annotation = only_run(github)["annotations"][0]
    assert "\u202e" not in annotation["message"]
    assert annotation["start_column"] == 2


def test_a_read_is_retried_after_a_server_error(github, write_report, report_of):
    github.fail("GET", "/repos/{owner}/{repo}", 503, "unavailable")
    report = write_report(report_of(1))

    status = main(
        [
            "publish",
            "github",
            "--report",
            str(report),
            "--repo",
            "hub/models",
            "--sha",
            SHA,
            "--api-url",
            github.base_url,
            "--retries",
            "1",
            "--write-interval",
            "0",
            "--request-interval",
            "0",
        ]
    )

    assert status == 0
    assert len(github.called("GET", "/repos/{owner}/{repo}")) == 2


@pytest.mark.parametrize(
    ("method", "template", "status", "message", "expected"),
    [
        ("POST", CHECK_RUNS, 403, "Resource not accessible by integration", "from a fork"),
        ("POST", CHECK_RUNS, 422, "No commit found for SHA", "refused as invalid"),
        ("GET", "/repos/{owner}/{repo}", 502, "Server Error", "internal error"),
        ("POST", COMMENTS, 500, "oops", "while commenting on pull request #7"),
        ("GET", "/repos/{owner}/{repo}", 404, "Not Found", "check the repository"),
    ],
)
def test_api_errors_are_one_clear_line(
    github, write_report, report_of, capsys, method, template, status, message, expected
):
    github.changed_files = ["assets/a.md"]
    github.fail(method, template, status, message + " " + TOKEN)

    assert publish(github, write_report(report_of(1)), "--pr", "7") == 2

    out, err = capsys.readouterr()
    assert f"GitHub API error {status}" in err and expected in err
    assert "Traceback" not in err and TOKEN not in out + err
    assert len(err.strip().splitlines()) == 1


def test_a_bad_token_is_a_401_message(github, write_report, report_of, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "wrong-" + TOKEN)

    assert publish(github, write_report(report_of(1))) == 2

    err = capsys.readouterr().err
    assert "GitHub API error 401" in err and "GITHUB_TOKEN" in err
    assert TOKEN not in err


def test_no_server_is_a_connection_message(write_report, report_of, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Closed:
        base_url = f"http://127.0.0.1:{port}/api/v3"

    assert publish(Closed, write_report(report_of(1))) == 2
    err = capsys.readouterr().err
    assert "cannot reach the GitHub API" in err and "Traceback" not in err


def test_a_missing_token_or_report_is_exit_2(
    github, write_report, report_of, capsys, monkeypatch, tmp_path
):
    monkeypatch.delenv("GITHUB_TOKEN")
    assert publish(github, write_report(report_of(1))) == 2
    assert "GITHUB_TOKEN is not set" in capsys.readouterr().err

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    assert publish(github, tmp_path / "absent.json") == 2
    assert "cannot read the report" in capsys.readouterr().err
    assert github.requests == []


def test_usage_errors_exit_2(github, write_report, report_of):
    report = str(write_report(report_of(1)))
    for bad in (["--sha", "abc"], ["--repo", "not a repo"], ["--pr", "0"]):
        args = ["publish", "github", "--report", report, "--repo", "hub/models", "--sha", SHA]
        with pytest.raises(SystemExit) as exit_info:
            main([*args, *bad])
        assert exit_info.value.code == 2


def test_a_pr_that_moved_on_gets_no_comment(github, write_report, report_of, capsys):
    github.changed_files = ["assets/a.md"]
    github.pull_head = "b" * 40  # e.g. a report naming another PR, or a push since validation

    assert publish(github, write_report(report_of(1)), "--pr", "7") == 0

    assert github.errors == []
    assert not github.comments and not github.called("GET", COMMENTS)
    assert not github.called("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files")
    assert len(only_run(github)["annotations"]) == 1
    assert "no longer at aaaaaaaaaaaa" in capsys.readouterr().out
