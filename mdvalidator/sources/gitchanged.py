"""The files git says a branch changed (``--changed-since REF``), inside the named paths.

Nothing is skipped: a pull request cannot hide a card in ``venv/`` or ``.hidden/``. A symbolic
link that changed is a target too (reported, not followed). A deleted file makes the files
that depended on it targets (a deleted card's translation, through its family's
``affected_by_deletion``). Each target's version at the merge base is what ``previous`` gives,
so that only assets the branch changed are downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mdvalidator import run_rules
from mdvalidator.family import Target
from mdvalidator.gitchanges import Changes
from mdvalidator.problem import Problem, Severity
from mdvalidator.ruleset import RuleSet
from mdvalidator.sources import Collector, Discovery, display, ruleset_for
from mdvalidator.sources.filesystem import LOCAL_FILES, LocalFiles, location


def _below(path: Path, base: Path, given: str) -> str | None:
    """How to display ``path`` when it is ``base`` (named as ``given``) or inside it."""
    if path == base:
        return display(given)
    try:
        relative = path.relative_to(base)
    except ValueError:
        return None
    return display(os.path.join(given, *relative.parts))


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()  # a submodule, or a folder git cannot list


@dataclass(frozen=True)
class GitChanges:
    """The changed files (git's) inside ``paths``."""

    paths: tuple[str, ...]
    changes: Changes

    @property
    def files(self) -> LocalFiles:
        return LOCAL_FILES

    def discover(self, rulesets: Sequence[RuleSet]) -> Discovery:
        found = Collector(rulesets)
        for given in self.paths:
            if not os.path.lexists(given):
                found.missing(display(given))
                continue
            base = Path(given).resolve()
            for path in self.changes.changed:
                shown = _below(path, base, given)
                if shown is None or _is_folder(path):
                    continue
                if path == base:
                    found.named_file(location(str(path)), shown)
                else:
                    found.found_file(location(str(path)), shown)
            for path in self.changes.deleted:
                shown = _below(path, base, given)
                ruleset = ruleset_for(shown, rulesets) if shown is not None else None
                if ruleset is None:
                    continue
                for companion in ruleset.checks.affected_by_deletion(location(str(path))):
                    companion_shown = _below(Path(companion), base, given)
                    if companion_shown is not None and os.path.isfile(companion):
                        found.found_file(companion, companion_shown)
        return found.result(self._nothing_note())

    def previous(self, target: Target) -> bytes | None:
        return self.changes.blob(self.changes.base, Path(target.location).absolute())

    def _nothing_note(self) -> Problem:
        changes = self.changes
        if changes.ref_contains_head:
            message = (
                f"no descriptor changed: {changes.ref} already holds the commit checked out, "
                "so only uncommitted changes were compared (in CI, give the target branch's "
                "commit)"
            )
            return run_rules.NOTHING_CHECKED.problem(".", 0, 0, message)
        message = (
            f"no descriptor changed since {changes.ref} "
            f"(merge base {changes.base[:12]}): nothing checked"
        )
        return run_rules.NOTHING_CHECKED.problem(".", 0, 0, message, Severity.INFO)


__all__ = ["GitChanges"]
