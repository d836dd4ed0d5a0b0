"""``mdvalidator [check] PATH...``: validate descriptors and verify their assets."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mdvalidator import engine
from mdvalidator.config import ConfigError, FileConfig, parse_per_file_ignores
from mdvalidator.decide import Decider, normalise_codes
from mdvalidator.engine import RunOptions
from mdvalidator.families import BUILTIN_NAMES
from mdvalidator.family import Limits
from mdvalidator.problem import Problem, Report
from mdvalidator.ruleset import RuleSet, RuleSetError, builtin_ruleset
from mdvalidator.settings import FORMATS, SETTINGS, add_flags, flag_value, resolve

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


def _codes(text: str, where: str) -> tuple[str, ...]:
    try:
        return normalise_codes(text.split(","))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _decider(args: argparse.Namespace, config: FileConfig) -> Decider:
    chosen: dict[str, tuple[str, ...]] = {}
    untrusted: set[str] = set()
    for key in ("select", "ignore"):
        given = flag_value(args, key)
        if given is not None:
            chosen[key] = _codes(given, f"--{key}")
            continue
        chosen[key] = _codes(config.get(key, "") or "", f"{config.label}: {key}")
        if not config.trusted:
            untrusted.add(key)
    text = config.get("per-file-ignores", "") or ""
    per_file = tuple(
        (glob, _codes(",".join(codes), f"{config.label}: per-file-ignores"))
        for glob, codes in parse_per_file_ignores(text, config.label)
    )
    if not config.trusted:
        untrusted.add("per-file-ignores")
    return Decider(
        select=chosen["select"],
        ignore=chosen["ignore"],
        per_file_ignores=per_file,
        untrusted=frozenset(untrusted),
        inline_directives=bool(_setting(args, config, "inline-directives")),
    )


def _setting(args: argparse.Namespace, config: FileConfig, key: str) -> Any:
    try:
        return resolve(key, args, config.values, config.label)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _build_options(
    args: argparse.Namespace, config: FileConfig, paths: Sequence[str], changes: Any
) -> RunOptions:
    offline = bool(_setting(args, config, "offline"))
    asset_options = None
    if not offline:
        from mdvalidator.assets.options import from_args

        try:
            asset_options = from_args(args, config.values)
        except ValueError as exc:
            raise ConfigError(f"{config.label}: {exc}") from None
        cache_dir = _cache_dir(args, config, paths)
        asset_options = dataclasses.replace(asset_options, cache_dir=cache_dir)
    return RunOptions(
        decider=_decider(args, config),
        limits=Limits(max_file_size=int(_setting(args, config, "max-file-size"))),
        jobs=int(_setting(args, config, "jobs")),
        offline=offline,
        changed_since=args.changed_since,
        assets=asset_options,
        changes=changes,
    )


def _cache_dir(args: argparse.Namespace, config: FileConfig, paths: Sequence[str]) -> Path | None:
    """The cache folder; a relative one (to the working folder on the command line, to the
    --config file's folder there) must not land inside the checked tree, where a pull request
    could plant entries."""
    given: Path | None = flag_value(args, "cache-dir")
    base = Path.cwd()
    if given is None and "cache-dir" in config.values and config.source is not None:
        given = Path(config.values["cache-dir"].strip()).expanduser()
        base = config.source.resolve().parent
    if given is None or given.is_absolute():
        return given
    resolved = (base / given).resolve()
    for path in paths:
        checked = Path(path).resolve()
        if resolved == checked or checked in resolved.parents:
            raise ConfigError(
                f"cache-dir {given} resolves to {resolved}, inside the checked path {path}: "
                "a pull request could plant cache entries there; give an absolute folder "
                "outside it"
            )
    return resolved


def _rulesets(
    user: Sequence[RuleSet], config: FileConfig, args: argparse.Namespace
) -> tuple[RuleSet, ...]:
    # A user's set named like a built-in one, or extending it, takes its place.
    replaced = {r.name for r in user} | {r.extends for r in user if r.extends}
    rulesets = (*user, *(builtin_ruleset(n) for n in BUILTIN_NAMES if n not in replaced))
    if _setting(args, config, "require-checksums"):
        from mdvalidator.families.digits.family import with_required_checksums

        rulesets = tuple(
            with_required_checksums(r) if r.family == "digits-model-store" else r for r in rulesets
        )
    return tuple(rulesets)


def _write(text: str, output: Path | None) -> str:
    """Write the report (atomically to a file: never half written); an error message or ""."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return ""
    from mdvalidator.atomic import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"), durable=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return f"cannot write the report to {output}: {reason}"
    return ""


def _render(report: Report, fmt: str, args: argparse.Namespace, strict: bool) -> str:
    from mdvalidator import __version__
    from mdvalidator.reporters import ReportOptions, render, want_color

    choice = args.color or "auto"
    if choice == "auto":
        color = not args.output and want_color(sys.stdout, os.environ)
    else:
        color = choice == "always"
    options = ReportOptions(color=color, strict=strict, tool_version=__version__)
    text = render(fmt, report, options)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary:
        from mdvalidator.reporters import write_step_summary

        write_step_summary(report, summary, options)
    return text


def _fail(message: str) -> int:
    from mdvalidator.sanitize import clean

    print(f"mdvalidator: {clean(message, 2000)}", file=sys.stderr)
    return 2


def _with_notices(report: Report, notices: Sequence[Problem], decider: Decider) -> Report:
    if not notices:
        return report
    kept = decider.decide(notices, {})
    return dataclasses.replace(report, problems=tuple(sorted((*report.problems, *kept))))


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
        options = _build_options(args, config, paths, changes)
        rulesets = _rulesets(loaded.rulesets, config, args)
        strict = bool(_setting(args, config, "strict"))
        fmt = str(_setting(args, config, "format"))
        overridden = [key for key in ("ignore",) if flag_value(args, key) is not None]
        notices = [*loaded.notices, *trusted.integrity_notices(config, overridden.__contains__)]
    except (ConfigError, RuleSetError, ValueError) as exc:
        return _fail(str(exc))
    try:
        outcome = engine.execute(paths, rulesets, options)
    except (ValueError, RuleSetError) as exc:
        return _fail(str(exc))
    report = _with_notices(outcome.report, notices, options.decider)
    if args.fix:
        from mdvalidator.fixes import apply_fixes

        report, lines = apply_fixes(report)
        for line in lines:
            print(line, file=sys.stderr)
    error = _write(_render(report, fmt, args, strict), args.output)
    if error:
        return _fail(error)
    if outcome.nothing_to_check:
        shown = ", ".join(outcome.discovery.empty_folders)
        return _fail(f"no descriptor found in {shown}: nothing was checked")
    return 1 if report.failed(strict) else 0
