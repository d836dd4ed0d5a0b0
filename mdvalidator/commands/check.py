"""``mdvalidator [check] PATH...``: validate descriptors and verify their assets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mdvalidator import engine, invocation
from mdvalidator.config import ConfigError
from mdvalidator.reporters import FORMATS
from mdvalidator.ruleset import RuleSetError
from mdvalidator.settings import SETTINGS, add_flags, flag_value

if TYPE_CHECKING:
    from mdvalidator.gitchanges import Changes
    from mdvalidator.sources import Source

HELP = "validate descriptors (the default command)"
DESCRIPTION = """\
Validate MindSpore Hub asset cards (*.md) and DIGITS Model Store files (master.json,
info.json, aux.json, snapshot tarballs). Folders are walked. Every asset's sha256 is verified
by downloading it, unless --offline.

examples:
  mdvalidator assets/mindspore/1.10/alexnet_cifar10.md
  mdvalidator --offline --format github assets/
  mdvalidator --select MDV1 --ignore MDV107 --strict assets/
  mdvalidator --changed-since origin/main          # what this branch changed (CI)

Settings may also live in setup.cfg [mdvalidator] or pyproject.toml [tool.mdvalidator]
(see the README); the command line wins. With --changed-since REF they are read from REF's
tree, not the checkout. Network-safety settings (allow-private-network, allow-networks,
mirror, ca-file, cache-dir) come only from the command line or --config FILE.
Exit status: 0 passed, 1 problems, 2 usage error (also: every named folder holds no
descriptor, or the report cannot be written).
"""

__all__ = ["DESCRIPTION", "FORMATS", "HELP", "configure", "run"]

GROUPS = ("output", "choosing rules", "running", "asset verification")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check")
    for title in GROUPS:
        group = parser.add_argument_group(title)
        add_flags(group, [s.key for s in SETTINGS if s.group == title])


def run(args: argparse.Namespace) -> int:
    from mdvalidator import trusted

    paths = list(args.paths or (["."] if args.changed_since else []))
    if not paths:
        return _fail("no paths given (try `mdvalidator --help`)")
    try:
        changes = None
        if args.changed_since:
            from mdvalidator.gitchanges import changes_since

            changes = changes_since(args.changed_since, Path.cwd())
        loaded = trusted.load(args.config, args.rules, changes, Path.cwd())
        config = loaded.config
        offline = bool(invocation.setting(args, config, "offline"))
        options = invocation.run_options(args, config, paths, offline)
        rulesets = invocation.rulesets(loaded.rulesets, args, config)
        strict = bool(invocation.setting(args, config, "strict"))
        fmt = str(invocation.setting(args, config, "format"))
        overridden = [key for key in ("ignore",) if flag_value(args, key) is not None]
        notices = [*loaded.notices, *trusted.integrity_notices(config, overridden.__contains__)]
    except (ConfigError, RuleSetError, ValueError) as exc:
        return _fail(str(exc))
    source = _source(paths, changes)
    try:
        outcome = engine.execute([source], rulesets, options)
    except (ValueError, RuleSetError) as exc:
        return _fail(str(exc))
    report = invocation.with_notices(outcome.report, notices, options.decider)
    if args.fix:
        from mdvalidator.fixes import apply_fixes

        report, lines = apply_fixes(report)
        for line in lines:
            print(line, file=sys.stderr)
    error = invocation.emit(report, fmt, args, strict)
    if error:
        return _fail(error)
    if outcome.nothing_to_check:
        shown = ", ".join(outcome.discovery.empty_folders)
        return _fail(f"no descriptor found in {shown}: nothing was checked")
    return 1 if report.failed(strict) else 0


def _source(paths: list[str], changes: Changes | None) -> Source:
    if changes is None:
        from mdvalidator.sources.filesystem import FolderWalk

        return FolderWalk(tuple(paths))
    from mdvalidator.sources.gitchanged import GitChanges

    return GitChanges(tuple(paths), changes)


def _fail(message: str) -> int:
    return invocation.fail("mdvalidator", message)
