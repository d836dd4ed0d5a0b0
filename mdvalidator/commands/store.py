"""``mdvalidator store``: validate whole DIGITS model stores, local folders or live URLs.

``mdvalidator store add TARBALL --store DIR`` adds a snapshot tarball to a local store safely.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mdvalidator.problem import AssetResult, Problem, Report

if TYPE_CHECKING:
    from mdvalidator.families.digits.remote import LiveSettings
    from mdvalidator.ruleset import RuleSet

HELP = "validate DIGITS model stores (folders or live URLs); `store add` imports a tarball"
DESCRIPTION = """\
Validate DIGITS Model Stores the way DIGITS' store client reads them, and more: master.json,
every child's info.json and aux.json, every file they name, SHA256SUMS when present.

  mdvalidator store path/to/store/                      a local store folder
  mdvalidator store https://models.example/store/       a live store (HEAD for each file)
  mdvalidator store                                     the stores in $DIGITS_MODEL_STORE_URL
  mdvalidator store --verify-assets URL                 also download and check SHA256SUMS
  mdvalidator store add job_epoch_30.0.tar.gz --store DIR
                                                        validate a snapshot tarball, extract
                                                        it into a new child, update master.json

One broken store or model never hides the others; each problem's path names the store and the
model. Exit status: 0 passed, 1 problems, 2 usage error.
"""

ENV_NAME = "DIGITS_MODEL_STORE_URL"
FORMATS = ("text", "json", "github", "sarif")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="URL_OR_DIR",
        help=f"stores to check (default: ${ENV_NAME}, comma-separated); or: add TARBALL",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument("--strict", action="store_true", help="warnings fail the run too")
    parser.add_argument(
        "--rules",
        type=Path,
        metavar="FILE",
        help="a rule-set TOML for the digits-model-store family (e.g. extends it)",
    )
    parser.add_argument(
        "--require-checksums",
        action="store_true",
        default=None,
        help="a model folder without SHA256SUMS is an error",
    )
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
    try:
        from mdvalidator.assets.options import add_network_arguments
    except ImportError:  # pragma: no cover
        return
    add_network_arguments(parser.add_argument_group("network"))  # type: ignore[arg-type]


def _fail(message: str) -> int:
    from mdvalidator.sanitize import clean

    print(f"mdvalidator store: {clean(message, 1000)}", file=sys.stderr)
    return 2


def _ruleset(args: argparse.Namespace) -> RuleSet:
    from mdvalidator.families.digits.family import with_required_checksums
    from mdvalidator.ruleset import builtin_ruleset, load_ruleset_file

    ruleset = load_ruleset_file(args.rules) if args.rules else builtin_ruleset("digits-model-store")
    if ruleset.family != "digits-model-store":
        raise ValueError(f"{args.rules}: rule set family is {ruleset.family!r}, not digits")
    if args.require_checksums:
        return with_required_checksums(ruleset)
    ruleset.options  # noqa: B018 - validated now, so that a bad rule set is a usage error
    return ruleset


def _config_values() -> dict[str, str]:
    from mdvalidator.config import ConfigError, find_config

    try:
        return dict(find_config(Path.cwd()).values)
    except ConfigError:  # a broken settings file is `check`'s to report
        return {}


def run(args: argparse.Namespace) -> int:
    from mdvalidator.ruleset import RuleSetError

    config = _config_values()
    if args.require_checksums is None:
        setting = config.get("require-checksums", "").strip().lower()
        args.require_checksums = setting in ("1", "true", "yes", "on")
    try:
        ruleset = _ruleset(args)
    except (RuleSetError, ValueError) as exc:
        return _fail(str(exc))
    if args.targets[:1] == ["add"]:
        return _run_add(args, ruleset)
    if args.store or args.name or args.msg:
        return _fail("--store, --name and --msg belong to `mdvalidator store add TARBALL`")
    targets, problems = _targets(args.targets)
    if not targets and not problems:
        return _fail(f"no store given and ${ENV_NAME} is not set")
    live = None
    if any(_is_url(target) for target in targets):
        try:
            live = _live_settings(args, config)
        except ValueError as exc:  # a malformed network setting in the settings file
            return _fail(str(exc))
    report = _check_all(targets, problems, ruleset, args, live)
    return _emit(report, args)


def _targets(given: Sequence[str]) -> tuple[list[str], list[Problem]]:
    """The stores to check: those given, else ``$DIGITS_MODEL_STORE_URL``'s entries."""
    from mdvalidator.families.digits import rules as R
    from mdvalidator.families.digits.remote import split_store_urls

    if given:
        return list(dict.fromkeys(given)), []
    value = os.environ.get(ENV_NAME, "")
    if not value.strip():
        return [], []
    entries, errors = split_store_urls(value)
    return entries, [R.STORE_URL_INVALID.problem(ENV_NAME, 0, 0, error) for error in errors]


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _check_all(
    targets: Sequence[str],
    problems: list[Problem],
    ruleset: RuleSet,
    args: argparse.Namespace,
    live: LiveSettings | None,
) -> Report:
    from mdvalidator.decide import Decider
    from mdvalidator.families.digits import rules as R

    found = list(problems)
    assets: list[AssetResult] = []
    checked = 0
    for target in targets:
        if _is_url(target) and live is not None:
            from mdvalidator.families.digits.remote import check_store

            result = check_store(target, ruleset.options, live)
            found.extend(result.problems)
            assets.extend(result.assets)
            checked += 1
        elif Path(target).is_dir() and not Path(target).is_symlink():
            files, local_problems = _check_local(Path(target), ruleset, args.max_file_size)
            found.extend(local_problems)
            checked += files
        else:
            what = "a symbolic link" if Path(target).is_symlink() else "not a folder"
            message = f"{what}, and not an http(s) URL"
            found.append(R.STORE_URL_INVALID.problem(target, 0, 0, message))
    if live is not None and live.on_child is not None:
        print(file=sys.stderr)  # end the progress line
    kept = Decider().decide(found, ruleset.severities)
    return Report(checked=checked, problems=tuple(sorted(kept)), assets=tuple(assets))


