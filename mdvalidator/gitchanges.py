"""What a branch changed, for ``--changed-since REF``: git itself says, not a folder walk.

``REF`` is what the branch is compared with, usually its target (``origin/main``, the base
commit of a pull request). The comparison starts at the merge base of REF and HEAD, the way
``git diff REF...HEAD`` does, so a branch that is behind its target is not blamed for what
the target changed since. ``A...B`` is accepted too (B must be the commit checked out, whose
files are read). Changes not yet committed and new untracked files count as changed.

Runs the ``git`` command line (no library needed); every failure becomes a ``ValueError`` whose
message says what went wrong, for the CLI to print.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, env=env, timeout=120
        )
    except FileNotFoundError:
        raise ValueError("--changed-since needs git, which is not installed") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ValueError(f"git failed: {exc}") from None


def _error(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return text[-1] if text else f"exit status {result.returncode}"


@cache
def repo_root(cwd: Path) -> Path:
    """The top folder of the git work tree holding ``cwd``."""
    folder = cwd if cwd.is_dir() else cwd.parent
    result = _git(["rev-parse", "--show-toplevel"], folder)
    if result.returncode != 0:
        raise ValueError(f"{folder} is not inside a git repository")
    return Path(os.fsdecode(result.stdout.rstrip(b"\n")))


@cache
def _commit(ref: str, root: Path) -> str:
    """The commit ``ref`` names (refusing anything that looks like an option)."""
    if not ref or ref.startswith("-"):
        raise ValueError(f"not a git reference: {ref!r}")
    result = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if result.returncode != 0:
        raise ValueError(f"unknown git reference {ref!r} in {root} (fetch it first?)")
    return result.stdout.decode("ascii").strip()


@dataclass(frozen=True)
class Changes:
    """What the checked-out branch changed since it left ``ref``."""

    ref: str  # as given (the part before ``...`` for ``A...B``)
    ref_commit: str  # the commit ref names: its tree holds the trusted settings
    base: str  # the merge base of ref and HEAD: what the branch is compared with
    root: Path  # top of the work tree
    changed: tuple[Path, ...]  # absolute, sorted: added, copied, modified, renamed, untracked
    deleted: tuple[Path, ...]  # absolute, sorted: deleted (a renamed file's old name too)
    head: str = ""  # the commit checked out

    @property
    def ref_contains_head(self) -> bool:
        """The branch has no commit of its own since REF (REF is HEAD or ahead of it): only
        uncommitted changes count, which in CI means a misconfigured REF."""
        return self.base == self.head

    def blob(self, commit: str, path: Path) -> bytes | None:
        """The content of ``path`` (absolute, inside the work tree) at ``commit``, or None."""
        return blob_at(commit, self.root, path)


def _names(output: bytes, root: Path) -> list[Path]:
    return [root / os.fsdecode(name) for name in output.split(b"\0") if name]


def _merge_base(commit: str, head: str, ref: str, root: Path) -> str:
    result = _git(["merge-base", commit, head], root)
    if result.returncode != 0:
        raise ValueError(
            f"{ref!r} and HEAD have no common history in {root} (a shallow clone? "
            "fetch the whole history, e.g. actions/checkout with fetch-depth: 0)"
        )
    return result.stdout.decode("ascii").strip().splitlines()[0]


def _split(spec: str, root: Path) -> tuple[str, str]:
    """``A...B`` -> (A, commit of B), checking that B is checked out; ``A`` -> (A, HEAD)."""
    head = _commit("HEAD", root)
    if "..." not in spec:
        return spec, head
    ref, _, tip = spec.partition("...")
    if not ref or not tip:
        raise ValueError(f"not a git range: {spec!r} (say BASE...HEAD, e.g. origin/main...HEAD)")
    if _commit(tip, root) != head:
        raise ValueError(
            f"{spec!r}: {tip!r} is not the commit checked out, whose files would be read "
            f"(check out {tip!r} first)"
        )
    return ref, head


def changes_since(spec: str, cwd: Path) -> Changes:
    """The branch's changes since it left ``spec`` (a ref or ``A...B``); ``ValueError`` outside
    a repository, for an unknown ref, or when the two have no common history."""
    root = repo_root(cwd.resolve())
    ref, head = _split(spec, root)
    commit = _commit(ref, root)
    base = _merge_base(commit, head, ref, root)
    diff = _git(["diff", "--name-status", "-z", "--no-renames", base, "--"], root)
    if diff.returncode != 0:
        raise ValueError(f"git diff against {ref!r} failed: {_error(diff)}")
    changed: set[Path] = set()
    deleted: set[Path] = set()
    fields = diff.stdout.split(b"\0")
    for status, name in zip(fields[::2], fields[1::2], strict=False):
        if not name:
            continue
        target = deleted if status.startswith(b"D") else changed
        target.add(root / os.fsdecode(name))
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], root)
    if untracked.returncode == 0:
        changed.update(_names(untracked.stdout, root))
    return Changes(ref, commit, base, root, tuple(sorted(changed)), tuple(sorted(deleted)), head)


def changed_files(ref: str, cwd: Path) -> list[Path]:
    """Files the branch added, copied, modified or renamed since it left ``ref`` (committed
    or not), plus new untracked files; absolute paths, sorted."""
    return list(changes_since(ref, cwd).changed)


def blob_at(commit: str, root: Path, path: Path) -> bytes | None:
    """The content of ``path`` at ``commit`` (None when it is not a file there)."""
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        return None
    result = _git(["cat-file", "blob", f"{commit}:{relative}"], root)
    return result.stdout if result.returncode == 0 else None


def file_at(ref: str, path: Path) -> bytes | None:
    """The content of ``path`` at ``ref``, or None when it did not exist there."""
    absolute = path.resolve()
    root = repo_root(absolute.parent)
    return blob_at(_commit(ref, root), root, absolute)
