"""changed_files / file_at on real temporary git repositories."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import git

from mdvalidator.gitchanges import changed_files, file_at


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "hub"
    (root / "assets" / "a").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "assets" / "a" / "kept.md").write_text("kept\n")
    (root / "assets" / "a" / "edited.md").write_text("before\n")
    (root / "assets" / "a" / "deleted.md").write_text("gone soon\n")
    (root / "assets" / "a" / "moved.md").write_text("moving\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    (root / "assets" / "a" / "edited.md").write_text("after\n")
    (root / "assets" / "a" / "new.md").write_text("new\n")
    (root / "assets" / "a" / "deleted.md").unlink()
    git(root, "mv", "assets/a/moved.md", "assets/a/renamed.md")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    (root / "assets" / "a" / "untracked.md").write_text("local\n")
    return root


def test_changed_since_a_ref(repo: Path) -> None:
    names = [p.relative_to(repo.resolve()).as_posix() for p in changed_files("base", repo)]
    assert names == [
        "assets/a/edited.md",
        "assets/a/new.md",
        "assets/a/renamed.md",
        "assets/a/untracked.md",
    ]
    assert all(p.is_absolute() for p in changed_files("base", repo))


def test_from_a_subfolder_and_nothing_changed(repo: Path) -> None:
    sub = repo / "assets" / "a"
    assert changed_files("HEAD", sub) == [(repo / "assets/a/untracked.md").resolve()]
    assert len(changed_files("base", sub)) == 4


def test_file_at(repo: Path) -> None:
    assert file_at("base", repo / "assets" / "a" / "edited.md") == b"before\n"
    assert file_at("HEAD", repo / "assets" / "a" / "edited.md") == b"after\n"
    assert file_at("base", repo / "assets" / "a" / "new.md") is None
    assert file_at("HEAD", repo / "assets" / "a" / "deleted.md") is None


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=/tmp/x", "", "HEAD~99"])
def test_bad_reference_is_a_clear_error(repo: Path, ref: str) -> None:
    with pytest.raises(ValueError, match="git reference"):
        changed_files(ref, repo)


def test_not_a_repository(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    with pytest.raises(ValueError, match="not inside a git repository"):
        changed_files("HEAD", folder)
