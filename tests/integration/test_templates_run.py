"""The composite action's and the Gitee pipeline's own scripts, run for real.

Each script is taken from the YAML a hub copies and run with bash, as the runner would: it
installs mdvalidator from a clone of this repository's committed HEAD (as GitHub fetches an
action at a commit) with the dependencies from requirements/runtime.txt, every hash checked
(pip downloads them from the package index), then validates a temporary hub whose pull request
is behind its target branch. Uncommitted changes are not seen, as with ``pre-commit try-repo``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import git

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "fixtures" / "mindspore-hub" / "mindspore" / "1.8" / "retinanet_coco2017.md"
GOOD = "mshub_res/assets/mindspore/1.8/retinanet_coco2017.md"
ADDED = "mshub_res/assets/mindspore/1.8/retinanet2_coco2017.md"  # by the pull request
LATER = "mshub_res/assets/mindspore/1.8/retinanet3_coco2017.md"  # on the target, after the fork
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def _needs_git_checkout() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("the scripts install this git checkout's HEAD, and there is none")


def _without_license(text: str) -> str:
    return re.sub(r"(?m)^license:.*\n", "", text)


def make_hub(tmp_path: Path) -> tuple[Path, str, str]:
    """A hub repository; returns it, the target branch's head and the pull request's merge.

    ``master`` holds a good card; the pull request branches off it and adds a card without a
    license; ``master`` then moves on with another such card (the branch is behind it).
    """
    hub = tmp_path / "hub"
    (hub / GOOD).parent.mkdir(parents=True)
    shutil.copyfile(CARD, hub / GOOD)
    git(hub, "init", "-q", "-b", "master")
    git(hub, "add", "-A")
    git(hub, "commit", "-qm", "a good card")
    git(hub, "checkout", "-qb", "pr")
    (hub / ADDED).write_text(_without_license(CARD.read_text(encoding="utf-8")), encoding="utf-8")
    git(hub, "add", "-A")
    git(hub, "commit", "-qm", "the pull request adds a card without a license")
    git(hub, "checkout", "-q", "master")
    (hub / LATER).write_text(_without_license(CARD.read_text(encoding="utf-8")), encoding="utf-8")
    git(hub, "add", "-A")
    git(hub, "commit", "-qm", "the target moves on")
    target = git(hub, "rev-parse", "HEAD")
    git(hub, "checkout", "-q", "pr")
    return hub, target, git(hub, "rev-parse", "HEAD")


def problem_paths(report: Path) -> set[str]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {problem["path"] for problem in data["problems"]}


def script_env(extra: dict[str, str]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    # `python3` in the scripts: this interpreter (any Python >= 3.10 that has venv).
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**keep, "PATH": path, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org", **extra}  # fmt: skip


# --- the composite action -------------------------------------------------------------------


class Action:
    """action.yml's steps, run with bash in a stand-in runner (RUNNER_TEMP, GITHUB_OUTPUT)."""

    def __init__(self, source: Path, runner_temp: Path) -> None:
        self.source = source
        self.runner_temp = runner_temp
        document = yaml.safe_load((source / "action.yml").read_text(encoding="utf-8"))
        self.inputs = {
            name: str(spec.get("default", "")) for name, spec in document["inputs"].items()
        }
        self.steps: list[dict[str, Any]] = document["runs"]["steps"]

    def _value(self, text: str, inputs: dict[str, str]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "github.action_path":
                return str(self.source)
            if name.startswith("inputs."):
                return inputs[name.removeprefix("inputs.")]
            assert name in ("github.token", "github.repository", "github.api_url"), name
            return ""

        return EXPRESSION.sub(one, text)

    def run(self, cwd: Path, **given: str) -> tuple[int, str, dict[str, str]]:
        """Every step whose `if:` holds; the last exit status, all output and the outputs."""
        inputs = {**self.inputs, **{k.replace("_", "-"): v for k, v in given.items()}}
        output_file = self.runner_temp / "github-output"
        output_file.write_text("")
        log = ""
        status = 0
        for step in self.steps:
            condition = step.get("if")
            assert condition in (None, "inputs.mode == 'check'", "inputs.mode == 'publish'")
            if condition is not None and condition != f"inputs.mode == '{inputs['mode']}'":
                continue
            env = {k: self._value(str(v), inputs) for k, v in step.get("env", {}).items()}
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
                cwd=cwd,
                env=script_env({**env, "RUNNER_TEMP": str(self.runner_temp),
                                "GITHUB_OUTPUT": str(output_file),
                                "GITHUB_STEP_SUMMARY": str(self.runner_temp / "summary.md")}),
                capture_output=True, text=True, timeout=600, check=False,
            )  # fmt: skip
            log += done.stdout + done.stderr
            status = done.returncode
            if status:
                break
        outputs = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
        return status, log, outputs


