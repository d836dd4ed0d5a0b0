"""Replay a hub's merged pull requests through mdvalidator, as the hub's CI would have run it.

    python bench/replay_prs.py /path/to/hub-clone [--limit N] [--json out.json] [-- CHECK-ARGS...]

For every merge commit on the first-parent history of HEAD, the PR's head (the merge's second
parent) is checked out in a temporary worktree and ``mdvalidator --offline --format json
--changed-since <target> .`` runs there, ``<target>`` being the merge's first parent (the
branch the PR was merged into). The PRs the run fails are counted, and their error findings
grouped by rule code: the false-error rate of a rule set on a hub's real history, which is
what a maintainer adopting mdvalidator would look at first.

Nothing in the clone is modified (a detached worktree under the temporary folder is used and
removed); no network is used (``--offline``).
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def merges(repo: Path, limit: int | None) -> list[tuple[str, str, str, str]]:
    """(merge, target, head, subject) of each merge on HEAD's first-parent history."""
    out = _git(repo, "log", "--first-parent", "--merges", "--format=%H %P%x09%s", "HEAD")
    rows: list[tuple[str, str, str, str]] = []
    for line in out.splitlines():
        shas, _, subject = line.partition("\t")
        parts = shas.split()
        if len(parts) >= 3:
            rows.append((parts[0], parts[1], parts[2], subject))
    return rows[:limit] if limit else rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="a git clone of the hub")
    parser.add_argument("--limit", type=int, help="only the newest N merges")
    parser.add_argument("--json", type=Path, help="write every PR's result here")
    parser.add_argument("check_args", nargs="*", help="extra arguments for mdvalidator check")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    rows = merges(repo, args.limit)
    failed: list[dict[str, object]] = []
    by_code: collections.Counter[str] = collections.Counter()
    prs_by_code: collections.Counter[str] = collections.Counter()
    usage_errors = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="replay-") as tmp:
        tree = Path(tmp) / "tree"
        _git(repo, "worktree", "add", "--detach", "-q", str(tree), rows[0][2] if rows else "HEAD")
        try:
            for index, (merge, target, head, subject) in enumerate(rows, start=1):
                subprocess.run(
                    ["git", "-C", str(tree), "checkout", "-q", "--detach", "-f", head], check=True
                )
                result = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "mdvalidator",
                        "--offline",
                        "--format",
                        "json",
                        "--changed-since",
                        target,
                        *args.check_args,
                        ".",
                    ],
                    cwd=tree,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode == 2:
                    usage_errors += 1
                if result.returncode != 1:
                    continue
                report = json.loads(result.stdout)
                errors = [p for p in report["problems"] if p["severity"] == "error"]
                codes = collections.Counter(p["rule"] for p in errors)
                by_code.update(codes)
                prs_by_code.update(codes.keys())
                failed.append(
                    {
                        "merge": merge,
                        "subject": subject,
                        "checked": report["checked"],
                        "errors": dict(codes),
                    }
                )
                print(f"[{index}/{len(rows)}] {subject[:60]}: {dict(codes)}", file=sys.stderr)
        finally:
            _git(repo, "worktree", "remove", "--force", str(tree))
    elapsed = time.perf_counter() - started
    print(f"merged PRs replayed: {len(rows)} in {elapsed:.1f} s")
    print(f"PRs failed: {len(failed)}; runs exiting 2 (usage/internal): {usage_errors}")
    print(f"error findings: {sum(by_code.values())}")
    print("code     findings  PRs")
    for code, count in sorted(by_code.items()):
        print(f"{code}  {count:8d}  {prs_by_code[code]:3d}")
    if args.json:
        args.json.write_text(json.dumps({"failed": failed}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
