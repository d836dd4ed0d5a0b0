"""Every setting of ``mdvalidator check`` in one table: key, parser, flag, default, doc.

The table generates the keys a settings file may hold (``config.KNOWN_KEYS``), the command
line flags (:func:`add_flags`) and the README's Configuration table (:func:`markdown_table`;
``python -m mdvalidator.settings`` prints it). The command line wins over a settings file;
``network`` settings are honoured only from the command line or an explicit ``--config``
(never from a file found in the checked tree), since they decide what the runner may reach.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mdvalidator.argtypes import (
    argtype,
    at_least,
    parse_mirror,
    parse_shard,
    parse_size,
    parse_timeout,
)
from mdvalidator.reading import DEFAULT_MAX_FILE_SIZE
from mdvalidator.reporters import FORMATS

DEFAULT_MAX_SIZE = 20 * 1024**3  # asset size cap, 20 GiB: generous, model checkpoints are large
DEFAULT_TIMEOUT = 30.0  # seconds, per network operation
DEFAULT_CONNECTIONS = 8  # per asset, when its server answers ranges
MAX_HOST_CONNECTIONS = 16  # per host, across every asset of a run (what aria2c allows too)


def parse_connections(text: str) -> int:
    """``"8"`` -> 8; from 1 (one stream) to :data:`MAX_HOST_CONNECTIONS`."""
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"not a number of connections: {text[:40]!r}") from None
    if not 1 <= value <= MAX_HOST_CONNECTIONS:
        raise ValueError(f"connections must be 1 to {MAX_HOST_CONNECTIONS}, got {value}")
    return value


def parse_bool(text: str) -> bool:
    """``true``/``yes``/``on``/``1`` or ``false``/``no``/``off``/``0``/empty; else ValueError."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {text.strip()[:40]!r}")


def parse_list(text: str) -> tuple[str, ...]:
    """Items separated by commas or new lines, blanks dropped."""
    return tuple(p.strip() for p in text.replace("\n", ",").split(",") if p.strip())


def _format(text: str) -> str:
    value = text.strip().lower()
    if value not in FORMATS:
        raise ValueError(f"unknown format {text.strip()[:40]!r} (choose from {', '.join(FORMATS)})")
    return value


def _path(text: str) -> Path:
    if not text.strip():
        raise ValueError("expected a path, got nothing")
    return Path(text.strip()).expanduser()


def parse_networks(text: str) -> tuple[str, ...]:
    """CIDR networks (``10.1.2.0/24, fd00::/64``), validated, as written."""
    import ipaddress  # not on the offline lint path

    items = parse_list(text)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"not a network: {item!r} (say e.g. 10.1.2.0/24)") from None
    return items


def _mirrors(text: str) -> tuple[tuple[str, str], ...]:
    """Mirrors in a settings file: one PREFIX=TARGET per line (or comma-separated)."""
    return tuple(parse_mirror(item) for item in parse_list(text))


_jobs = at_least(0, int, "a number of jobs (0: all cores)")

SWITCH = "switch"  # --flag sets True (default None: the settings file decides)
SWITCH_OFF = "switch-off"  # --no-flag sets False
VALUE = "value"
APPEND = "append"  # repeatable flag


@dataclass(frozen=True)
class Setting:
    """One setting. ``parse`` reads a settings-file value (and a flag's, unless ``flag_parse``)."""

    key: str
    doc: str
    parse: Callable[[str], Any] = str
    default: Any = None
    flag: str | None = None  # None: settings file only
    kind: str = VALUE
    metavar: str | None = None
    short: str | None = None
    group: str = "running"
    network: bool = False  # honoured only from the command line or an explicit --config
    in_file: bool = True  # False: a command-line flag only
    flag_parse: Callable[[str], Any] | None = None  # a flag's value, when it differs
    combine: bool = False  # APPEND: flags and the file's value add up (else flags replace)
    choices: tuple[str, ...] = ()
    shown_default: str = ""  # the default as the README shows it
    flag_help: str = ""  # the flag's help, when it differs from ``doc``

    @property
    def dest(self) -> str:
        name = (self.flag or f"--{self.key}").lstrip("-")
        if self.kind == SWITCH_OFF:
            name = name.removeprefix("no-")
        return name.replace("-", "_")


