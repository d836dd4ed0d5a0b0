"""Settings and rule sets from the trusted side, and notices about what was not applied.

Who is trusted (``docs/security.md`` has the table):

- the command line and an explicit ``--config FILE``: everything;
- with ``--changed-since REF``, the settings file and rule sets in REF's tree: everything but
  the network-safety keys; a branch that changes them is told they take effect after merge;
- a settings file or rule set found in the working tree (no ``--changed-since``): the rest,
  but it cannot ignore or downgrade integrity rules, nor set a network-safety key.

Every setting refused is reported as an MDV019 problem, so it shows in every output format.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdvalidator.config import (
    AT_REF,
    EXPLICIT,
    WORKING_TREE,
    ConfigError,
    FileConfig,
    find_config,
    find_config_at,
    parse_per_file_ignores,
    read_config_file,
)
from mdvalidator.problem import Problem
from mdvalidator.registry import matching_codes
from mdvalidator.rule import is_integrity
from mdvalidator.ruleset import RuleSet, RuleSetError, load_ruleset_file, parse_ruleset
from mdvalidator.run_rules import UNTRUSTED_SETTING
from mdvalidator.settings import BY_KEY

if TYPE_CHECKING:
    from mdvalidator.gitchanges import Changes


@dataclass(frozen=True)
class Loaded:
    """The settings a run uses, the user's rule sets (before the built-in ones), notices."""

    config: FileConfig
    rulesets: tuple[RuleSet, ...]
    notices: tuple[Problem, ...]


def _shown(path: Path, cwd: Path) -> str:
    try:
        return Path(os.path.relpath(path, cwd)).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


class _Notices:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.items: list[Problem] = []

    def add(self, path: Path | str | None, message: str) -> None:
        shown = _shown(path, self.cwd) if isinstance(path, Path) else (path or ".")
        self.items.append(UNTRUSTED_SETTING.problem(shown, 0, 0, message))


def _changed_by_branch(changes: Changes, path: Path) -> bool:
    """Whether the working tree's ``path`` differs from the merge base's."""
    try:
        now: bytes | None = path.read_bytes()
    except OSError:
        now = None
    return now != changes.blob(changes.base, path.absolute())


def _inside(changes: Changes, path: Path) -> bool:
    absolute = path.resolve()
    return absolute == changes.root or changes.root in absolute.parents


def load(
    config_file: Path | None,
    rule_files: Sequence[Path] | None,
    changes: Changes | None,
    cwd: Path,
) -> Loaded:
    """The settings file and rule sets to use; ``ConfigError``/``RuleSetError`` when one that
    must be used cannot be."""
    notices = _Notices(cwd)
    if config_file is not None:
        config = read_config_file(config_file)
        if changes is not None:
            _explicit_changed(changes, config_file, "--config", notices)
    elif changes is not None:
        config = _config_at_ref(changes, cwd, notices)
    else:
        config = find_config(cwd)
    _refused_network_keys(config, notices)
    if rule_files:
        rulesets = tuple(load_ruleset_file(path) for path in rule_files)
        if changes is not None:
            for path in rule_files:
                _explicit_changed(changes, path, "--rules", notices)
    else:
        rulesets = _config_rulesets(config, changes, notices)
    return Loaded(config, rulesets, tuple(notices.items))


def _explicit_changed(changes: Changes, path: Path, flag: str, notices: _Notices) -> None:
    if _inside(changes, path) and _changed_by_branch(changes, path.resolve()):
        notices.add(
            path,
            f"this branch changes the file {flag} names, and it was used as changed: "
            f"in CI, give {flag} a file outside the checked-out pull request",
        )


def _config_at_ref(changes: Changes, cwd: Path, notices: _Notices) -> FileConfig:
    start = cwd.resolve()
    config = find_config_at(
        lambda path: changes.blob(changes.ref_commit, path), start, changes.root, changes.ref
    )
    at_base = find_config_at(
        lambda path: changes.blob(changes.base, path), start, changes.root, changes.ref
    )
    try:
        here = find_config(start)
        problem = ""
    except ConfigError as exc:
        here, problem = FileConfig(), str(exc)
    if problem or (here.source, here.values, here.refused) != (
        at_base.source,
        at_base.values,
        at_base.refused,
    ):
        where = here.source or at_base.source or config.source
        detail = f" ({problem})" if problem else ""
        notices.add(
            where,
            f"this branch changes mdvalidator's settings{detail}; they take effect after "
            f"merge (this run used those of {changes.ref})",
        )
    return config


