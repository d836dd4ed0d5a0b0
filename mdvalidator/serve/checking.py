"""The one place that knows how the service invokes the checker (an adapter over the engine).

The worker hands over what it read from the forge API: the changed descriptors' bytes at the
head commit and at the base commit, the repository's file names at the head commit (folder-level
checks need the siblings), and the settings files and rule sets at the BASE commit (trusted: a
pull request cannot change the rules it is judged by; the command line and an explicit
``--config`` win, as in the CLI).

The engine runs over a :class:`~mdvalidator.sources.memory.MemorySource`: nothing touches the
disk. The descriptors' base bytes let the engine pass over assets the pull request did not
change, as ``--changed-since`` does. A name that is not a plain relative path (absolute,
``..``, an empty or ``.`` segment, a backslash, a drive, a control or bidi character) is
reported (MDV008), never checked under another name nor silently skipped.
"""

from __future__ import annotations

import argparse
import dataclasses
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdvalidator.problem import Problem, Report, Severity

if TYPE_CHECKING:
    from mdvalidator.config import FileConfig
    from mdvalidator.ruleset import RuleSet

SETTINGS_FILES = ("setup.cfg", "pyproject.toml")  # read at the repository root, as the CLI does
_ROOT = Path("/repository")  # where settings read from memory claim to live (never touched)
MAX_PATH = 1000


@dataclass(frozen=True)
class CheckOptions:
    """How to check: the check flags (trusted) and how notices name the base commit."""

    args: argparse.Namespace
    ref: str = "base"  # e.g. "base 1a2b3c4d5e6f"


@dataclass(frozen=True)
class _Loaded:
    config: FileConfig
    rulesets: tuple[RuleSet, ...]
    notices: tuple[Problem, ...]


def safe_path(path: str) -> str | None:
    """``path`` when it is a plain relative POSIX path, shown as it is, else None."""
    from mdvalidator.sanitize import clean

    if not path or len(path) > MAX_PATH or path.startswith("/") or "\\" in path:
        return None
    if len(path) > 1 and path[1] == ":":
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") or len(part.encode("utf-8")) > 255 for part in parts):
        return None
    return path if clean(path, MAX_PATH) == path else None


def _rule_set_path(name: str) -> str | None:
    """A rule-set name from the base settings, as a path from the repository root."""
    if name.startswith("/") or "\\" in name:
        return None
    normal = posixpath.normpath(name)
    return None if normal.startswith("..") or normal == "." else normal


def _config(settings_files: Mapping[str, bytes], options: CheckOptions) -> FileConfig:
    from mdvalidator.config import find_config_at, read_config_file

    if options.args.config is not None:
        return read_config_file(options.args.config)

    def read(path: Path) -> bytes | None:
        return settings_files.get(path.relative_to(_ROOT).as_posix())

    return find_config_at(read, _ROOT, _ROOT, options.ref)


def _load(settings_files: Mapping[str, bytes], options: CheckOptions) -> _Loaded:
    from mdvalidator import invocation
    from mdvalidator.config import EXPLICIT
    from mdvalidator.ruleset import RuleSetError, load_ruleset_file, parse_ruleset
    from mdvalidator.run_rules import UNTRUSTED_SETTING
    from mdvalidator.settings import BY_KEY

    args = options.args
    config = _config(settings_files, options)
    notices: list[Problem] = []
    if args.config is None:
        for key in config.refused:
            flag = BY_KEY[key].flag or f"--{key}"
            notices.append(
                UNTRUSTED_SETTING.problem(
                    config.label, 0, 0,
                    f"{key} is not applied: network-safety settings are honoured only on the "
                    f"service's command line ({flag}) or from its --config FILE",
                )
            )  # fmt: skip
    user: tuple[RuleSet, ...]
    if args.rules:
        user = tuple(load_ruleset_file(Path(p)) for p in args.rules)
    elif config.origin == EXPLICIT:
        base = config.source.parent if config.source else Path.cwd()
        user = tuple(load_ruleset_file(base / name) for name in config.get_list("rules"))
    else:
        loaded = []
        for name in config.get_list("rules"):
            path = _rule_set_path(name)
            shown = f"{options.ref}:{path or name}"
            data = settings_files.get(path) if path else None
            if data is None:
                raise RuleSetError(f"{shown}: no such rule set in the base commit's tree")
            try:
                loaded.append(parse_ruleset(shown, data.decode("utf-8")))
            except UnicodeDecodeError as exc:
                raise RuleSetError(f"{shown}: cannot read rule set: {exc}") from None
        user = tuple(loaded)
    return _Loaded(config, invocation.rulesets(user, args, config), tuple(notices))


def ruleset_paths(settings_files: Mapping[str, bytes], options: CheckOptions) -> list[str]:
    """The rule-set files the base commit's settings name (to be read at the base commit)."""
    if options.args.config is not None or options.args.rules:
        return []
    config = _config(settings_files, options)
    return [p for p in (_rule_set_path(n) for n in config.get_list("rules")) if p]


def descriptor_paths(
    paths: Sequence[str], settings_files: Mapping[str, bytes], options: CheckOptions
) -> list[str]:
    """Which of ``paths`` (the files a pull request changes) a rule set applies to."""
    loaded = _load(settings_files, options)
    return [p for p in paths if any(r.applies_to(p) for r in loaded.rulesets)]


