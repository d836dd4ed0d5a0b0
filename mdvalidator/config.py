"""Settings files: ``setup.cfg [mdvalidator]``, ``pyproject.toml [tool.mdvalidator]``, --config.

A file is either named with ``--config`` (explicit: trusted, every key honoured), or found by
searching from the current folder up to the repository root: in the working tree
(:func:`find_config`, written by whoever wrote the checkout) or, for ``--changed-since REF``,
in REF's tree (:func:`find_config_at`, the base branch's settings). A found file never sets a
network-safety key (``settings.NETWORK_KEYS``): those are dropped and listed in
``FileConfig.refused`` for the caller to report. Which keys exist comes from the one table in
:mod:`mdvalidator.settings`. Values are kept as a flat ``key -> text`` map (lists joined with
commas); the command line wins over the file.
"""

from __future__ import annotations

import configparser
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mdvalidator.settings import FILE_KEYS, NETWORK_KEYS, parse_bool, parse_list

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SECTION = "mdvalidator"
KNOWN_KEYS = FILE_KEYS
CANDIDATES = ("setup.cfg", "pyproject.toml")

# Where a settings file came from.
EXPLICIT = "explicit"  # --config FILE
AT_REF = "at-ref"  # found in the --changed-since REF's tree
WORKING_TREE = "working-tree"  # found in the checkout


class ConfigError(Exception):
    """A settings file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class FileConfig:
    source: Path | None = None  # on disk (for a file read at a ref: where it would be)
    values: Mapping[str, str] = field(default_factory=dict)
    origin: str = WORKING_TREE
    name: str = ""  # how messages name it, e.g. "setup.cfg" or "origin/main:setup.cfg"
    refused: tuple[str, ...] = ()  # network-safety keys found but not honoured

    @property
    def trusted(self) -> bool:
        """May ignore or downgrade integrity rules (explicit, or the base branch's)."""
        return self.origin in (EXPLICIT, AT_REF)

    @property
    def label(self) -> str:
        return self.name or (str(self.source) if self.source else "settings")

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)

    def get_bool(self, key: str, default: bool = False) -> bool:
        raw = self.values.get(key)
        if raw is None:
            return default
        try:
            return parse_bool(raw)
        except ValueError as exc:
            raise ConfigError(f"{self.label}: {key}: {exc}") from None

    def get_list(self, key: str) -> tuple[str, ...]:
        return parse_list(self.values.get(key, ""))


def _flat(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_flat(v)}" for k, v in value.items())
    return str(value)


def _from_setup_cfg(text: str, name: str) -> dict[str, str] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=name)
    except configparser.Error as exc:
        raise ConfigError(f"{name}: cannot read: {exc}") from None
    if not parser.has_section(SECTION):
        return None
    return {k.replace("_", "-"): v for k, v in parser.items(SECTION)}


def _from_pyproject(text: str, name: str) -> dict[str, str] | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: cannot read: {exc}") from None
    table = data.get("tool", {}).get(SECTION)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{name}: tool.{SECTION}: must be a table")
    return {k.replace("_", "-"): _flat(v) for k, v in table.items()}


def _reader(path: Path) -> Callable[[str, str], dict[str, str] | None]:
    return _from_pyproject if path.suffix == ".toml" else _from_setup_cfg


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: cannot read: {exc}") from None


def read_config_file(path: Path) -> FileConfig:
    """An explicit settings file (``--config``): every key honoured (the caller takes a
    relative cache-dir relative to the file's folder)."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such settings file")
    try:
        text = _decode(path.read_bytes(), str(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    values = _reader(path)(text, str(path))
    if values is None:
        section = f"[tool.{SECTION}]" if path.suffix == ".toml" else f"[{SECTION}]"
        raise ConfigError(f"{path}: has no {section} section")
    _check_keys(str(path), values)
    return FileConfig(path, values, EXPLICIT, str(path))


def _check_keys(name: str, values: Mapping[str, str]) -> None:
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], sorted(KNOWN_KEYS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(
            f"{name}: unknown setting {unknown[0]!r}{hint} (known: {', '.join(sorted(KNOWN_KEYS))})"
        )


def _found(path: Path, name: str, values: dict[str, str], origin: str) -> FileConfig:
    _check_keys(name, values)
    refused = tuple(sorted(key for key in values if key in NETWORK_KEYS))
    kept = {key: value for key, value in values.items() if key not in NETWORK_KEYS}
    return FileConfig(path, kept, origin, name, refused)


def search_folders(start: Path, stop: Callable[[Path], bool]) -> list[Path]:
    """``start`` and its parents, up to the first folder for which ``stop`` holds."""
    folders: list[Path] = []
    for folder in (start, *start.parents):
        folders.append(folder)
        if stop(folder):
            break
    return folders


def find_config(start: Path) -> FileConfig:
    """The first settings section found in the working tree, from ``start`` up to the
    repository root (a folder holding ``.git``); network-safety keys refused."""
    for folder in search_folders(start, lambda f: (f / ".git").exists()):
        for name in CANDIDATES:
            candidate = folder / name
            if candidate.is_file():
                try:
                    data = candidate.read_bytes()
                except OSError as exc:
                    raise ConfigError(f"{candidate}: cannot read: {exc.strerror}") from None
                values = _reader(candidate)(_decode(data, str(candidate)), str(candidate))
                if values is not None:
                    return _found(candidate, _shown(candidate, start), values, WORKING_TREE)
    return FileConfig()


def find_config_at(
    read: Callable[[Path], bytes | None], start: Path, root: Path, ref: str
) -> FileConfig:
    """The settings section REF's tree holds, searched like :func:`find_config` from
    ``start`` up to ``root``; ``read(path)`` gives a file's bytes at REF (None: absent)."""
    if start != root and root not in start.parents:
        return FileConfig(origin=AT_REF)
    for folder in search_folders(start, lambda f: f == root):
        for name in CANDIDATES:
            candidate = folder / name
            data = read(candidate)
            if data is None:
                continue
            shown = f"{ref}:{candidate.relative_to(root).as_posix()}"
            values = _reader(candidate)(_decode(data, shown), shown)
            if values is not None:
                return _found(candidate, shown, values, AT_REF)
    return FileConfig(origin=AT_REF)


def _shown(path: Path, start: Path) -> str:
    try:
        return path.relative_to(start).as_posix()
    except ValueError:
        return str(path)


def parse_per_file_ignores(text: str, source: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``glob: CODE, CODE`` lines (or ``glob:CODE`` entries separated by commas in TOML)."""
    entries: list[tuple[str, tuple[str, ...]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pattern, sep, codes = line.partition(":")
        if not sep or not pattern.strip():
            raise ConfigError(f"{source}: per-file-ignores: expected 'GLOB: CODES', got {line!r}")
        entries.append((pattern.strip(), tuple(c.strip() for c in codes.split(",") if c.strip())))
    return tuple(entries)


__all__ = [
    "ConfigError",
    "FileConfig",
    "find_config",
    "find_config_at",
    "parse_bool",
    "parse_per_file_ignores",
    "read_config_file",
]
