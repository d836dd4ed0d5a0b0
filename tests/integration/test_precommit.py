"""The pre-commit hooks, as a hub meets them: the real ``pre-commit try-repo`` installs this
repository into a fresh environment (from PyPI for the dependencies) and runs the hook on a
temporary git repository laid out like the real MindSpore Hub: cards in ``mshub_res/assets/``
(``mindspore/<version>/`` and ``noah-cvlab/<platform>/<version>/``), the hub's README, release
notes and template folder beside them, and a DIGITS store entry.

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
# Real cards (fixtures/mindspore-hub/SOURCE.txt: paths relative to the hub's mshub_res/assets/).
CORPUS = ROOT / "fixtures" / "mindspore-hub"
ASSETS = "mshub_res/assets"
MINDSPORE_CARD = "mindspore/1.8/retinanet_coco2017.md"  # one asset
GOOD_CARDS = {
    MINDSPORE_CARD: 1,
    "noah-cvlab/gpu/1.0/ghostnet_v1.0_oxford_pets.md": 2,
    "noah-cvlab/gpu/1.0/ghostnet_v1.0_oxford_pets_cn.md": 0,  # the Chinese variant
}
# A real defect the hub let in: `accuracy: vit-base: 83.78 / swin-base: 84.03` is not YAML.
BROKEN_CARD = "noah-cvlab/gpu/1.8/fastmim_v1.0_imagenet2012.md"
# Files of the real hub that are not cards; none of them may reach the hook as a card.
NOT_CARDS = {
    "README.md": "# MindSpore Hub\n\nNo YAML header here.\n",
    "RELEASE.md": "# Release 1.9\n\n- more models\n",
    "CONTRIBUTING.md": "# Contributing\n\n---\n\nSee the template.\n",
    "mshub_res/README.md": "# Model cards\n\nOne card per model under assets/.\n",
    # The hub's template folder: a card with placeholders, which fails if checked as a card.
    "mshub_res/examples/commit_example.md": (
        "# {model name}\n\n---\n\nmodel-name: {model name}\n\nasset-sha256: {sha256}\n\n---\n"
    ),
}
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
    """A git repository laid out like the real hub, holding only cards that pass."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "hub"
    for card in GOOD_CARDS:
        _place(repo, card)
    for name, text in NOT_CARDS.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    _git("init", "-q", cwd=repo)
    return repo


def _place(repo: Path, card: str) -> Path:
    target = repo / ASSETS / card
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / card, target)
    return target


def try_repo(hub: Path, hook: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if not _has_precommit():
        pytest.skip("pre-commit is not installed (pip install -e .[test])")
    if not (ROOT / ".git").exists():
        pytest.skip("the hooks are installed from this git checkout, and there is none")
    _git("add", "-A", cwd=hub)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files", "-v"],
        cwd=hub,
        env=_clean_env(tmp_path / "pre-commit-home"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def problems_of(output: str, path: str) -> str:
    """The text reporter's block for one file: its path line, then one line per problem."""
    found = re.search(rf"(?m)^{re.escape(path)}\n((?:[ \t]+\S.*\n?)*)", output)
    assert found, (path, output)
    return found.group(1)


def assert_no_card_but_cards(output: str) -> None:
    for name in NOT_CARDS:
        assert name not in output, (name, output)


@pytest.mark.slow
def test_the_hook_checks_the_cards_of_the_real_layout(hub: Path, tmp_path: Path) -> None:
    result = try_repo(hub, "mdvalidator", tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"mdvalidator \(offline\)\.+Passed", output), output
    assert "no files to check" not in output, output
    # --verbose shows the hook's own output: every card was read (their assets, offline).
    assert f"assets: {sum(GOOD_CARDS.values())} skipped" in output, output
    assert_no_card_but_cards(output)


@pytest.mark.slow
def test_bad_cards_of_the_real_layout_and_a_bad_store_entry_fail(hub: Path, tmp_path: Path) -> None:
    card = hub / ASSETS / MINDSPORE_CARD
    card.write_text(re.sub(r"(?m)^license:.*\n", "", card.read_text(encoding="utf-8")))
    _place(hub, BROKEN_CARD)
    entry = hub / "store" / "lenet" / "info.json"
    entry.parent.mkdir(parents=True)
    entry.write_text('{"framework": "keras", "name": "LeNet"}\n')

    result = try_repo(hub, "mdvalidator", tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"mdvalidator \(offline\)\.+Failed", output), output
    assert f"{ASSETS}/{MINDSPORE_CARD}" in output, output
    assert "'license'" in output and "MDV101" in output, output
    assert re.search(r"(?m)^\s+19:\d+\s+error", problems_of(output, f"{ASSETS}/{BROKEN_CARD}")), (
        output
    )
    assert "store/lenet/info.json" in output and "'keras'" in output, output
    assert "Traceback" not in output, output
    assert_no_card_but_cards(output)


def test_the_manifest_is_valid_and_its_patterns_pick_descriptors() -> None:
    if not _has_precommit():
        pytest.skip("pre-commit is not installed (pip install -e .[test])")
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}
    assert set(hooks) == {"mdvalidator", "mdvalidator-verify"}
    assert hooks["mdvalidator"]["entry"] == "mdvalidator --offline"
    assert hooks["mdvalidator-verify"]["entry"] == "mdvalidator --check-conf"
    for hook in hooks.values():
        files = re.compile(hook["files"])
        selected = [
            "assets/mindspore/1.10/lenet_mnist.md",  # a hub whose root is the assets' parent
            *(f"{ASSETS}/{card}" for card in [*GOOD_CARDS, BROKEN_CARD]),
            "master.json",
            "store/lenet/info.json",
            "store/lenet/aux.json",
        ]
        for path in selected:
            assert files.search(path), (hook["id"], path)
        for path in [*NOT_CARDS, "docs/usage.md", "myassets/x.md", "assets.md",
                     f"{ASSETS}/noah-cvlab/static/images/ghostnet_static_img.png",
                     "store/lenet/labels.json", "xinfo.json"]:  # fmt: skip
            assert not files.search(path), (hook["id"], path)
