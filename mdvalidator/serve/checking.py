"""The one place that knows how the service invokes the checker (an adapter over the engine).

The worker hands over what it read from the forge API: the changed descriptors' bytes at the
head commit, the repository's file names at that commit (folder-level checks need the siblings),
and the settings files and rule sets at the BASE commit (trusted: a pull request cannot change
the rules it is judged by; the command line and an explicit ``--config`` win, as in the CLI).

Until the engine reads from memory, the descriptors are written into a private folder inside
the data dir (mode 0700, removed afterwards) and the engine runs there: only the changed
descriptors' bytes are written, every name is checked first (no absolute path, ``..``, empty
or ``.`` segment, backslash, NUL or control character), files are created exclusively without
following links, and the other names of each descriptor's folder appear as empty placeholders
(names only, so case collisions and translation pairs are seen). A name that cannot be written
safely is reported (MDV008), never silently skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mdvalidator.problem import Problem, Report, Severity

SETTINGS_FILES = ("setup.cfg", "pyproject.toml")  # read at the repository root, as the CLI does
_ROOT = Path("/repository")  # where settings read from memory claim to live (never touched)
MAX_PLACEHOLDERS = 20_000
MAX_PATH = 1000


@dataclass(frozen=True)
class CheckOptions:
    """How to check: the check flags (trusted), where job folders and the asset cache live."""

    args: argparse.Namespace
    work_dir: Path  # inside the data dir; each job gets a private folder below it
    ref: str = "base"  # how notices name the base commit, e.g. "base 1a2b3c4d5e6f"


@dataclass(frozen=True)
class _Loaded:
    config: object  # mdvalidator.config.FileConfig
    rulesets: tuple[object, ...]  # RuleSet
    notices: tuple[Problem, ...]


def safe_path(path: str) -> str | None:
    """``path`` when it is a plain relative POSIX path we may create, else None."""
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


def _load(settings_files: Mapping[str, bytes], options: CheckOptions) -> _Loaded:
    from mdvalidator.commands.check import _rulesets
    from mdvalidator.config import EXPLICIT, find_config_at, read_config_file
    from mdvalidator.ruleset import RuleSetError, load_ruleset_file, parse_ruleset
    from mdvalidator.run_rules import UNTRUSTED_SETTING
    from mdvalidator.settings import BY_KEY

    args = options.args
    notices: list[Problem] = []
    if args.config is not None:
        config = read_config_file(args.config)
    else:

        def read(path: Path) -> bytes | None:
            return settings_files.get(path.relative_to(_ROOT).as_posix())

        config = find_config_at(read, _ROOT, _ROOT, options.ref)
        for key in config.refused:
            flag = BY_KEY[key].flag or f"--{key}"
            notices.append(
                UNTRUSTED_SETTING.problem(
                    config.label, 0, 0,
                    f"{key} is not applied: network-safety settings are honoured only on the "
                    f"service's command line ({flag}) or from its --config FILE",
                )
            )  # fmt: skip
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
    return _Loaded(config, tuple(_rulesets(user, config, args)), tuple(notices))


def ruleset_paths(settings_files: Mapping[str, bytes], options: CheckOptions) -> list[str]:
    """The rule-set files the base commit's settings name (to be read at the base commit)."""
    from mdvalidator.config import find_config_at

    if options.args.config is not None or options.args.rules:
        return []

    def read(path: Path) -> bytes | None:
        return settings_files.get(path.relative_to(_ROOT).as_posix())

    config = find_config_at(read, _ROOT, _ROOT, options.ref)
    return [p for p in (_rule_set_path(n) for n in config.get_list("rules")) if p]


def descriptor_paths(
    paths: Sequence[str], settings_files: Mapping[str, bytes], options: CheckOptions
) -> list[str]:
    """Which of ``paths`` (the files a pull request changes) a rule set applies to."""
    loaded = _load(settings_files, options)
    return [p for p in paths if any(r.applies_to(p) for r in loaded.rulesets)]  # type: ignore[attr-defined]


