"""Helpers for tests of every area (on sys.path through pytest's ``pythonpath = tests``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOOD_CARD = FIXTURES / "cards" / "good" / "assets" / "mindspore" / "1.10" / "lenet_mnist.md"
CORPUS = FIXTURES / "mindspore-hub"


def run_cli(
    args: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m mdvalidator ARGS`` as a user runs it; output captured as text."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_STEP_SUMMARY", "NO_COLOR")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mdvalidator", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def lint(*paths: Path | str, offline: bool = True) -> list[tuple[str, int, str]]:
    """(code, line, message) of every problem the engine reports for ``paths``."""
    from mdvalidator.engine import RunOptions, run
    from mdvalidator.ruleset import load_rulesets
    from mdvalidator.sources.filesystem import FolderWalk

    source = FolderWalk(tuple(str(p) for p in paths))
    report = run([source], load_rulesets(), RunOptions(offline=offline))
    return [(p.rule, p.line, p.message) for p in report.problems]


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity and no user or system config; its stdout."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()
