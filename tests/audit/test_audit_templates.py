"""The audit templates a hub copies: their shape, and their scripts run for real.

The GitHub workflow's merge-job scripts and the Gitee pipeline's merge step are taken from the
YAML and run with bash, twice (two scheduled runs), against a local bare repository standing in
for the hub's remote: the first run creates the history branch, the second appends to it, and
the dashboard is built each time. mdvalidator is this checkout (the install steps are tested
by tests/integration/test_templates_run.py); the rolling-issue step talks to the loopback
GitHub/Gitee stand-ins of tests/publish. actionlint and zizmor run on the workflow in
tests/integration/test_workflows.py (its WORKFLOWS list names it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from audit_support import FIXTURES, ROOT
from helpers import git
from publish.publish_standin import GiteeStandIn, GithubStandIn, gitee_stand_in, github_stand_in

from mdvalidator.publish.rolling import marker

WORKFLOW = ROOT / "examples" / "github" / "mdvalidator-audit.yml"
PR_WORKFLOW = ROOT / "examples" / "github" / "mdvalidator-pr.yml"
GITEE = ROOT / "examples" / "gitee" / ".workflow" / "audit-pipeline.yml"
GITEE_PR = ROOT / "examples" / "gitee" / ".workflow" / "pr-pipeline.yml"
HUB = FIXTURES / "hub.json"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def step(job: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in job["steps"] if s.get("name") == name]
    return found


def test_the_audit_workflow_is_scheduled_sharded_and_least_privileged() -> None:
    workflow = load(WORKFLOW)
    assert set(workflow[True]) == {"schedule", "workflow_dispatch"}  # YAML reads `on` as True
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    verify, merge, pages = jobs["verify"], jobs["merge"], jobs["pages"]
    assert verify["permissions"] == {"contents": "read"}
    assert merge["permissions"] == {"contents": "write", "issues": "write"}
    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    shards = verify["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    check = next(s for s in verify["steps"] if s.get("uses", "").startswith("OWNER/mdvalidator@"))
    assert check["with"]["args"] == "--shard ${{ matrix.shard }}/${{ strategy.job-total }}"
    assert "--offline" not in check["with"]["args"]
    upload = step(verify, "Upload the shard's report")
    assert upload["with"]["name"] == "shard-${{ matrix.shard }}"
    assert upload["with"]["path"] == check["with"]["report"]
    download = step(merge, "Download the shards' reports")
    assert download["with"]["pattern"] == "shard-*" and download["with"]["merge-multiple"]
    assert merge["needs"] == "verify" and merge["if"] == "${{ !cancelled() }}"
    script = step(merge, "Merge the reports, update the history, build the dashboard")["run"]
    assert '--shards "$SHARDS"' in script and "--history history/history.jsonl" in script
    issue = step(merge, 'Keep the rolling "Asset health" issue up to date')["run"]
    assert 'publish github --issue "Asset health"' in issue


def test_the_audit_installs_the_same_reviewed_commit_everywhere() -> None:
    pinned = re.compile(r"^OWNER/mdvalidator@([0-9a-f]{40})$")
    (pr_commit,) = {
        pinned.match(s["uses"]).group(1)  # type: ignore[union-attr]
        for job in load(PR_WORKFLOW)["jobs"].values()
        for s in job["steps"]
        if pinned.match(s.get("uses", ""))
    }
    merge = load(WORKFLOW)["jobs"]["merge"]
    tools = step(merge, "Check out mdvalidator at the reviewed commit")["with"]
    assert tools["repository"] == "OWNER/mdvalidator" and tools["ref"] == pr_commit
    assert tools["persist-credentials"] is False
    install = step(merge, "Install mdvalidator (dependencies checked by hash)")["run"]
    assert "--require-hashes --no-deps" in install and "requirements/runtime.txt" in install
    verify = load(WORKFLOW)["jobs"]["verify"]
    uses = [s["uses"] for s in verify["steps"] if pinned.match(s.get("uses", ""))]
    assert uses == [f"OWNER/mdvalidator@{pr_commit}"]


def gitee_steps() -> dict[str, list[str]]:
    pipeline = load(GITEE)
    return {s["name"]: s["commands"] for stage in pipeline["stages"] for s in stage["steps"]}


def test_the_gitee_pipeline_runs_its_shards_in_parallel_then_merges() -> None:
    pipeline = load(GITEE)
    assert pipeline["version"] == "1.0"
    verify, merge = pipeline["stages"]
    count = int(pipeline["variables"]["SHARDS"])
    assert [s["name"] for s in verify["steps"]] == [f"shard_{i}" for i in range(1, count + 1)]
    install = load(GITEE_PR)["stages"][0]["steps"][0]["commands"][0]
    for i, shard in enumerate(verify["steps"], start=1):
        commands = shard["commands"]
        assert commands[0] == f"SHARD={i}"
        assert commands[1].split("\n")[2:14] == install.split("\n")[2:14]  # the same install
        assert '--shard "${SHARD}/${SHARDS}"' in commands[2]
        assert shard["artifacts"] == [{"name": f"SHARD_{i}", "path": ["./mdvalidator-audit"]}]
    (merge_step,) = merge["steps"]
    script = merge_step["commands"][1]
    assert '--shards "${SHARDS}"' in script and 'publish gitee --issue "Asset health"' in script
    for name, commands in gitee_steps().items():
        checked = subprocess.run(
            ["bash", "-n"], input="\n".join(commands), text=True, capture_output=True, check=False
        )
        assert checked.returncode == 0, (name, checked.stderr)


# -- the scripts, run -----------------------------------------------------------------------


def _needs_tools() -> None:
    for tool in ("git", "bash", "tar"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def _mdvalidator_wrapper(folder: Path) -> Path:
    """An `mdvalidator` command that runs this checkout, as the installed one would."""
    folder.mkdir(parents=True, exist_ok=True)
    wrapper = folder / "mdvalidator"
    wrapper.write_text(
        f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m mdvalidator "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


def _origin(tmp_path: Path) -> Path:
    """A bare repository standing in for the hub on the forge, with a default branch."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    work = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    (work / "README.md").write_text("a hub\n")
    git(work, "add", "README.md")
    git(work, "commit", "-qm", "a hub")
    git(work, "push", "-q", "origin", "HEAD:main")
    return origin


