"""Survey: the loadability checks over every card of a hub folder (counts, not timings).

    python bench/loadability_survey.py /work/shared/corpus/mindspore-hub
    python bench/loadability_survey.py /work/hub/mshub_res/assets --show 5
    python bench/loadability_survey.py ASSETS --git mindspore/models=/path/to/models.git

Every ``*.md`` under the folder is parsed with the project's card parser; cards the loader never
reads itself (``*cn.md``) are counted apart. For each card: how the loader reads its repo-link
(2, 4 or 5 parts, refused, absent) and the findings of the offline checks (link shape, weights).

``--git OWNER/REPO=GITDIR`` also runs the conf check for links into that repository, reading
``<branch>:<folder>/mindspore_hub_conf.py`` from a local git clone (``git show``) instead of the
network; a branch the clone lacks is counted as "no branch", not as a missing file.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

from mdvalidator.families.mindspore.card import parse_card
from mdvalidator.loadability.card_values import from_card
from mdvalidator.loadability.conf_ast import ConfReading, ConfSyntaxError
from mdvalidator.loadability.conf_check import parsed_conf
from mdvalidator.loadability.conf_fetch import ConfUnavailable
from mdvalidator.loadability.conf_findings import conf_findings, conf_target
from mdvalidator.loadability.findings import Finding, card_findings
from mdvalidator.loadability.loader_facts import read_by_loader
from mdvalidator.loadability.repo_link import LinkRefusal, read_repo_link


class GitConf:
    """Conf files read from a local clone with ``git show``, once per (branch, path)."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self.cache: dict[tuple[str, str], bytes | str] = {}
        self.refs: dict[str, bool] = {}

    def _git(self, *args: str) -> bytes | str:
        done = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), *args], capture_output=True, check=False
        )
        return done.stdout if done.returncode == 0 else done.stderr.decode(errors="replace")

    def read(self, branch: str, path: str) -> bytes | str:
        """The file's bytes, or "no branch" / "missing"."""
        key = (branch, path)
        if key not in self.cache:
            if branch not in self.refs:
                known = self._git("rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}")
                self.refs[branch] = isinstance(known, bytes)
            if not self.refs[branch]:
                self.cache[key] = "no branch"
            else:
                shown = self._git("show", f"{branch}:{path}")
                self.cache[key] = shown if isinstance(shown, bytes) else "missing"
        return self.cache[key]


def survey(root: Path, gits: dict[str, GitConf], show: int, every: bool) -> int:
    cards = skipped = unreadable = 0
    shapes: Counter[str] = Counter()
    found: Counter[tuple[str, str, str]] = Counter()
    conf: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.md")):
        relative = path.relative_to(root).as_posix()
        if path.name.lower().startswith(("readme", "release")):
            continue
        if not read_by_loader(path.name):
            skipped += 1
            continue
        card = parse_card(relative, path.read_bytes())
        cards += 1
        if card.header is None:
            unreadable += 1
            continue
        values = from_card(card)
        if values.load_call:
            shapes["(cards whose Usage calls mindspore_hub.load)"] += 1
        if values.repo_link is None:
            shapes["absent"] += 1
        else:
            read = read_repo_link(values.repo_link.text)
            shapes[
                f"refused ({read.kind})" if isinstance(read, LinkRefusal) else f"{read.shape} parts"
            ] += 1
        results: list[Finding] = card_findings(values)
        target = conf_target(values, require_load_call=not every)
        if target is not None and gits:
            link, url = target
            git = gits.get(f"{link.owner}/{link.repo}")
            if git is not None:
                data = git.read(link.branch, link.conf_path)
                if data == "no branch":
                    conf["no branch in the clone"] += 1
                else:
                    reading: ConfReading | ConfSyntaxError | ConfUnavailable
                    if isinstance(data, bytes):
                        reading = parsed_conf(data)
                        conf["read"] += 1
                    else:
                        reading = ConfUnavailable(url, "missing", f"{url}: not in the clone", 404)
                        conf["missing"] += 1
                    results += conf_findings(values, link, url, reading)
            else:
                conf["repository not given"] += 1
        for finding in results:
            key = (finding.code, finding.name, finding.severity.label)
            found[key] += 1
            shown = examples.setdefault(finding.code, [])
            if len(shown) < show:
                shown.append(f"    {relative}:{finding.line}: {finding.message}")
    print(f"folder: {root}")
    print(f"cards: {cards} (+{skipped} *cn.md the loader swaps for another file)")
    print(f"headers not readable: {unreadable}")
    print("repo-link as the loader reads it:")
    for shape, count in sorted(shapes.items()):
        print(f"  {shape}: {count}")
    if gits:
        print("conf files:", ", ".join(f"{k}: {v}" for k, v in sorted(conf.items())))
    errors = sum(n for (_, _, sev), n in found.items() if sev == "error")
    warnings = sum(n for (_, _, sev), n in found.items() if sev == "warning")
    if gits:
        looked = [v for g in gits.values() for v in g.cache.values()]
        files = [v for v in looked if isinstance(v, bytes)]
        print(
            f"distinct (branch, conf path) pairs looked up: {len(looked)}, "
            f"found: {len(files)} ({len(set(files))} distinct contents)"
        )
    print(f"findings: {errors} errors, {warnings} warnings")
    for (code, name, severity), count in sorted(found.items()):
        print(f"  {code} {name} ({severity}): {count}")
        for line in examples.get(code, []):
            print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--show", type=int, default=3, help="examples per check (default 3)")
    parser.add_argument(
        "--git", action="append", default=[], metavar="OWNER/REPO=GITDIR", help="a local clone"
    )
    parser.add_argument(
        "--every-card",
        action="store_true",
        help="check the conf file of cards whose Usage does not call mindspore_hub.load too",
    )
    args = parser.parse_args(argv)
    gits: dict[str, GitConf] = {}
    for item in args.git:
        name, sep, where = item.partition("=")
        if not sep:
            parser.error(f"--git wants OWNER/REPO=GITDIR, not {item!r}")
        gits[name] = GitConf(Path(where))
    return survey(args.folder, gits, args.show, args.every_card)


if __name__ == "__main__":
    sys.exit(main())
