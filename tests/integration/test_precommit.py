"""The pre-commit hooks, as a hub meets them: the real ``pre-commit try-repo`` installs this
repository into a fresh environment (from PyPI for the dependencies) and runs the hook on a
temporary git repository laid out like a hub.

try-repo installs the repository's committed HEAD plus its uncommitted changes to tracked files
(new, untracked files are not seen until they are added).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CARD = (
    ROOT / "fixtures" / "publish" / "precommit" / "assets" / "mindspore" / "1.10" / "lenet_mnist.md"
)
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def _has_precommit() -> bool:
    return importlib.util.find_spec("pre_commit") is not None


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PRE_COMMIT_COLOR"] = "never"
    return env


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    """A git repository with one good card, a README (not a card) and a DIGITS store entry."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "hub"
    card = repo / "assets" / "mindspore" / "1.10" / "lenet_mnist.md"
    card.parent.mkdir(parents=True)
    shutil.copy(CARD, card)
    (repo / "README.md").write_text("# Our model hub\n\nNo YAML header here.\n")
    _git("init", "-q", cwd=repo)
    return repo


def try_repo(hub: Path, hook: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if not _has_precommit():
        pytest.skip("pre-commit is not installed (pip install -e .[test])")
    if not (ROOT / ".git").exists():
        pytest.skip("the hooks are installed from this git checkout, and there is none")
    _git("add", "-A", cwd=hub)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files"],
        cwd=hub,
        env=_clean_env(tmp_path / "pre-commit-home"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_a_good_card_passes(hub: Path, tmp_path: Path) -> None:
    result = try_repo(hub, "mdvalidator", tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"mdvalidator \(offline\)\.+Passed", output), output
    assert "README.md" not in output, output


@pytest.mark.slow
def test_a_bad_card_and_a_bad_store_entry_fail_with_their_messages(
    hub: Path, tmp_path: Path
) -> None:
    card = hub / "assets" / "mindspore" / "1.10" / "lenet_mnist.md"
    card.write_text(re.sub(r"(?m)^license:.*\n", "", card.read_text()))
    entry = hub / "store" / "lenet" / "info.json"
    entry.parent.mkdir(parents=True)
    entry.write_text('{"framework": "keras", "name": "LeNet"}\n')

    result = try_repo(hub, "mdvalidator", tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"mdvalidator \(offline\)\.+Failed", output), output
    assert "assets/mindspore/1.10/lenet_mnist.md" in output, output
    assert "'license'" in output and "MDV101" in output, output
    assert "store/lenet/info.json" in output and "'keras'" in output, output
    assert "Traceback" not in output, output


def test_the_manifest_is_valid_and_its_patterns_pick_descriptors() -> None:
    if not _has_precommit():
        pytest.skip("pre-commit is not installed (pip install -e .[test])")
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}
    assert set(hooks) == {"mdvalidator", "mdvalidator-verify"}
    assert hooks["mdvalidator"]["entry"] == "mdvalidator --offline"
    assert "--offline" not in hooks["mdvalidator-verify"]["entry"]
    for hook in hooks.values():
        files = re.compile(hook["files"])
        for path in ("assets/mindspore/1.10/lenet_mnist.md", "master.json",
                     "store/lenet/info.json", "store/lenet/aux.json"):  # fmt: skip
            assert files.search(path), (hook["id"], path)
        for path in ("README.md", "docs/usage.md", "store/lenet/labels.json", "xinfo.json"):
            assert not files.search(path), (hook["id"], path)