@contextlib.contextmanager
def _job_folder(work_dir: Path) -> Iterator[Path]:
    work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(tempfile.mkdtemp(prefix="job-", dir=work_dir))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    # The engine names files as given, relative to the working folder; a worker process runs
    # one job at a time, so changing its working folder for the run is safe.
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _create(root: Path, path: str, data: bytes) -> None:
    target = root.joinpath(*PurePosixPath(path).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def _write(
    root: Path, files: Mapping[str, bytes], tree_paths: Sequence[str]
) -> tuple[list[str], list[Problem]]:
    from mdvalidator.checks.parse_rules import UNREADABLE_FILE

    written: list[str] = []
    problems: list[Problem] = []
    for path in sorted(files):
        if safe_path(path) is None:
            problems.append(
                UNREADABLE_FILE.problem(path, 0, 0, "a file name that is not a plain relative path")
            )
            continue
        try:
            _create(root, path, files[path])
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            problems.append(UNREADABLE_FILE.problem(path, 0, 0, f"cannot be checked: {reason}"))
            continue
        written.append(path)
    folders = {posixpath.dirname(p) for p in written}
    placed = 0
    for path in tree_paths:
        if placed >= MAX_PLACEHOLDERS:
            break
        if path in files or posixpath.dirname(path) not in folders or safe_path(path) is None:
            continue
        with contextlib.suppress(OSError):
            _create(root, path, b"")
            placed += 1
    return written, problems


def check_pull_request(
    files: Mapping[str, bytes],
    tree_paths: Sequence[str],
    settings_files: Mapping[str, bytes],
    options: CheckOptions,
    changed_settings: Sequence[str] = (),
    unreadable: Mapping[str, str] | None = None,
) -> Report:
    """Check the changed descriptors ``files`` (path -> bytes at the head commit).

    ``tree_paths``: every file name at the head commit; ``settings_files``: the base commit's
    settings files and the rule sets they name (path -> bytes, absent ones left out);
    ``changed_settings``: which of those the pull request changes (reported: they take effect
    after merge); ``unreadable``: descriptors the forge would not serve, with the reason
    (MDV008: a descriptor that was not checked never passes). Raises ``ConfigError`` or
    ``RuleSetError`` when the trusted settings cannot be used.
    """
    from mdvalidator import engine
    from mdvalidator.checks.parse_rules import UNREADABLE_FILE
    from mdvalidator.commands.check import _build_options, _with_notices
    from mdvalidator.run_rules import NOTHING_CHECKED, UNTRUSTED_SETTING

    loaded = _load(settings_files, options)
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
    with _job_folder(options.work_dir) as root:
        run_options = _build_options(options.args, loaded.config, [str(root)], None)  # type: ignore[arg-type]
        written, problems = _write(root, files, tree_paths)
        if written:
            with _inside(root):
                report = engine.run(written, loaded.rulesets, run_options)  # type: ignore[arg-type]
        elif problems or unreadable:
            report = Report(checked=0, problems=())
        else:
            nothing = NOTHING_CHECKED.problem(
                ".", 0, 0, "no descriptor changed in this pull request: nothing checked",
                Severity.INFO,
            )  # fmt: skip
            report = Report(checked=0, problems=(nothing,))
    not_checked = len(problems) + len(unreadable or {})
    report = dataclasses.replace(report, checked=report.checked + not_checked)
    return _with_notices(report, [*problems, *notices, *loaded.notices], run_options.decider)


def strict_verdict(settings_files: Mapping[str, bytes], options: CheckOptions) -> bool:
    """Whether warnings fail the run (``--strict``, or ``strict`` in the base settings)."""
    from mdvalidator.settings import resolve

    loaded = _load(settings_files, options)
    return bool(resolve("strict", options.args, loaded.config.values))  # type: ignore[attr-defined]


class EngineChecker:
    """The adapter bound to the service's check options (what a job calls)."""

    settings_files: tuple[str, ...] = SETTINGS_FILES

    def __init__(self, args: argparse.Namespace, work_dir: Path) -> None:
        self.args = args
        self.work_dir = work_dir

    def _options(self, ref: str) -> CheckOptions:
        return CheckOptions(self.args, self.work_dir, ref)

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
    ) -> Report:
        return check_pull_request(
            files, tree_paths, settings_files, self._options(ref), changed_settings, unreadable
        )


def warm_up(args: argparse.Namespace) -> None:
    """Import the engine, the families and asset verification and load the built-in rule
    sets once, before worker processes fork (each job then starts at once)."""
    import mdvalidator.engine
    from mdvalidator.assets import verify  # noqa: F401

    options = CheckOptions(args, Path(tempfile.gettempdir()))
    for ruleset in _load({}, options).rulesets:
        ruleset.get_family()  # type: ignore[attr-defined]
    del mdvalidator.engine
