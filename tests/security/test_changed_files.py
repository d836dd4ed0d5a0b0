"""Attack: a pull request hides a card from ``--changed-since`` (issue 9.5, issue 8.5).

Every row is a real git repository: ``main`` holds the hub, a branch ``pr`` adds or changes
cards, and ``main`` may have moved on meanwhile (the branch is behind its target). The real
CLI runs as CI does, ``mdvalidator --changed-since main``, and what the branch changed must be
checked: all of it, and only it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import git
from sec_support_settings import (
    CARD,
    PAYLOAD_SHA,
    WRONG_SHA,
    Loopback,
    card_text,
    check,
    commit,
    loopback,
    make_repo,
)

__all__ = ["loopback"]

CI = ("--allow-private-network", "--changed-since", "main")
HIDDEN = [
    "venv/assets/mindspore/1.10/lenet_mnist.md",
    "node_modules/assets/mindspore/1.10/lenet_mnist.md",
    "lib/python3.12/site-packages/assets/mindspore/1.10/lenet_mnist.md",
    ".hidden/assets/mindspore/1.10/lenet_mnist.md",
    "assets/.cache/mindspore/1.10/lenet_mnist.md",
    "__pycache__/assets/mindspore/1.10/lenet_mnist.md",
]


def _hub(tmp_path: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    hub = make_repo(tmp_path / "hub", files or {"README.md": "# hub\n"})
    git(hub, "checkout", "-q", "-b", "pr")
    return hub


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_card_in_a_skipped_folder_is_checked(
    tmp_path: Path, loopback: Loopback, hidden: str
) -> None:
    hub = _hub(tmp_path)
    commit(hub, {hidden: card_text(link=loopback.url("/lenet.ckpt"), sha=WRONG_SHA)})
    run = check(hub, *CI)
    assert run.code == 1, (run.stderr, run.report)
    assert run.report["status"] == "fail" and run.report["checked"] == 1
    assert run.asset_statuses == ["mismatch"] and "MDV201" in run.rules
    assert [p["path"] for p in run.report["problems"] if p["rule"] == "MDV201"] == [hidden]


def test_a_branch_behind_its_target_is_judged_on_its_own_changes(
    tmp_path: Path, loopback: Loopback
) -> None:
    """main moved on (a broken card, a changed card); the branch touched one good card."""
    good = card_text(link=loopback.url("/lenet.ckpt"), sha=PAYLOAD_SHA)
    hub = make_repo(tmp_path / "hub", {CARD: good})
    git(hub, "branch", "pr")
    others = {
        f"assets/mindspore/1.10/net{i}_mnist.md": good.replace("lenet_mnist", f"net{i}_mnist")
        for i in range(5)
    }
    commit(hub, {**others, "assets/mindspore/1.10/broken_mnist.md": "# broken\n"})
    git(hub, "checkout", "-q", "pr")
    edited = good.replace("A small convolutional network.", "A small network.")
    commit(hub, {CARD: edited})
    run = check(hub, *CI)
    assert run.code == 0, (run.stderr, run.report)
    assert run.report["status"] == "pass" and run.report["checked"] == 1
    assert run.asset_statuses == ["skipped"]  # the asset line is unchanged since the merge base
    assert loopback.seen == []
    same = check(hub, "--allow-private-network", "--changed-since", "main...HEAD")
    assert (same.code, same.report["checked"]) == (0, 1)


def test_deleting_an_english_card_reports_its_orphaned_translation(tmp_path: Path) -> None:
    translation = CARD.replace(".md", "_cn.md")
    hub = _hub(tmp_path, {CARD: card_text(), translation: card_text()})
    commit(hub, {CARD: None})
    run = check(hub, "--offline", "--changed-since", "main")
    assert run.code == 1, run.report
    orphans = [p for p in run.report["problems"] if p["rule"] == "MDV134"]
    assert [p["path"] for p in orphans] == [translation]


def test_a_symlinked_card_is_reported_not_followed(tmp_path: Path) -> None:
    hub = _hub(tmp_path)
    (tmp_path / "outside.md").write_text(card_text(), "utf-8")
    link = hub / "assets" / "mindspore" / "1.10" / "lenet_mnist.md"
    link.parent.mkdir(parents=True)
    os.symlink(tmp_path / "outside.md", link)
    git(hub, "add", "-A")
    git(hub, "commit", "-q", "-m", "a link")
    run = check(hub, "--offline", "--changed-since", "main")
    assert run.code == 1 and "MDV008" in run.rules, run.report
    assert any("symbolic link" in m for m in run.messages("MDV008"))


def test_a_force_added_ignored_card_is_checked(tmp_path: Path, loopback: Loopback) -> None:
    hub = _hub(tmp_path, {".gitignore": "/.xdg/\n/report/\nassets/private/\n"})
    name = "assets/private/mindspore/1.10/lenet_mnist.md"
    (hub / name).parent.mkdir(parents=True)
    (hub / name).write_text(card_text(link=loopback.url("/lenet.ckpt")), "utf-8")
    git(hub, "add", "-f", name)
    git(hub, "commit", "-q", "-m", "hidden by .gitignore")
    run = check(hub, *CI)
    assert run.code == 1 and run.asset_statuses == ["mismatch"], run.report


def test_nothing_changed_says_so(tmp_path: Path) -> None:
    hub = _hub(tmp_path, {CARD: card_text()})
    commit(hub, {"docs/notes.txt": "prose\n"})
    run = check(hub, "--offline", "--changed-since", "main")
    assert run.code == 0 and run.report["checked"] == 0
    [note] = [p for p in run.report["problems"] if p["rule"] == "MDV018"]
    assert note["severity"] == "info" and "no descriptor changed since main" in note["message"]


def test_a_ref_that_holds_the_checked_out_commit_is_a_warning(tmp_path: Path) -> None:
    """``--changed-since HEAD`` in CI (a REF that is the pull request's own head) would compare
    nothing and pass: it says so, and fails a strict run."""
    hub = _hub(tmp_path)
    commit(hub, {CARD: card_text(sha=WRONG_SHA)})
    for ref in ("HEAD", "pr"):
        run = check(hub, "--offline", "--changed-since", ref)
        [note] = [p for p in run.report["problems"] if p["rule"] == "MDV018"]
        assert note["severity"] == "warning" and "already holds the commit" in note["message"]
        assert run.report["checked"] == 0
    assert check(hub, "--offline", "--strict", "--changed-since", "HEAD").code == 1