def _refused_network_keys(config: FileConfig, notices: _Notices) -> None:
    for key in config.refused:
        flag = BY_KEY[key].flag or f"--{key}"
        notices.add(
            config.source,
            f"{key} is not applied: network-safety settings are honoured only on the command "
            f"line ({flag}) or from an explicit --config FILE, never from a settings file "
            "found in the checked tree",
        )


def _config_rulesets(
    config: FileConfig, changes: Changes | None, notices: _Notices
) -> tuple[RuleSet, ...]:
    names = config.get_list("rules")
    if not names:
        return ()
    base = config.source.parent if config.source else Path.cwd()
    rulesets: list[RuleSet] = []
    for name in names:
        path = base / name
        if config.origin == AT_REF and changes is not None:
            rulesets.append(_ruleset_at_ref(changes, path, notices))
        elif config.origin == EXPLICIT:
            rulesets.append(load_ruleset_file(path))
        else:
            rulesets.append(_untrusted(load_ruleset_file(path), path, notices))
    return tuple(rulesets)


def _ruleset_at_ref(changes: Changes, path: Path, notices: _Notices) -> RuleSet:
    absolute = Path(os.path.normpath(path.absolute()))  # git names no ".." segments
    data = changes.blob(changes.ref_commit, absolute)
    shown = f"{changes.ref}:{_relative(changes, absolute)}"
    if data is None:
        raise RuleSetError(f"{shown}: no such rule set in {changes.ref}'s tree")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleSetError(f"{shown}: cannot read rule set: {exc}") from None
    if _changed_by_branch(changes, absolute):
        notices.add(
            absolute,
            f"this branch changes a rule set; it takes effect after merge (this run used {shown})",
        )
    return parse_ruleset(shown, text)


def _relative(changes: Changes, path: Path) -> str:
    try:
        return path.relative_to(changes.root).as_posix()
    except ValueError:
        return path.as_posix()


def _untrusted(ruleset: RuleSet, path: Path, notices: _Notices) -> RuleSet:
    """A rule set found through a working-tree settings file: its severity table may not
    change integrity rules, and its ``[asset-moves]`` (where assets are fetched from and
    what ``--fix`` may write as a link) are not applied."""
    if ruleset.moves:
        notices.add(
            path,
            "asset-moves is not applied: moves are honoured only from a rule set on the "
            "command line (--rules), an explicit --config FILE, or the base branch "
            "(--changed-since), never from one found in the checked tree",
        )
        ruleset = dataclasses.replace(ruleset, moves=())
    refused = sorted(code for code in ruleset.severities if is_integrity(code))
    if not refused:
        return ruleset
    notices.add(
        path,
        f"severity of {', '.join(refused)} is not applied: a rule set named by a settings "
        "file found in the checked tree cannot change integrity rules",
    )
    kept = {code: level for code, level in ruleset.severities.items() if not is_integrity(code)}
    return dataclasses.replace(ruleset, severities=kept)


def integrity_notices(config: FileConfig, overridden: Callable[[str], bool]) -> list[Problem]:
    """MDV019 for codes an untrusted settings file's ignore / per-file-ignores aim at integrity
    rules with (they are not applied to them). ``overridden(key)``: the command line set it."""
    if config.trusted or config.origin != WORKING_TREE:
        return []
    notices = _Notices(Path.cwd())
    aimed: list[str] = []
    if not overridden("ignore"):
        aimed += [c for c in config.get_list("ignore") if _hits_integrity(c)]
    text = config.get("per-file-ignores", "") or ""
    for _, codes in parse_per_file_ignores(text, config.label):
        aimed += [c for c in codes if _hits_integrity(c)]
    if aimed:
        notices.add(
            config.source,
            f"{', '.join(sorted(set(aimed)))}: not applied to integrity rules: a settings file "
            "found in the checked tree cannot ignore them (use --ignore, or --config FILE)",
        )
    return notices.items


def _hits_integrity(code: str) -> bool:
    return any(is_integrity(found) for found in matching_codes(code))


__all__ = ["Loaded", "integrity_notices", "load"]