def _check_local(store: Path, ruleset: RuleSet, max_size: int) -> tuple[int, list[Problem]]:
    from mdvalidator.families.digits.family import check_path, duplicate_ids
    from mdvalidator.families.digits.local import store_files
    from mdvalidator.family import Limits, Target

    limits = Limits(max_file_size=max_size)
    base = store.as_posix().rstrip("/")
    results = []
    for path in store_files(store, ruleset.options, max_size):
        display = f"{base}/{path.relative_to(store).as_posix()}"
        target = Target(path, display, explicit=True)
        results.append((target, check_path(target, ruleset.options, limits)))
    problems = [p for _, result in results for p in result.problems]
    problems.extend(duplicate_ids(results))
    if not results:
        from mdvalidator.families.digits import rules as R

        problems.append(
            R.STORE_UNREACHABLE.problem(base, 0, 0, "no master.json and no folder with info.json")
        )
    return len(results), problems


def _live_settings(args: argparse.Namespace, config: dict[str, str]) -> LiveSettings:
    from mdvalidator.assets.options import from_args
    from mdvalidator.families.digits.remote import LiveSettings

    fetch = from_args(args, config)
    on_child = _progress if fetch.progress else None
    return LiveSettings(
        fetch=fetch,
        max_file_size=args.max_file_size,
        verify_assets=args.verify_assets,
        jobs=max(1, args.jobs),
        on_child=on_child,
    )


def _progress(store: str, child: str) -> None:
    from mdvalidator.sanitize import clean

    sys.stderr.write(f"\r\x1b[Kchecking {clean(store, 60)} {clean(child, 40)}")
    sys.stderr.flush()


def _emit(report: Report, args: argparse.Namespace) -> int:
    from mdvalidator.reporters import ReportOptions, render, want_color
    from mdvalidator.reporters.tally import failed

    color = args.format == "text" and want_color(sys.stdout, os.environ)
    sys.stdout.write(render(args.format, report, ReportOptions(color=color, strict=args.strict)))
    sys.stdout.flush()
    return 1 if failed(report, args.strict) else 0


def _run_add(args: argparse.Namespace, ruleset: RuleSet) -> int:
    from mdvalidator.decide import Decider
    from mdvalidator.families.digits.install import AddError, add_archive

    if len(args.targets) != 2 or args.store is None:
        return _fail("usage: mdvalidator store add TARBALL --store DIR [--name CHILD]")
    archive_path = Path(args.targets[1])
    if not archive_path.is_file():
        return _fail(f"{archive_path}: no such archive")

    def decide(problems: Sequence[Problem]) -> list[Problem]:
        return Decider().decide(problems, ruleset.severities)

    try:
        added = add_archive(
            archive_path, args.store, ruleset.options, args.max_file_size, decide,
            name=args.name, msg=args.msg,
        )  # fmt: skip
    except AddError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot add {archive_path}: {exc}")
    report = Report(checked=1, problems=tuple(sorted(added.problems)))
    status = _emit(report, args)
    if added.child is None:
        print(f"mdvalidator store: {archive_path} was not added", file=sys.stderr)
        return 1
    print(f"added {added.child} ({added.files} files, SHA256SUMS written)", file=sys.stderr)
    return status
