"""The GitHub workflows, the composite action and the Gitee pipeline a hub copies.

actionlint and zizmor (offline: no network) run over every workflow file and action.yml; they
are in the `lint` extra (requirements/lock.txt), and the tests that need them are skipped, saying
so, when they are absent (the lowest-versions run of .ci/run installs no linters). The security
contract of the two-workflow pattern is asserted directly on the parsed YAML, so it holds
whether or not the linters are installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PR_WORKFLOW = ROOT / "examples" / "github" / "mdvalidator-pr.yml"
PUBLISH_WORKFLOW = ROOT / "examples" / "github" / "mdvalidator-publish.yml"
CI_WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
GITEE_PIPELINE = ROOT / "examples" / "gitee" / ".workflow" / "pr-pipeline.yml"
AUDIT_WORKFLOW = ROOT / "examples" / "github" / "mdvalidator-audit.yml"  # tests/audit checks it too
WORKFLOWS = sorted(
    [*(ROOT / ".github" / "workflows").glob("*.yml"), PR_WORKFLOW, PUBLISH_WORKFLOW, AUDIT_WORKFLOW]
)
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def tool(name: str) -> str:
    """The linter's path: on PATH, or beside this Python (a venv that is not activated)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed (the lint extra, requirements/lock.txt, has it)")
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # actionlint runs shellcheck over `run:` scripts when it finds it: look beside Python too.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path}
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False, env=env
    )


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean True.
    value = workflow.get("on", workflow.get(True))
    return value if isinstance(value, dict) else {value: None}


def steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    if "runs" in document:
        return list(document["runs"]["steps"])
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_passes(workflow: Path) -> None:
    result = run(tool("actionlint"), "-no-color", str(workflow))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("target", [*WORKFLOWS, ACTION, HOOKS], ids=lambda p: p.name)
def test_zizmor_offline_passes(target: Path) -> None:
    result = run(tool("zizmor"), "--offline", "--no-progress", str(target))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linters_do_fail_on_a_bad_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request_target\n"
        "jobs:\n"
        "  x:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "        with:\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
        "        shell: bahs\n"
    )
    assert run(tool("actionlint"), "-no-color", str(bad)).returncode != 0
    assert run(tool("zizmor"), "--offline", "--no-progress", str(bad)).returncode != 0


def test_every_action_is_pinned_to_a_commit() -> None:
    for path in [*WORKFLOWS, ACTION]:
        for step in steps(load(path)):
            if "uses" in step:
                assert PINNED.match(step["uses"]), (path.name, step["uses"])


def test_no_expression_is_pasted_into_a_script() -> None:
    """Template injection: values reach `run:` scripts through `env:` only."""
    for path in [*WORKFLOWS, ACTION]:
        for step in steps(load(path)):
            assert "${{" not in step.get("run", ""), (path.name, step.get("name"))


def action_step(path: Path, mode: str) -> dict[str, Any]:
    """The template's step that uses mdvalidator's composite action in that mode."""
    (step,) = [
        s
        for s in steps(load(path))
        if s.get("uses", "").startswith("OWNER/mdvalidator@") and s["with"]["mode"] == mode
    ]
    return step