S = Setting
SETTINGS: tuple[Setting, ...] = (
    # output
    S("format", "report format", _format, "text", "--format", choices=FORMATS, group="output"),
    S("output", "write the report to FILE (atomically)", _path, None, "--output",
      metavar="FILE", short="-o", group="output", in_file=False),
    S("color", "colour text output (auto: on a terminal, unless NO_COLOR is set)", str, "auto",
      "--color", choices=("auto", "always", "never"), group="output", in_file=False),
    # choosing rules
    S("select", "only these codes, prefixes or rule names (e.g. MDV1,MDV2)", str, "",
      "--select", metavar="CODES", group="choosing rules"),
    S("ignore", "skip these codes, prefixes or rule names", str, "", "--ignore",
      metavar="CODES", group="choosing rules"),
    S("per-file-ignores", "`GLOB: CODES` lines: codes skipped in the files a glob matches", str,
      "", group="choosing rules"),
    S("strict", "warnings fail the run too", parse_bool, False, "--strict", SWITCH,
      group="choosing rules"),
    S("rules", "a rule-set TOML of your hub (repeatable; used before the built-in sets)",
      parse_list, (), "--rules", APPEND, metavar="FILE", group="choosing rules",
      flag_parse=_path),
    S("inline-directives", "honour `<!-- mdvalidator: disable -->` directives in cards "
      "(`false`: a hub lets no card silence anything)", parse_bool, True,
      "--no-inline-directives", SWITCH_OFF, group="choosing rules",
      flag_help="ignore inline directives in cards: no card silences anything"),
    S("config", "settings file (setup.cfg or pyproject.toml); default: searched upwards",
      _path, None, "--config", metavar="FILE", group="choosing rules", in_file=False),
    # running
    S("offline", "no network at all: assets are not downloaded (marked skipped)", parse_bool,
      False, "--offline", SWITCH),
    S("jobs", "worker processes and parallel downloads (0: all cores)", _jobs, 0, "--jobs",
      metavar="N", short="-j"),
    S("require-checksums", "DIGITS model folders must have a SHA256SUMS file "
      "(default: verified when present)", parse_bool, False, "--require-checksums", SWITCH),
    S("max-file-size", "descriptors larger than this are reported, not read", parse_size,
      DEFAULT_MAX_FILE_SIZE, "--max-file-size", metavar="SIZE", shown_default="512K"),
    S("changed-since", "check only descriptors this branch changed since it left the git REF "
      "(the merge base; `A...B` also works), read settings and rule sets from REF's tree, "
      "fetch only changed assets", str, None, "--changed-since", metavar="REF", in_file=False),
    S("fix", "write fixes into the files (computed sha256 values, ...) and report them fixed",
      parse_bool, False, "--fix", SWITCH, in_file=False),
    # asset verification
    S("allow-private-network", "allow asset links to loopback/private/link-local addresses "
      "(internal mirrors, tests)", parse_bool, False, "--allow-private-network", SWITCH,
      group="asset verification", network=True),
    S("allow-networks", "allow these non-public networks only (CIDR, comma-separated), "
      "narrower than allow-private-network", parse_networks, (), "--allow-networks",
      metavar="CIDRS", group="asset verification", network=True),
    S("mirror", "fetch links starting with PREFIX from TARGET (a URL or a local folder); "
      "repeatable", _mirrors, (), "--mirror", APPEND, metavar="PREFIX=TARGET",
      group="asset verification", network=True, flag_parse=parse_mirror, combine=True),
    S("ca-file", "extra certificate authorities (PEM) trusted for https", _path, None,
      "--ca-file", metavar="FILE", group="asset verification", network=True),
    S("cache-dir", "where verification results are cached (relative: to the --config file's "
      "folder; never inside the checked tree)", _path, None, "--cache-dir", metavar="DIR",
      group="asset verification", network=True, shown_default="user cache folder"),
    S("check-conf", "also read the mindspore_hub_conf.py each card's repo-link names, as "
      "mindspore_hub.load does (MDV153-MDV159): fetched like assets, or through --mirror; "
      "not with --offline", parse_bool, False, "--check-conf", SWITCH,
      group="asset verification"),
    S("no-cache", "neither read nor write the cache", parse_bool, False, "--no-cache", SWITCH,
      group="asset verification"),
    S("max-asset-size", "refuse assets larger than SIZE (e.g. 500M, 2G)", parse_size,
      DEFAULT_MAX_SIZE, "--max-asset-size", metavar="SIZE", group="asset verification",
      shown_default="20G"),
    S("timeout", "connect/read timeout per network operation, in seconds", parse_timeout,
      DEFAULT_TIMEOUT, "--timeout", metavar="SECONDS", group="asset verification",
      shown_default=f"{DEFAULT_TIMEOUT:g}"),
    S("connections", "connections per asset when its server supports ranges, in parts hashed "
      f"in order (1: one stream; at most {MAX_HOST_CONNECTIONS} per host)", parse_connections,
      DEFAULT_CONNECTIONS, "--connections", metavar="N", group="asset verification"),
    S("shard", "verify only the I-th of N deterministic slices of the assets (CI matrices)",
      parse_shard, None, "--shard", metavar="I/N", group="asset verification", in_file=False),
)  # fmt: skip
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
FILE_KEYS = frozenset(s.key for s in SETTINGS if s.in_file)
NETWORK_KEYS = frozenset(s.key for s in SETTINGS if s.network)
# The flags `hash` and `store` share with `check` (they fetch URLs too).
NETWORK_FLAGS = ("allow-private-network", "allow-networks", "ca-file", "max-asset-size", "timeout")


