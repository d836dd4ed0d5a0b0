"""What a command was asked to do, from its flags and the settings file: the run's options,
its rule sets, its decide step, and writing its report. Shared by ``check`` and ``store``, so
both honour the same settings (select, ignore, per-file ignores, inline directives, severities,
the trust rules of ``trusted``) and write every output format the same way."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mdvalidator.config import ConfigError, FileConfig, parse_per_file_ignores
from mdvalidator.decide import Decider, normalise_codes
from mdvalidator.engine import RunOptions
from mdvalidator.families import BUILTIN_NAMES
from mdvalidator.family import Limits
from mdvalidator.problem import Problem, Report
from mdvalidator.ruleset import RuleSet, builtin_ruleset
from mdvalidator.settings import flag_value, resolve


def setting(args: argparse.Namespace, config: FileConfig, key: str) -> object:
    """A setting's value (flag, else settings file, else default); ``ConfigError``."""
    try:
        value: object = resolve(key, args, config.values, config.label)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return value


def _codes(text: str, where: str) -> tuple[str, ...]:
    try:
        return normalise_codes(text.split(","))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def decider(args: argparse.Namespace, config: FileConfig) -> Decider:
    """The decide step: select/ignore (flags win), per-file ignores, inline directives; what a
    settings file found in the checked tree chose does not touch integrity rules."""
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
        inline_directives=bool(setting(args, config, "inline-directives")),
    )


def run_options(
    args: argparse.Namespace, config: FileConfig, paths: Sequence[str], offline: bool
) -> RunOptions:
    """The engine's options; asset verification set up unless ``offline``."""
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
        decider=decider(args, config),
        limits=Limits(max_file_size=int(str(setting(args, config, "max-file-size")))),
        jobs=int(str(setting(args, config, "jobs"))),
        offline=offline,
        assets=asset_options,
        progress=bool(asset_options and asset_options.progress),
        check_conf=not offline and bool(setting(args, config, "check-conf")),
    )


def _cache_dir(args: argparse.Namespace, config: FileConfig, paths: Sequence[str]) -> Path | None:
    """The cache folder; a relative one (to the working folder on the command line, to the
    --config file's folder there) must not land inside the checked tree, where a pull request
    could plant entries."""
    given: Path | None = flag_value(args, "cache-dir") if "cache_dir" in vars(args) else None
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


def rulesets(
    user: Sequence[RuleSet], args: argparse.Namespace, config: FileConfig
) -> tuple[RuleSet, ...]:
    """The user's rule sets, then the built-in ones they do not replace (a user's set named
    like a built-in one, or extending it, takes its place), with the run's overrides."""
    replaced = {r.name for r in user} | {r.extends for r in user if r.extends}
    found = (*user, *(builtin_ruleset(n) for n in BUILTIN_NAMES if n not in replaced))
    if setting(args, config, "require-checksums"):
        from mdvalidator.families.digits.family import with_required_checksums

        found = tuple(
            with_required_checksums(r) if r.family == "digits-model-store" else r for r in found
        )
    return tuple(found)


def with_notices(report: Report, notices: Sequence[Problem], decide: Decider) -> Report:
    """The report with the run's own notices (refused settings, ...) decided and added."""
    if not notices:
        return report
    kept = decide.decide(notices, {})
    return dataclasses.replace(report, problems=tuple(sorted((*report.problems, *kept))))


def render(report: Report, fmt: str, args: argparse.Namespace, strict: bool) -> str:
    from mdvalidator import __version__
    from mdvalidator.reporters import ReportOptions, want_color
    from mdvalidator.reporters import render as render_report

    choice = getattr(args, "color", None) or "auto"
    if choice == "auto":
        color = not getattr(args, "output", None) and want_color(sys.stdout, os.environ)
    else:
        color = choice == "always"
    options = ReportOptions(color=color, strict=strict, tool_version=__version__)
    text = render_report(fmt, report, options)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary:
        from mdvalidator.reporters import write_step_summary

        write_step_summary(report, summary, options)
    return text


def write(text: str, output: Path | None) -> str:
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


def emit(report: Report, fmt: str, args: argparse.Namespace, strict: bool) -> str:
    """Render and write the report; an error message or ""."""
    return write(render(report, fmt, args, strict), getattr(args, "output", None))


def fail(prefix: str, message: str) -> int:
    from mdvalidator.sanitize import clean

    print(f"{prefix}: {clean(message, 2000)}", file=sys.stderr)
    return 2


__all__ = [
    "decider",
    "emit",
    "fail",
    "render",
    "rulesets",
    "run_options",
    "setting",
    "with_notices",
    "write",
]
