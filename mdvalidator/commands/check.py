"""``mdvalidator [check] PATH...``: validate descriptors and verify their assets."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mdvalidator import engine
from mdvalidator.argtypes import argtype, at_least, parse_size
from mdvalidator.config import (
    ConfigError,
    FileConfig,
    find_config,
    parse_per_file_ignores,
    read_config_file,
)
from mdvalidator.decide import Decider, normalise_codes
from mdvalidator.engine import RunOptions
from mdvalidator.families import Limits
from mdvalidator.problem import Report
from mdvalidator.ruleset import RuleSetError, load_rulesets

HELP = "validate descriptors (the default command)"
DESCRIPTION = """\
Validate MindSpore Hub asset cards (*.md) and DIGITS Model Store files (master.json,
info.json, aux.json, snapshot tarballs). Folders are walked. Every asset's sha256 is verified
by downloading it, unless --offline.

examples:
  mdvalidator assets/mindspore/1.10/alexnet_cifar10.md
  mdvalidator --offline --format github assets/
  mdvalidator --select MDV1 --ignore MDV107 --strict assets/

Settings may also live in setup.cfg [mdvalidator] or pyproject.toml [tool.mdvalidator]
(see the README); the command line wins. Exit status: 0 passed, 1 problems, 2 usage error.
"""

FORMATS = ("text", "json", "github", "sarif")


_jobs = at_least(0, int, "a number of jobs (0: all cores)")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, help="report format (default: text)")
    out.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    out.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output (auto: on a terminal, unless NO_COLOR is set)",
    )
    sel = parser.add_argument_group("choosing rules")
    sel.add_argument(
        "--select", metavar="CODES", help="only these codes or prefixes (e.g. MDV1,MDV2)"
    )
    sel.add_argument("--ignore", metavar="CODES", help="skip these codes, prefixes or rule names")
    sel.add_argument(
        "--strict", action="store_true", default=None, help="warnings fail the run too"
    )
    sel.add_argument(
        "--rules",
        metavar="FILE",
        action="append",
        type=Path,
        help="a rule-set TOML of your hub (repeatable; used before the built-in sets)",
    )
    sel.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="settings file (setup.cfg or pyproject.toml); default: searched upwards",
    )
    run_group = parser.add_argument_group("running")
    run_group.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="no network at all: assets are not downloaded (marked skipped)",
    )
    run_group.add_argument(
        "-j",
        "--jobs",
        type=argtype(_jobs),
        metavar="N",
        help="worker processes and parallel downloads (default 0: all cores)",
    )
    run_group.add_argument(
        "--require-checksums",
        action="store_true",
        default=None,
        help="DIGITS model folders must have a SHA256SUMS file (default: verified when present)",
    )
    run_group.add_argument(
        "--max-file-size",
        type=argtype(parse_size),
        metavar="SIZE",
        help="descriptors larger than this are reported, not read (default 512K)",
    )
    try:
        from mdvalidator.assets.options import add_arguments
    except ImportError:  # pragma: no cover - asset verification not installed
        return
    add_arguments(parser.add_argument_group("asset verification"))  # type: ignore[arg-type]


def _config(args: argparse.Namespace) -> FileConfig:
    return read_config_file(args.config) if args.config else find_config(Path.cwd())


def _build_options(args: argparse.Namespace, config: FileConfig) -> RunOptions:
    select = args.select if args.select is not None else config.get("select", "")
    ignore = args.ignore if args.ignore is not None else config.get("ignore", "")
    per_file = parse_per_file_ignores(config.get("per-file-ignores", "") or "", str(config.source))
    decider = Decider(
        select=normalise_codes((select or "").split(",")),
        ignore=normalise_codes((ignore or "").split(",")),
        per_file_ignores=tuple((glob, normalise_codes(codes)) for glob, codes in per_file),
    )
    max_size = args.max_file_size
    if max_size is None:
        configured = config.get("max-file-size", "") or ""
        max_size = parse_size(configured) if configured else Limits().max_file_size
    jobs = args.jobs if args.jobs is not None else int(config.get("jobs", "0") or 0)
    offline = args.offline if args.offline is not None else config.get_bool("offline")
    asset_options = None
    if not offline:
        from mdvalidator.assets.options import from_args

        asset_options = from_args(args, config.values)
    return RunOptions(
        decider=decider,
        limits=Limits(max_file_size=max_size),
        jobs=jobs,
        offline=offline,
        changed_since=getattr(args, "changed_since", None),
        assets=asset_options,
    )


def _rule_files(args: argparse.Namespace, config: FileConfig) -> tuple[Path, ...]:
    if args.rules:
        return tuple(args.rules)
    base = config.source.parent if config.source else Path.cwd()
    return tuple(base / name for name in config.get_list("rules"))


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        return
    sys.stdout.write(text)
    sys.stdout.flush()


def _render(report: Report, fmt: str, args: argparse.Namespace, strict: bool) -> str:
    from mdvalidator import __version__
    from mdvalidator.reporters import ReportOptions, render, want_color

    if args.color == "auto":
        color = not args.output and want_color(sys.stdout, os.environ)
    else:
        color = args.color == "always"
    options = ReportOptions(color=color, strict=strict, tool_version=__version__)
    text = render(fmt, report, options)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary:
        from mdvalidator.reporters import write_step_summary

        write_step_summary(report, summary, options)
    return text


def run(args: argparse.Namespace) -> int:
    try:
        config = _config(args)
        options = _build_options(args, config)
        rulesets = load_rulesets(_rule_files(args, config))
        if args.require_checksums or config.get_bool("require-checksums"):
            from mdvalidator.digits.family import with_required_checksums

            rulesets = tuple(
                with_required_checksums(r) if r.family == "digits-model-store" else r
                for r in rulesets
            )
        strict = args.strict if args.strict is not None else config.get_bool("strict")
        fmt = args.format or config.get("format", "text") or "text"
        if fmt not in FORMATS:
            raise ConfigError(f"{config.source}: format: unknown format {fmt!r}")
    except (ConfigError, RuleSetError, ValueError) as exc:
        print(f"mdvalidator: {exc}", file=sys.stderr)
        return 2
    paths = args.paths or (["."] if options.changed_since else [])
    if not paths:
        print("mdvalidator: no paths given (try `mdvalidator --help`)", file=sys.stderr)
        return 2
    try:
        report = engine.run(paths, rulesets, options)
    except (ValueError, RuleSetError) as exc:  # e.g. --changed-since outside a git repository
        print(f"mdvalidator: {exc}", file=sys.stderr)
        return 2
    _write(_render(report, fmt, args, strict), args.output)
    if getattr(args, "fix", False):
        from mdvalidator.checks.card_fix import fix_cards

        for line in fix_cards(report.problems):  # in place: no line moves for the asset fixes
            print(line, file=sys.stderr)
    if getattr(args, "fix", False) and report.assets:
        from mdvalidator.assets.fix import apply_fixes

        for line in apply_fixes(report.assets):
            print(line, file=sys.stderr)
    return 1 if report.failed(strict) else 0