def add_flags(parser: Any, keys: Iterable[str]) -> None:
    """Add the flags of the settings ``keys`` to ``parser`` (an ArgumentParser or a group)."""
    for key in keys:
        setting = BY_KEY[key]
        if setting.flag is None:
            continue
        names = [n for n in (setting.short, setting.flag) if n]
        shown = f" (default {setting.shown_default or setting.default})" if _shows(setting) else ""
        options: dict[str, Any] = {
            "dest": setting.dest,
            "help": (setting.flag_help or setting.doc) + shown,
        }
        if setting.kind == SWITCH:
            options.update(action="store_true", default=None)
        elif setting.kind == SWITCH_OFF:
            options.update(action="store_false", default=None)
        else:
            parse = setting.flag_parse or setting.parse
            options.update(metavar=setting.metavar, default=None)
            if setting.choices:
                options.update(choices=setting.choices, metavar=None)
            elif parse is not str:
                options["type"] = argtype(parse)
            if setting.kind == APPEND:
                options["action"] = "append"
        parser.add_argument(*names, **options)


def _shows(setting: Setting) -> bool:
    if setting.kind in (SWITCH, SWITCH_OFF) or setting.kind == APPEND:
        return False
    return bool(setting.shown_default) or setting.default not in (None, "", ())


def flag_value(args: argparse.Namespace, key: str) -> Any:
    """The value given on the command line for ``key``, or None."""
    return getattr(args, BY_KEY[key].dest, None)


def resolve(
    key: str, args: argparse.Namespace | None, values: Mapping[str, str], where: str = "config"
) -> Any:
    """A setting's value: the flag's, else the settings file's (parsed), else the default.

    ``ValueError`` names ``where`` and the key when the file's value is malformed.
    """
    setting = BY_KEY[key]
    given = flag_value(args, key) if args is not None else None
    if given is not None and not (setting.kind == APPEND and setting.combine):
        return tuple(given) if setting.kind == APPEND else given
    from_file: Any = None
    if key in values:
        try:
            from_file = setting.parse(values[key])
        except ValueError as exc:
            raise ValueError(f"{where}: {key}: {exc}") from None
    if setting.kind == APPEND and setting.combine:
        return tuple(given or ()) + tuple(from_file or ())
    return setting.default if from_file is None else from_file


def markdown_table() -> str:
    """The README's table of settings (key, flag, default, meaning)."""
    rows = [
        "| setting | flag | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for setting in SETTINGS:
        key = f"`{setting.key}`" if setting.in_file else "(flag only)"
        metavar = f" {setting.metavar}" if setting.metavar else ""
        if setting.choices:
            metavar = " " + "\\|".join(setting.choices)
        flag = f"`{setting.flag}{metavar}`" if setting.flag else "(settings file only)"
        if setting.short:
            flag = f"`{setting.short}`, {flag}"
        default = setting.shown_default or _default_text(setting.default)
        doc = setting.doc.replace("|", "\\|")
        if setting.network:
            doc += " (**network-safety**: command line or `--config` only)"
        rows.append(f"| {key} | {flag} | {default} | {doc} |")
    return "\n".join(rows) + "\n"


def _default_text(value: Any) -> str:
    if value is None or value in ("", ()):
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`"


if __name__ == "__main__":  # pragma: no cover - a maintenance helper for the README
    print(markdown_table(), end="")
