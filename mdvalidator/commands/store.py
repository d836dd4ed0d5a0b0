"""``mdvalidator store``: validate whole DIGITS model stores, local folders or live URLs.

``mdvalidator store add TARBALL --store DIR`` adds a snapshot tarball to a local store safely.
Both run through the engine like ``check``: the same settings, decide step and reporters.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mdvalidator import invocation
from mdvalidator.settings import add_flags
from mdvalidator.sources import Unusable

if TYPE_CHECKING:
    from mdvalidator.config import FileConfig
    from mdvalidator.engine import RunOptions
    from mdvalidator.families.digits.live import LiveSettings
    from mdvalidator.problem import Problem
    from mdvalidator.progress import Progress
    from mdvalidator.ruleset import RuleSet
    from mdvalidator.sources import Source

HELP = "validate DIGITS model stores (folders or live URLs); `store add` imports a tarball"
DESCRIPTION = """\
Validate DIGITS Model Stores the way DIGITS' store client reads them, and more: master.json,
every child's info.json and aux.json, every file they name, SHA256SUMS when present.

  mdvalidator store path/to/store/                      a local store folder
  mdvalidator store https://models.example/store/       a live store (HEAD for each file)
  mdvalidator store snapshot.tar.gz                     a snapshot tarball, not extracted
  mdvalidator store                                     the stores in $DIGITS_MODEL_STORE_URL
  mdvalidator store --verify-assets URL                 also download and check SHA256SUMS
  mdvalidator store add job_epoch_30.0.tar.gz --store DIR
                                                        validate a snapshot tarball, extract
                                                        it into a new child, update master.json

One broken store or model never hides the others; each problem's path names the store and the
model. Settings (select, ignore, per-file-ignores, format, ...) are read like `check` reads
them. Exit status: 0 passed, 1 problems, 2 usage error.
"""

ENV_NAME = "DIGITS_MODEL_STORE_URL"
FAMILY = "digits-model-store"
_FLAGS = ("format", "output", "color", "select", "ignore", "strict", "rules", "config")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="URL_OR_DIR",
        help=f"stores to check (default: ${ENV_NAME}, comma-separated); or: add TARBALL",
    )
    add_flags(parser, _FLAGS)
    add_flags(parser, ("require-checksums",))
    parser.add_argument(
        "--verify-assets",
        action="store_true",
        help="live stores: download the files SHA256SUMS lists and check their sha256",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=4, metavar="N", help="parallel requests per store"
    )
    parser.add_argument(
        "--max-file-size",
        type=int,
        default=4 * 1024 * 1024,
        metavar="BYTES",
        help="JSON files larger than this are reported, not read (default 4 MiB)",
    )
    add = parser.add_argument_group("store add TARBALL")
    add.add_argument("--store", type=Path, metavar="DIR", help="the store folder to add to")
    add.add_argument("--name", metavar="CHILD", help="the child folder (default: tarball name)")
    add.add_argument("--msg", metavar="TEXT", help="the store title when master.json is new")
    from mdvalidator.assets.options import add_network_arguments

    add_network_arguments(parser.add_argument_group("network"))  # type: ignore[arg-type]


def _fail(message: str) -> int:
    return invocation.fail("mdvalidator store", message)


def run(args: argparse.Namespace) -> int:
    from mdvalidator import trusted
    from mdvalidator.config import ConfigError
    from mdvalidator.ruleset import RuleSetError

    adding = args.targets[:1] == ["add"]
    try:
        loaded = trusted.load(args.config, args.rules, None, Path.cwd())
        config = loaded.config
        ruleset = _ruleset(loaded.rulesets, args, config)
        options = invocation.run_options(args, config, args.targets[1:] if adding else (), False)
        strict = bool(invocation.setting(args, config, "strict"))
        fmt = str(invocation.setting(args, config, "format"))
    except (ConfigError, RuleSetError, ValueError) as exc:
        return _fail(str(exc))
    if adding:
        return _run_add(args, ruleset, options, strict, fmt)
    if args.store or args.name or args.msg:
        return _fail("--store, --name and --msg belong to `mdvalidator store add TARBALL`")
    targets, problems = _targets(args.targets)
    if not targets and not problems:
        return _fail(f"no store given and ${ENV_NAME} is not set")
    from mdvalidator import engine
    from mdvalidator.progress import Progress

    progress = Progress(None, "checking", "model", bool(options.assets and options.assets.progress))
    try:
        sources = _sources(targets, problems, args, options, progress)
        outcome = engine.execute([*sources, Unusable(tuple(problems))], [ruleset], options)
    finally:
        progress.close()
    notices = [*loaded.notices, *trusted.integrity_notices(config, _ignored_on_command_line(args))]
    report = invocation.with_notices(outcome.report, notices, options.decider)
    error = invocation.emit(report, fmt, args, strict)
    if error:
        return _fail(error)
    return 1 if report.failed(strict) else 0


def _ignored_on_command_line(args: argparse.Namespace) -> Callable[[str], bool]:
    from mdvalidator.settings import flag_value

    return lambda key: key == "ignore" and flag_value(args, "ignore") is not None


def _ruleset(user: Sequence[RuleSet], args: argparse.Namespace, config: FileConfig) -> RuleSet:
    """The DIGITS rule set of the run: the user's (``--rules``), else the built-in one."""
    for ruleset in user:
        if ruleset.family != FAMILY:
            raise ValueError(f"{ruleset.source}: rule set family is {ruleset.family!r}, not digits")
    found = invocation.rulesets(user, args, config)
    return next(r for r in found if r.family == FAMILY)


