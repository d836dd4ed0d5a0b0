"""Attack class: a forged or malformed report (issue 9, point 9).

The report travels as a build artifact from the job that ran the pull request's content to the
job that holds the token, so the PR's author can shape it. Each row is one attack, published by
the real CLI (``mdvalidator publish github``) to the loopback GitHub stand-in, which validates
every request against GitHub's OpenAPI description; the asserts are what a maintainer relies
on: the check run's conclusion, which annotations exist, how many requests were sent, and the
exit status.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sec_support_publish import (
    SHA,
    TOKEN,
    GithubStandIn,
    check_run_writes,
    github_server,
    make_report,
    publish_args,
    write_json,
)

from mdvalidator.cli import main

PR = "7"
CHANGED = ["assets/a.md", "assets/b.md"]


def _problem(**changes: Any) -> dict[str, Any]:
    base = {
        "path": "assets/a.md", "line": 3, "column": 1, "rule": "MDV102", "name": "missing-field",
        "severity": "error", "message": "missing required key 'license'",
    }  # fmt: skip
    return {**base, **changes}


def _asset(status: str) -> dict[str, Any]:
    return {
        "path": "assets/a.md", "line": 9, "url": "https://download.example/x.ckpt",
        "expected": "ab" * 32, "actual": "cd" * 32, "bytes": 10, "status": status,
    }  # fmt: skip


def _report(problems: list[dict[str, Any]], status: str = "pass", assets: Any = ()) -> Any:
    return {"version": 1, "status": status, "checked": 2, "problems": problems,
            "assets": list(assets)}  # fmt: skip


@dataclass(frozen=True)
class Forgery:
    """One attack row: the report, and what the published check run must show."""

    report: dict[str, Any]
    conclusion: str
    annotated: list[str] = field(default_factory=list)  # annotation paths, in order
    title: str | None = None
    in_summary: tuple[str, ...] = ()


FORGERIES = {
    # the verdict is recomputed from what the report lists, not taken from its "status"
    "pass-with-an-error": Forgery(
        _report([_problem()]), "failure", ["assets/a.md"], "1 error",
        ('The report says "pass" but lists errors',),
    ),
    **{
        f"pass-with-a-{status}-asset": Forgery(
            _report([], assets=[_asset(status)]), "failure", [], "1 asset not verified",
            (f"Assets: 1 {status}.",),
        )
        for status in ("mismatch", "blocked", "unreachable", "too-large")
    },
    # controls: a skipped asset and warnings do not fail; a stricter "fail" is kept
    "pass-with-a-skipped-asset": Forgery(
        _report([], assets=[_asset("skipped")]), "success", [], "All Passed"
    ),
    "fail-with-only-warnings": Forgery(
        _report([_problem(severity="warning")], status="fail"), "failure", ["assets/a.md"],
        "1 warning",
    ),
    # paths GitHub must not be asked to annotate are listed in the summary instead
    **{
        name: Forgery(
            _report([_problem(path=path), _problem(path="assets/b.md")], status="fail"),
            "failure", ["assets/b.md"], "2 errors", ("does not change (not annotated)",),
        )
        for name, path in {
            "absolute-path": "/etc/passwd",
            "dot-dot-path": "assets/../../etc/passwd",
            "dot-segment-path": "assets/./a.md",
            "backslash-path": "assets\\a.md",
            "drive-path": "C:/assets/a.md",
            "newline-in-path": "assets/a.md\n::error::x",
            "escape-in-path": "assets/\x1b[2Ja.md",
            "bidi-in-path": "assets/\u202ea.md",
            "old-command-in-path": "assets/##[add-path]a.md",
            "path-the-pr-does-not-touch": "assets/elsewhere.md",
            "empty-segment-path": "assets//a.md",
        }.items()
    },
}  # fmt: skip


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[GithubStandIn]:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with github_server() as server:
        server.changed_files = list(CHANGED)
        server.pull_head = SHA
        yield server


def _publish(server: GithubStandIn, report: Path, *extra: str) -> int:
    return main(publish_args("github", server.base_url, report, "--retries", "0", *extra))


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_a_forged_report_cannot_choose_its_verdict(
    github: GithubStandIn, tmp_path: Path, name: str
) -> None:
    row = FORGERIES[name]
    report = write_json(tmp_path / "report.json", row.report)

    assert _publish(github, report, "--pr", PR) == 0

    [run] = github.check_runs.values()
    assert run["conclusion"] == row.conclusion
    assert [a["path"] for a in run["annotations"]] == row.annotated
    assert all(1 <= a["start_line"] <= 2**31 - 1 for a in run["annotations"])
    if row.title:
        assert run["output"]["title"] == row.title
    for text in row.in_summary:
        assert text in run["output"]["summary"]
    [comment] = github.comments.values()
    assert ("❌" if row.conclusion == "failure" else "✅") in comment["body"].split("\n")[1]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"line": -1}, "problems.0.line"),
        ({"line": 10**12}, "problems.0.line"),
        ({"column": 2**31}, "problems.0.column"),
        ({"line": 1.5}, "problems.0.line"),
        ({"severity": "none"}, "problems.0.severity"),
    ],
)
def test_impossible_positions_are_refused_before_any_request(
    github: GithubStandIn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, Any],
    fragment: str,
) -> None:
    report = write_json(tmp_path / "report.json", _report([_problem(**change)], status="fail"))

    assert _publish(github, report, "--pr", PR) == 2

    assert fragment in capsys.readouterr().err
    assert github.requests == []


def test_the_largest_position_the_api_takes_is_kept(github: GithubStandIn, tmp_path: Path) -> None:
    big = 2**31 - 1
    report = write_json(
        tmp_path / "report.json", _report([_problem(line=big, column=big)], status="fail")
    )
    assert _publish(github, report, "--pr", PR) == 0
    [note] = next(iter(github.check_runs.values()))["annotations"]
    assert (note["start_line"], note["start_column"]) == (big, big)


def test_twenty_thousand_problems_make_twenty_writes(
    github: GithubStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = make_report(20_000, paths=("assets/a.md", "assets/b.md"), severity="warning")
    data["problems"][-1]["severity"] = "error"  # an error at the end is annotated first
    data["status"] = "fail"
    report = write_json(tmp_path / "report.json", data)

    assert _publish(github, report, "--pr", PR) == 0

    writes = check_run_writes(github)
    assert len(writes) == 20
    [run] = github.check_runs.values()
    assert len(run["annotations"]) == 1000 and run["conclusion"] == "failure"
    assert run["annotations"][0]["annotation_level"] == "failure"
    summary = run["output"]["summary"]
    assert "19000 more problem(s) are not annotated: at most 1000" in summary
    assert len(summary) <= 65535
    assert "19000 more past the annotation cap" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("build", "args", "fragment"),
    [
        ("oversized", ["--max-report-size", "1K"], "larger than 1024 bytes"),
        ("over-default-cap", [], "larger than 16777216 bytes"),
        ("fifo", [], "not a regular file"),
        ("deep", [], "nested too deeply"),
        ("folder", [], "cannot read the report"),
    ],
)
def test_a_report_file_that_is_not_one_is_refused_unread(
    github: GithubStandIn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    build: str,
    args: list[str],
    fragment: str,
) -> None:
    path = tmp_path / "report.json"
    if build == "oversized":
        write_json(path, make_report(50))
    elif build == "over-default-cap":
        with open(path, "wb") as stream:  # a sparse 17 MB file: the size is what counts
            stream.truncate(17 * 1024 * 1024)
    elif build == "fifo":
        os.mkfifo(path)  # opening it for a plain read would wait forever for a writer
    elif build == "deep":
        path.write_text("[" * 200_000 + "]" * 200_000)
    else:
        path.mkdir()

    assert _publish(github, path, "--pr", PR, *args) == 2

    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert github.requests == []
