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


@pytest.fixture
def behind(tmp_path: Path) -> Path:
    """A branch ``pr`` that touched one file, while ``main`` moved on with three others."""
    root = tmp_path / "behind"
    (root / "assets").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for name in ("a", "b", "c", "d"):
        (root / "assets" / f"{name}.md").write_text(f"{name} v1\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "branch", "pr")
    for name in ("b", "c"):
        (root / "assets" / f"{name}.md").write_text(f"{name} v2 on main\n")
        git(root, "commit", "-qam", f"main changes {name}")
    (root / "assets" / "new-on-main.md").write_text("main only\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "main adds a card")
    git(root, "checkout", "-q", "pr")
    (root / "assets" / "a.md").write_text("a v2 on pr\n")
    (root / "assets" / "d.md").unlink()
    git(root, "commit", "-qam", "pr changes a, deletes d")
    return root


def _relative(paths: tuple[Path, ...] | list[Path], root: Path) -> list[str]:
    return [p.relative_to(root.resolve()).as_posix() for p in paths]


def test_a_branch_behind_its_target_is_compared_with_the_merge_base(behind: Path) -> None:
    from mdvalidator.gitchanges import changes_since

    changes = changes_since("main", behind)
    assert _relative(changes.changed, behind) == ["assets/a.md"]  # not b, c, new-on-main
    assert _relative(changes.deleted, behind) == ["assets/d.md"]
    assert changes.base == git(behind, "merge-base", "main", "pr")
    assert changes.ref_commit == git(behind, "rev-parse", "main") != changes.base
    # what a two-dot diff against main's tip would have blamed on the branch
    two_dot = git(behind, "diff", "--name-only", "main").split()
    assert sorted(two_dot) == ["assets/a.md", "assets/b.md", "assets/c.md", "assets/d.md",
                               "assets/new-on-main.md"]  # fmt: skip
    assert _relative(changed_files("main", behind), behind) == ["assets/a.md"]


def test_three_dot_range(behind: Path) -> None:
    from mdvalidator.gitchanges import changes_since

    same = changes_since("main...HEAD", behind)
    assert _relative(same.changed, behind) == ["assets/a.md"] and same.ref == "main"
    assert same == changes_since("main...pr", behind)
    with pytest.raises(ValueError, match="is not the commit checked out"):
        changes_since("pr...main", behind)
    for bad in ("main...", "...HEAD"):
        with pytest.raises(ValueError, match="not a git range"):
            changes_since(bad, behind)


def test_no_common_history_is_a_clear_error(behind: Path) -> None:
    from mdvalidator.gitchanges import changes_since

    git(behind, "checkout", "-q", "--orphan", "alone")
    git(behind, "commit", "-qm", "unrelated")
    with pytest.raises(ValueError, match=r"no common history.*fetch-depth: 0"):
        changes_since("main", behind)


def test_git_lists_what_the_folder_walk_skips(tmp_path: Path) -> None:
    """New files under venv/, node_modules/, site-packages/ and dot-folders are changes too."""
    root = tmp_path / "hidden"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "base")
    names = [
        "venv/assets/a/x.md",
        "node_modules/assets/y.md",
        "lib/site-packages/assets/z.md",
        ".hidden/assets/w.md",
        "assets/.dot/v.md",
    ]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("card\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "hide cards")
    assert _relative(changed_files("main~1", root), root) == sorted(names)