@pytest.fixture(scope="module")
def action(tmp_path_factory: pytest.TempPathFactory) -> Action:
    """The action as GitHub fetches it (this repository at a commit), installed once."""
    _needs_git_checkout()
    base = tmp_path_factory.mktemp("action")
    source = base / "OWNER-mdvalidator"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(source)], check=True, capture_output=True)
    runner = Action(source, base / "runner-temp")
    runner.runner_temp.mkdir()
    work = base / "work"
    work.mkdir()
    # The install step alone: mode `publish` runs it, then fails on the missing report.
    status, log, _ = runner.run(work, mode="publish", report=str(work / "none.json"))
    assert (runner.runner_temp / "mdvalidator-venv" / "bin" / "mdvalidator").is_file(), log
    assert "Traceback" not in log, log
    assert status == 2, log  # the report is not there: a usage error, one line
    return runner


@pytest.mark.slow
def test_the_action_checks_what_the_pull_request_changed(action: Action, tmp_path: Path) -> None:
    hub, target, head = make_hub(tmp_path)
    # What actions/checkout gives a pull_request run: the PR merged into its target.
    git(hub, "merge", "-q", "--no-edit", "master")
    status, log, outputs = action.run(
        hub, mode="check", changed_since=target, offline="true", report="out/report.json"
    )
    assert status == 1, log
    assert outputs["status"] == "1", outputs
    assert problem_paths(hub / "out" / "report.json") == {ADDED}, log
    assert f"::error file={ADDED}," in log, log
    assert LATER not in log and head  # the target's own card is not the PR's


@pytest.mark.slow
def test_the_action_says_when_the_merge_base_is_missing(action: Action, tmp_path: Path) -> None:
    hub, target, _ = make_hub(tmp_path)
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "pr", f"file://{hub}", str(shallow))
    status, log, outputs = action.run(shallow, mode="check", changed_since=target, offline="true")
    assert status == 2, log
    assert outputs["status"] == "2", outputs
    assert "fetch-depth: 0" in log, log


# --- the Gitee pipeline ---------------------------------------------------------------------


def gitee_script() -> str:
    pipeline = ROOT / "examples" / "gitee" / ".workflow" / "pr-pipeline.yml"
    document = yaml.safe_load(pipeline.read_text(encoding="utf-8"))
    (script,) = document["stages"][0]["steps"][0]["commands"]
    return str(script)


@pytest.mark.slow
def test_the_gitee_pipeline_fetches_the_target_and_checks_only_the_pull_request(
    tmp_path: Path,
) -> None:
    _needs_git_checkout()
    hub, target, _ = make_hub(tmp_path)
    # Gitee Go's workspace: a shallow clone of the pull request's branch, no target branch.
    workspace = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "pr", f"file://{hub}", str(workspace))
    commit = git(ROOT, "rev-parse", "HEAD")
    done = subprocess.run(
        ["bash", "-c", gitee_script()],
        cwd=workspace,
        env=script_env({"MDVALIDATOR_REPO": str(ROOT), "MDVALIDATOR_COMMIT": commit,
                        "MDVALIDATOR_ARGS": "--offline", "MDVALIDATOR_GITEE_TOKEN": "",
                        "GITEE_BRANCH": "master", "GITEE_COMMIT": target,
                        "GITEE_PULL_ID": "7", "HUB_REPO": "OWNER/NAME", "TMPDIR": str(tmp_path)}),
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 1, log  # the verdict, not the publisher's missing token
    assert problem_paths(workspace / "mdvalidator-report" / "report.json") == {ADDED}, log
    assert "GITEE_TOKEN is not set" in log, log  # publishing was tried, and said why not
    assert "Traceback" not in log, log


@pytest.mark.parametrize("commit", ["master", "v1.0", "0123abc", "", "g" * 40])
def test_the_gitee_pipeline_installs_only_a_full_commit(commit: str, tmp_path: Path) -> None:
    """A branch or tag can move after review: refused before anything is fetched."""
    done = subprocess.run(
        ["bash", "-c", gitee_script()],
        cwd=tmp_path,
        env=script_env({"MDVALIDATOR_REPO": str(tmp_path / "none"), "MDVALIDATOR_COMMIT": commit}),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "MDVALIDATOR_COMMIT" in done.stderr, done.stderr
    assert not (tmp_path / "none").exists()
