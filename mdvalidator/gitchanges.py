"""What changed in git since a reference: for ``--changed-since REF``.

Runs the ``git`` command line (no library needed); every failure becomes a ``ValueError`` whose
message says what went wrong, for the CLI to print.
"""

from __future__ import annotations

import os
import subprocess
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


def _names(output: bytes, root: Path) -> list[Path]:
    return [root / os.fsdecode(name) for name in output.split(b"\0") if name]


def changed_files(ref: str, cwd: Path) -> list[Path]:
    """Files added, copied, modified or renamed since ``ref`` (committed or not), plus new
    untracked files; absolute paths, sorted. ``ValueError`` outside a repo or for a bad ref."""
    root = repo_root(cwd.resolve())
    commit = _commit(ref, root)
    diff = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMR", commit], root)
    if diff.returncode != 0:
        raise ValueError(f"git diff against {ref!r} failed: {_error(diff)}")
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], root)
    names = _names(diff.stdout, root)
    if untracked.returncode == 0:
        names += _names(untracked.stdout, root)
    return sorted(set(names))


def file_at(ref: str, path: Path) -> bytes | None:
    """The content of ``path`` at ``ref``, or None when it did not exist there."""
    absolute = path.resolve()
    root = repo_root(absolute.parent)
    commit = _commit(ref, root)
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        return None
    result = _git(["cat-file", "blob", f"{commit}:{relative}"], root)
    return result.stdout if result.returncode == 0 else None