def _siblings(held: Sequence[str], tree_paths: Sequence[str]) -> dict[str, list[str]]:
    """folder -> the names of the other files in it, for the folders of the held files."""
    folders: dict[str, list[str]] = {posixpath.dirname(p): [] for p in held}
    for path in tree_paths:
        folder = posixpath.dirname(path)
        if folder in folders and safe_path(path) is not None:
            folders[folder].append(posixpath.basename(path))
    return folders


def check_pull_request(
    files: Mapping[str, bytes],
    tree_paths: Sequence[str],
    settings_files: Mapping[str, bytes],
    options: CheckOptions,
    changed_settings: Sequence[str] = (),
    unreadable: Mapping[str, str] | None = None,
    previous: Mapping[str, bytes] | None = None,
) -> Report:
    """Check the changed descriptors ``files`` (path -> bytes at the head commit).

    ``tree_paths``: every file name at the head commit; ``settings_files``: the base commit's
    settings files and the rule sets they name (path -> bytes, absent ones left out);
    ``changed_settings``: which of those the pull request changes (reported: they take effect
    after merge); ``unreadable``: descriptors the forge would not serve, with the reason
    (MDV008: a descriptor that was not checked never passes); ``previous``: the descriptors'
    bytes at the base commit (absent: added). Raises ``ConfigError`` or ``RuleSetError`` when
    the trusted settings cannot be used.
    """
    from mdvalidator import engine, invocation
    from mdvalidator.run_rules import NOTHING_CHECKED, UNREADABLE_FILE, UNTRUSTED_SETTING
    from mdvalidator.settings import flag_value
    from mdvalidator.sources.memory import MemorySource

    loaded = _load(settings_files, options)
    args, config = options.args, loaded.config
    offline = bool(invocation.setting(args, config, "offline"))
    run_options = invocation.run_options(args, config, [], offline)
    if flag_value(args, "check-conf") is None and "check-conf" not in config.values:
        # The bot reads each card's mindspore_hub_conf.py unless told not to (issue 13).
        run_options = dataclasses.replace(run_options, check_conf=not offline)
    notices = [
        UNREADABLE_FILE.problem(path, 0, 0, reason) for path, reason in (unreadable or {}).items()
    ]
    for path in changed_settings:
        notices.append(
            UNTRUSTED_SETTING.problem(
                path, 0, 0,
                "this pull request changes mdvalidator's settings or a rule set; the change "
                f"takes effect after merge (this run used those of the {options.ref} commit)",
            )
        )  # fmt: skip
    held = {path: data for path, data in files.items() if safe_path(path) is not None}
    for path in sorted(set(files) - set(held)):
        message = "a file name that is not a plain relative path: not checked"
        notices.append(UNREADABLE_FILE.problem(path, 0, 0, message))
    if held:
        base = {p: data for p, data in (previous or {}).items() if p in held}
        source = MemorySource(held, _siblings(sorted(held), tree_paths), base)
        report = engine.execute([source], loaded.rulesets, run_options).report
    elif unreadable or len(held) < len(files):
        report = Report(checked=0, problems=())
    else:
        nothing = NOTHING_CHECKED.problem(
            ".", 0, 0, "no descriptor changed in this pull request: nothing checked",
            Severity.INFO,
        )  # fmt: skip
        report = Report(checked=0, problems=(nothing,))
    not_checked = len(files) - len(held) + len(unreadable or {})
    report = dataclasses.replace(report, checked=report.checked + not_checked)
    return invocation.with_notices(report, [*notices, *loaded.notices], run_options.decider)


def strict_verdict(settings_files: Mapping[str, bytes], options: CheckOptions) -> bool:
    """Whether warnings fail the run (``--strict``, or ``strict`` in the base settings)."""
    from mdvalidator import invocation

    config = _config(settings_files, options)
    return bool(invocation.setting(options.args, config, "strict"))


class EngineChecker:
    """The adapter bound to the service's check options (what a job calls)."""

    settings_files: tuple[str, ...] = SETTINGS_FILES

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    def _options(self, ref: str) -> CheckOptions:
        return CheckOptions(self.args, ref)

    def ruleset_paths(self, settings_files: Mapping[str, bytes], ref: str) -> list[str]:
        return ruleset_paths(settings_files, self._options(ref))

    def descriptor_paths(
        self, paths: Sequence[str], settings_files: Mapping[str, bytes], ref: str
    ) -> list[str]:
        return descriptor_paths(paths, settings_files, self._options(ref))

    def strict(self, settings_files: Mapping[str, bytes], ref: str) -> bool:
        return strict_verdict(settings_files, self._options(ref))

    def check(
        self,
        files: Mapping[str, bytes],
        tree_paths: Sequence[str],
        settings_files: Mapping[str, bytes],
        ref: str,
        *,
        changed_settings: Sequence[str] = (),
        unreadable: Mapping[str, str] | None = None,
        previous: Mapping[str, bytes] | None = None,
    ) -> Report:
        return check_pull_request(
            files, tree_paths, settings_files, self._options(ref), changed_settings,
            unreadable, previous,
        )  # fmt: skip


def warm_up(args: argparse.Namespace) -> None:
    """Import the engine, the families, the memory source and asset verification and load the
    built-in rule sets once, before worker processes fork (each job then starts at once)."""
    import mdvalidator.engine
    import mdvalidator.sources.memory
    from mdvalidator.assets import verify  # noqa: F401

    _load({}, CheckOptions(args))
    del mdvalidator.engine, mdvalidator.sources.memory