def test_the_pull_request_workflow_is_unprivileged() -> None:
    workflow = load(PR_WORKFLOW)
    assert set(triggers(workflow)) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    assert "secrets." not in PR_WORKFLOW.read_text()
    checkout = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0  # the merge base must be in the checkout
    upload = next(s for s in steps(workflow) if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["name"] == "mdvalidator-report"
    check = action_step(PR_WORKFLOW, "check")
    # The base commit, not a branch name that moves, nor anything from the pull request.
    assert check["with"]["changed-since"] == "${{ github.event.pull_request.base.sha }}"
    assert "--offline" not in check["with"]["args"]  # assets are verified here, and only here
    assert "--config" not in check["with"]["args"]
    assert upload["with"]["path"].rstrip("/") == check["with"]["report"].rsplit("/", 1)[0]


def test_both_templates_use_the_same_reviewed_commit_of_the_action() -> None:
    check = action_step(PR_WORKFLOW, "check")["uses"]
    publish = action_step(PUBLISH_WORKFLOW, "publish")["uses"]
    assert check == publish
    assert PINNED.match(check.replace("OWNER", "owner"))


def test_the_publishing_workflow_never_touches_pull_request_code() -> None:
    workflow = load(PUBLISH_WORKFLOW)
    assert set(triggers(workflow)) == {"workflow_run"}
    assert triggers(workflow)["workflow_run"]["workflows"] == [load(PR_WORKFLOW)["name"]]
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"actions": "read", "checks": "write", "pull-requests": "write"}
    uses = [s.get("uses", "") for s in steps(workflow)]
    assert not any("checkout" in u for u in uses)
    download = next(s for s in steps(workflow) if "download-artifact" in s.get("uses", ""))
    assert download["with"]["name"] == "mdvalidator-report"
    assert download["with"]["path"].startswith("${{ runner.temp }}")
    script = " ".join(s.get("run", "") for s in steps(workflow))
    assert "tr -cd '0-9'" in script  # the PR number from the artifact: digits only
    publish = action_step(PUBLISH_WORKFLOW, "publish")["with"]
    assert publish["sha"] == "${{ github.event.workflow_run.head_sha }}"  # not from the artifact
    assert publish["pr"] == "${{ steps.pr.outputs.number }}"
    assert publish["report"].startswith("${{ runner.temp }}/mdvalidator-report/")


def readme_setup_commands() -> list[str]:
    """The README's two set-up commands (the first ``sh`` block of "Set up"), split at ``&&``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [part.strip() for line in block.splitlines() for part in line.split("&&")]


def test_the_readme_installs_from_the_lock_with_hashes() -> None:
    commands = readme_setup_commands()
    assert "pip install --require-hashes -r requirements/lock.txt" in commands
    assert "pip install --no-deps --no-build-isolation -e ." in commands
    assert commands[-1] == "python -m pytest -n 2"


def test_the_project_ci_runs_the_readme_commands() -> None:
    ci_workflow = " ".join(s.get("run", "") for s in steps(load(CI_WORKFLOW)))
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("python -m pytest -n 2", "ruff check mdvalidator tests bench", "mypy",
                    ".ci/lint-workflows.sh", "pip install --require-hashes -r",
                    "pip install --no-deps --no-build-isolation -e ."):  # fmt: skip
        assert command in ci_workflow, command
        assert command.replace("pip install", "pip install --quiet") in ci_run, command
    assert "requirements/lock.txt" in ci_run and "requirements/lowest.txt" in ci_run
    matrix = load(CI_WORKFLOW)["jobs"]["test"]["strategy"]["matrix"]["include"]
    assert {entry["lock"] for entry in matrix} == {"lock.txt", "lowest.txt"}
    lowest = {entry["python-version"] for entry in matrix if entry["lock"] == "lowest.txt"}
    assert lowest == {"3.10"}  # the lowest versions on the lowest Python
    assert [entry["lint"] for entry in matrix].count(True) == 1


def test_the_gitee_pipeline_validates_and_comments() -> None:
    pipeline = load(GITEE_PIPELINE)
    assert pipeline["version"] == "1.0"
    assert "pr" in pipeline["triggers"]
    (step,) = pipeline["stages"][0]["steps"]
    script = "\n".join(step["commands"])
    assert "mdvalidator --format json" in script
    assert "mdvalidator publish gitee" in script and '"${GITEE_PULL_ID}"' in script
    assert 'GITEE_TOKEN="${MDVALIDATOR_GITEE_TOKEN}"' in script
    assert '--changed-since "${GITEE_COMMIT}"' in script  # the target commit
    assert 'origin "+refs/heads/${GITEE_BRANCH}:' in script and "--unshallow" in script
    assert '--require-hashes --no-deps \\\n  -r "$tools/src/requirements/runtime.txt"' in script
    check = subprocess.run(
        ["bash", "-n"], input=script, text=True, capture_output=True, check=False
    )
    assert check.returncode == 0, check.stderr
