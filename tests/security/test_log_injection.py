"""Attack class: pull-request text that reaches a CI log, a PR comment or a check run
(issue 9, point 11: the runner's older ``##[command]`` syntax, file names, library log lines).

The Actions runner acts on ``::command::`` at the start of a log line and on ``##[command]``
ANYWHERE in a line (``##[add-mask]``, ``##[set-output name=x;]``, ``##[error]``...). A card's
text and its file name are the attacker's. Each row runs the real CLI in a child process, as a
CI job does, and reads every line it wrote; or publishes a hostile report to the loopback
stand-ins and reads what the PR would show.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sec_support_publish import (
    SHA,
    TOKEN,
    GiteeStandIn,
    GithubStandIn,
    gitee_server,
    github_server,
    make_report,
    publish_args,
    run_cli,
    write_json,
)

OLD_COMMANDS = [
    "##[add-mask]s3cr3t-value",
    "##[set-output name=verdict;]success",
    "##[error]fake error",
    "##[add-path]/tmp/evil",
    "##[set-env name=LD_PRELOAD;]/tmp/evil.so",
    "x ##[warning]in the middle",
    "#\u0301#[add-mask]combining mark between",
    "#\ufe0f#\ufe0f[debug]variation selectors",
    "#\u00ad#[add-mask]soft hyphen between",
    "#\u200b#[add-mask]zero-width space between",
]


def _skeleton(text: str) -> str:
    """What a culture-aware comparison may see: format characters and marks dropped."""
    return "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Mn", "Me"))


def _no_command_in(output: str, allowed_commands: int = 0) -> None:
    lines = output.split("\n")
    assert not any("##[" in _skeleton(line) for line in lines), output
    commands = [line for line in lines if _skeleton(line).lstrip().startswith("::")]
    assert len(commands) == allowed_commands, commands


# ------------------------------------------------------ card text and file names, all formats


HOSTILE_NAMES = [
    *(f"{command.replace('/', '_')}.md" for command in OLD_COMMANDS),
    "a\n::error::newline.md",
    "\u00ad::warning::soft-hyphen.md",
    "\u200b  ::notice::zero-width.md",
]


@pytest.fixture
def hostile_hub(make_card: Callable[..., Path], tmp_path: Path) -> Path:
    """A hub whose cards carry an old command in a value, and hostile file names."""
    tunable, license_line = "fine-tunable: True", "license: Apache2.0"
    for index, command in enumerate(OLD_COMMANDS):  # MDV103 echoes the value
        make_card(folder=f"team/v{index}", replace={tunable: f"fine-tunable: '{command}'"})
    for index, name in enumerate(HOSTILE_NAMES):
        make_card(name=name, folder=f"team/n{index}", replace={license_line: None})
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif"])
def test_no_format_lets_a_card_issue_a_runner_command(hostile_hub: Path, fmt: str) -> None:
    run = run_cli(["check", "--offline", "--format", fmt, "assets"], cwd=hostile_hub)

    assert run.status == 1, run.err
    if fmt == "github":
        found = [line for line in run.out.split("\n") if line.startswith("::")]
        # at least one problem per hostile card, each one well-formed command of ours
        assert len(found) >= len(OLD_COMMANDS) + len(HOSTILE_NAMES)
        assert all(re.fullmatch(r"::(error|warning|notice) file=[^:]*::.*", c) for c in found)
        _no_command_in(run.out, allowed_commands=len(found))
    else:
        _no_command_in(run.out)
    _no_command_in(run.err)
    assert run.out.count("s3cr3t-value") >= 2  # value and name are shown, only defused


def test_the_json_report_of_hostile_cards_is_still_data(hostile_hub: Path) -> None:
    run = run_cli(["check", "--offline", "--format", "json", "assets"], cwd=hostile_hub)
    report = json.loads(run.out)
    paths = {p["path"] for p in report["problems"]}
    assert len(paths) == len(OLD_COMMANDS) + len(HOSTILE_NAMES)  # every card, none hidden
    assert any("## [add-path]" in p for p in paths)
    assert report["status"] == "fail"


# -------------------------------------------------------- a hostile report, published


HOSTILE_MESSAGES = {
    "bidi": "benign \u202eevil\u202c text \u2066x\u2069",
    "controls": "a\x1b[31mred\x1b[0m\x07 b\r\nc\x00d",
    "mention": "ping @octocat and @hub/maintainers",
    "markdown": "| cell | break\n### heading <img src=x onerror=y> [x](javascript:alert(1)) ```",
    "workflow": "::error file=x::forged\n##[add-mask]mask-me ##[set-output name=a;]b",
    "fence": "````\n</details><details open>",
}


def _hostile_report() -> dict[str, object]:
    data = make_report(len(HOSTILE_MESSAGES))
    for problem, message in zip(data["problems"], HOSTILE_MESSAGES.values(), strict=True):
        problem["message"] = message
        problem["name"] = "x @octocat ##[error]"
    data["problems"][0]["path"] = "assets/a.md"
    return data


def _neutral(body: str, rows: int) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", body)
    assert "@octocat" not in body and "@hub/" not in body  # no one is notified
    # HTML, links and fences only as escaped text
    assert not re.search(r"(?<!\\)(<img|</details>|\]\(javascript|```)", body)
    assert "##[" not in _skeleton(body)
    table = [line for line in body.split("\n") if line.startswith("| ")]
    assert len(table) == rows + 2  # header, separator, one row per problem: nothing broke out
    assert all(re.sub(r"\\\|", "", row).count("|") == 6 for row in table)


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[GithubStandIn]:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with github_server() as server:
        server.changed_files = ["assets/a.md"]
        server.pull_head = SHA
        yield server


@pytest.fixture
def gitee(monkeypatch: pytest.MonkeyPatch) -> Iterator[GiteeStandIn]:
    monkeypatch.setenv("GITEE_TOKEN", TOKEN)
    with gitee_server() as server:
        yield server


def test_hostile_report_text_stays_inert_on_github(github: GithubStandIn, tmp_path: Path) -> None:
    from mdvalidator.cli import main

    report = write_json(tmp_path / "report.json", _hostile_report())
    args = publish_args("github", github.base_url, report, "--pr", "7", "--retries", "0")
    assert main(args) == 0

    [comment] = github.comments.values()
    _neutral(comment["body"], len(HOSTILE_MESSAGES))
    [run] = github.check_runs.values()
    _neutral(run["output"]["summary"], len(HOSTILE_MESSAGES))
    for note in run["annotations"]:  # plain text fields: one clean line each
        for text in (note["message"], note["title"], note["path"]):
            assert "\n" not in text and "\x1b" not in text and "##[" not in _skeleton(text)


def test_hostile_report_text_stays_inert_on_gitee(gitee: GiteeStandIn, tmp_path: Path) -> None:
    from mdvalidator.cli import main

    report = write_json(tmp_path / "report.json", _hostile_report())
    assert main(publish_args("gitee", gitee.base_url, report, "--pr", "3", "--retries", "0")) == 0
    [comment] = gitee.comments.values()
    _neutral(comment["body"], len(HOSTILE_MESSAGES))


def test_render_replays_a_hostile_report_without_commands(tmp_path: Path) -> None:
    report = write_json(tmp_path / "report.json", _hostile_report())
    for fmt in ("text", "github", "json", "markdown"):
        run = run_cli(["publish", "render", "--report", str(report), "--format", fmt])
        assert run.status == 0, run.err
        _no_command_in(run.out, len(HOSTILE_MESSAGES) if fmt == "github" else 0)


# --------------------------------------------- the libraries' own log lines, and the hints


def test_pygithub_retry_lines_do_not_reach_the_log(github: GithubStandIn, tmp_path: Path) -> None:
    # a primary rate limit: PyGithub retries it and logs each retry to stderr by itself
    limit = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"}  # reset long past
    github.fail(
        "GET", "/repos/{owner}/{repo}", 403, "API rate limit exceeded for 1.2.3.4", 5, limit
    )
    report = write_json(tmp_path / "report.json", make_report(1))
    args = publish_args("github", github.base_url, report, "--retries", "2")

    run = run_cli(args, env={"GITHUB_TOKEN": TOKEN})

    assert run.status == 2
    assert len(github.called("GET", "/repos/{owner}/{repo}")) == 3  # it did retry
    lines = run.err.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("mdvalidator: publish failed: GitHub API error")
    assert "rate limited; try again later" in lines[0]
    assert "Request GET" not in run.err and "backoff" not in run.err and TOKEN not in run.err


def test_a_host_that_logs_everything_gets_no_token_from_a_retried_gitee_read(
    gitee: GiteeStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mdvalidator.publish.errors import PublishError
    from mdvalidator.publish.gitee import GiteeTarget, publish_gitee
    from mdvalidator.publish.report import load_report

    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    root = logging.getLogger()
    keep, level = Keep(), root.level
    root.addHandler(keep)
    root.setLevel(logging.DEBUG)  # the bot service logging at DEBUG
    try:
        gitee.fail("GET", "/user", 503, "busy", times=5)
        report = load_report(write_json(tmp_path / "report.json", make_report(1)))
        target = GiteeTarget("hub/models", 3, gitee.base_url)
        with pytest.raises(PublishError, match="Gitee API error 503"):
            publish_gitee(report, target, TOKEN, retries=2)
    finally:
        root.removeHandler(keep)
        root.setLevel(level)
    assert len(gitee.called("GET", "/user")) == 3
    assert not [r for r in seen if r.name.startswith(("urllib3", "github"))]
    assert TOKEN not in "".join(r.getMessage() for r in seen) + capsys.readouterr().err


def test_the_gitee_403_hint_talks_about_gitee(gitee: GiteeStandIn, tmp_path: Path) -> None:
    gitee.fail("POST", "/repos/{owner}/{repo}/pulls/{number}/comments", 403, "Forbidden")
    report = write_json(tmp_path / "report.json", make_report(1))

    run = run_cli(
        publish_args("gitee", gitee.base_url, report, "--pr", "3"), env={"GITEE_TOKEN": TOKEN}
    )

    assert run.status == 2
    [line] = run.err.strip().split("\n")
    assert "Gitee API error 403" in line and "pull_requests scope" in line
    for github_words in ("workflow_run", "checks", "fork", "workflow token"):
        assert github_words not in line