def _env(tmp_path: Path, extra: dict[str, str]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    return {
        **keep,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / ".xdg"),
        **extra,
    }


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # As GitHub runs `run:` (shell: bash): bash --noprofile --norc -eo pipefail
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _history_lines(origin: Path, tmp_path: Path, branch: str = "mdvalidator-history") -> list[str]:
    look = tmp_path / f"look-{branch}"
    shutil.rmtree(look, ignore_errors=True)
    git(tmp_path, "clone", "-q", "--branch", branch, str(origin), str(look))
    return (look / "history.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.fixture
def github() -> Iterator[GithubStandIn]:
    """The loopback GitHub API; at teardown, every request must have fit its description."""
    yield from github_stand_in()


@pytest.fixture
def gitee() -> Iterator[GiteeStandIn]:
    yield from gitee_stand_in()


def test_the_github_merge_job_scripts_keep_the_history_on_a_branch(
    tmp_path: Path, github: GithubStandIn
) -> None:
    _needs_tools()
    workflow = load(WORKFLOW)
    merge = workflow["jobs"]["merge"]
    origin = _origin(tmp_path)
    mdv = _mdvalidator_wrapper(tmp_path / "bin")
    names = [
        "Switch to the history branch (created on the first run)",
        "Merge the reports, update the history, build the dashboard",
        "Commit the history",
        'Keep the rolling "Asset health" issue up to date',
    ]
    for run in (1, 2):
        job = tmp_path / f"job{run}"
        job.mkdir()
        shards = job / "temp" / "shards"
        shards.mkdir(parents=True)
        for i in range(1, 5):  # the fixture stands in for each shard (it verified everything)
            shutil.copyfile(HUB, shards / f"shard-{i}.json")
        git(job, "clone", "-q", "--depth", "1", f"file://{origin}", "history")  # actions/checkout
        env = _env(
            tmp_path,
            {
                "MDV": str(mdv),
                "RUNNER_TEMP": str(job / "temp"),
                "GITHUB_ENV": str(job / "github_env"),
                "SHARDS": workflow["env"]["SHARDS"],
                "REPOSITORY": "owner/hub",
                "AUDITED": "0" * 40,
                "SERVER": "https://github.com",
                "GITHUB_TOKEN": github.token,
                "API_URL": github.base_url,
                "DASHBOARD": "https://owner.github.io/hub/",
            },
        )
        for name in names:
            found = step(merge, name)
            cwd = job / found.get("working-directory", ".")
            done = _bash(found["run"], cwd, env)
            assert done.returncode == 0, (run, name, done.stdout, done.stderr)
        assert (job / "site" / "index.html").is_file()
        index = (job / "site" / "index.html").read_text(encoding="utf-8")
        assert "https://github.com/owner/hub/blob/" + "0" * 40 in index
        assert len(_history_lines(origin, tmp_path)) == run
        # the fixture has a mismatch and blocked assets: one issue, created, then edited
        assert list(github.issues) == [1] and github.issues[1]["state"] == "open"
        assert len(github.called("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}")) == run - 1
    body = github.issues[1]["body"]
    assert body.startswith(marker("Asset health")) and "(https://owner.github.io/hub/)" in body
    commits = git(tmp_path, "--git-dir", str(origin), "rev-list", "--count", "mdvalidator-history")
    assert commits == "2"


def _gitee_shard(folder: Path, i: int, archive: bool) -> str:
    """A verify step's artifact as the merge step finds it: a folder, or an archive."""
    reports = folder / f"artifact-{i}" / "mdvalidator-audit"
    reports.mkdir(parents=True)
    shutil.copyfile(HUB, reports / f"shard-{i}.json")
    if not archive:
        return str(reports)
    packed = folder / f"SHARD_{i}.tar.gz"
    with tarfile.open(packed, "w:gz") as tar:
        tar.add(reports, arcname="mdvalidator-audit")
    return str(packed)


def test_the_gitee_merge_step_keeps_the_history_and_the_dashboard_on_branches(
    tmp_path: Path, gitee: GiteeStandIn
) -> None:
    _needs_tools()
    origin = _origin(tmp_path)
    mdv = _mdvalidator_wrapper(tmp_path / "bin")
    script = gitee_steps()["merge"][1]  # after the install
    variables = load(GITEE)["variables"]
    gitee.token = "not-a-token"
    for run in (1, 2):
        job = tmp_path / f"job{run}"
        job.mkdir()
        env = _env(
            tmp_path,
            {
                "PATH": f"{mdv.parent}{os.pathsep}{os.environ['PATH']}",
                "SHARDS": variables["SHARDS"],
                "HUB_REPO": "owner/hub",
                "GITEE_COMMIT": "f" * 40,
                "MDVALIDATOR_GITEE_USER": "bot",
                "MDVALIDATOR_GITEE_TOKEN": "not-a-token",
                "MDVALIDATOR_PUSH_REMOTE": f"file://{origin}",
                "MDVALIDATOR_GITEE_API": gitee.base_url,
                **{f"SHARD_{i}": _gitee_shard(job, i, archive=i % 2 == 0) for i in range(1, 5)},
            },
        )
        done = _bash(script, job, env)
        assert done.returncode == 0, (run, done.stdout, done.stderr)
        assert "the rolling issue was not updated" not in done.stderr
        assert len(gitee.issues) == 1 and len(gitee.called("POST", "/repos/{owner}/issues")) == 1
        assert "not-a-token" not in done.stdout + done.stderr
        assert len(_history_lines(origin, tmp_path)) == run
        hub = json.loads((job / "hub.json").read_text(encoding="utf-8"))
        healths = {a.get("health") for a in hub["assets"]}
        # the fixture's 404s: flaky the first time, dead once they failed the same way twice
        assert ("dead" in healths) == (run == 2) and "verified" in healths
    look = tmp_path / "dashboard"
    git(tmp_path, "clone", "-q", "--branch", "mdvalidator-dashboard", f"file://{origin}", str(look))
    assert (look / "index.html").is_file() and (look / ".nojekyll").exists()
    assert git(look, "rev-list", "--count", "HEAD") == "1"  # replaced, not piled up