def _targets(given: Sequence[str]) -> tuple[list[str], list[Problem]]:
    """The stores to check: those given, else ``$DIGITS_MODEL_STORE_URL``'s entries."""
    from mdvalidator.families.digits.live import split_store_urls
    from mdvalidator.families.digits.sources import STORE_URL_INVALID

    if given:
        return list(dict.fromkeys(given)), []
    value = os.environ.get(ENV_NAME, "")
    if not value.strip():
        return [], []
    entries, errors = split_store_urls(value)
    return entries, [STORE_URL_INVALID.problem(ENV_NAME, 0, 0, error) for error in errors]


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _sources(
    targets: Sequence[str],
    problems: list[Problem],
    args: argparse.Namespace,
    options: RunOptions,
    progress: Progress,
) -> list[Source]:
    """A source per store named; what names none becomes a problem in ``problems``."""
    from mdvalidator.families.digits.checks import is_archive
    from mdvalidator.families.digits.live import LiveStore
    from mdvalidator.families.digits.sources import STORE_URL_INVALID, SnapshotArchive, StoreFolder

    cap = options.limits.max_file_size
    live = _live_settings(args, options, progress) if any(map(_is_url, targets)) else None
    sources: list[Source] = []
    for target in targets:
        path = Path(target)
        if _is_url(target) and live is not None:
            sources.append(LiveStore(target, live))
        elif path.is_dir() and not path.is_symlink():
            sources.append(StoreFolder(target, cap))
        elif is_archive(target) and path.is_file() and not path.is_symlink():
            sources.append(SnapshotArchive(path, cap))
        else:
            what = "a symbolic link" if path.is_symlink() else "not a folder"
            message = f"{what}, and not an http(s) URL"
            problems.append(STORE_URL_INVALID.problem(target, 0, 0, message))
    return sources


def _live_settings(
    args: argparse.Namespace, options: RunOptions, progress: Progress
) -> LiveSettings:
    from mdvalidator.families.digits.live import LiveSettings

    assert options.assets is not None

    def on_child(store: str, child: str) -> None:
        from mdvalidator.sanitize import clean

        progress.advance(f"{clean(store, 60)} {clean(child, 40)}")

    return LiveSettings(
        fetch=options.assets,
        max_file_size=options.limits.max_file_size,
        verify_assets=args.verify_assets,
        jobs=max(1, args.jobs),
        on_child=on_child if options.assets.progress else None,
    )


def _run_add(
    args: argparse.Namespace, ruleset: RuleSet, options: RunOptions, strict: bool, fmt: str
) -> int:
    from mdvalidator import engine
    from mdvalidator.families.digits.family import options_of
    from mdvalidator.families.digits.install import AddError, add_archive
    from mdvalidator.families.digits.sources import SnapshotArchive
    from mdvalidator.problem import Report

    if len(args.targets) != 2 or args.store is None:
        return _fail("usage: mdvalidator store add TARBALL --store DIR [--name CHILD]")
    archive_path = Path(args.targets[1])
    if not archive_path.is_file():
        return _fail(f"{archive_path}: no such archive")
    source = SnapshotArchive(archive_path, options.limits.max_file_size)
    checked = engine.run([source], [ruleset], options)  # the validation: like any check

    def decide(problems: Sequence[Problem]) -> list[Problem]:
        return options.decider.decide(problems, ruleset.severities)

    added = None
    if not checked.problems_failed():
        try:
            added = add_archive(
                archive_path, args.store, options_of(ruleset), options.limits.max_file_size,
                decide, name=args.name, msg=args.msg, inspection=source.inspection,
            )  # fmt: skip
        except AddError as exc:
            return _fail(str(exc))
        except OSError as exc:
            return _fail(f"cannot add {archive_path}: {exc}")
    extra = added.problems if added is not None else ()
    report = Report(checked=1, problems=tuple(sorted((*checked.problems, *extra))))
    error = invocation.emit(report, fmt, args, strict)
    if error:
        return _fail(error)
    if added is None or added.child is None:
        print(f"mdvalidator store: {archive_path} was not added", file=sys.stderr)
        return 1
    print(f"added {added.child} ({added.files} files, SHA256SUMS written)", file=sys.stderr)
    return 1 if report.failed(strict) else 0
