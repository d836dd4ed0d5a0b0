"""Settings from ``setup.cfg [mdvalidator]``, ``pyproject.toml [tool.mdvalidator]`` or --config.

The file is searched from the current directory upwards, stopping at the repository root
(a folder holding ``.git``). Values are kept as a flat ``key -> text`` map (lists joined with
commas) so that every consumer reads one shape; the command line wins over the file.
"""

from __future__ import annotations

import configparser
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SECTION = "mdvalidator"
KNOWN_KEYS = frozenset(
    {
        "select",
        "ignore",
        "per-file-ignores",
        "strict",
        "jobs",
        "offline",
        "max-file-size",
        "rules",
        "format",
        "require-checksums",
        # asset verification (mdvalidator.assets.options)
        "allow-private-network",
        "mirror",
        "cache-dir",
        "no-cache",
        "max-asset-size",
        "timeout",
    }
)


class ConfigError(Exception):
    """A settings file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class FileConfig:
    source: Path | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)

    def get_bool(self, key: str, default: bool = False) -> bool:
        raw = self.values.get(key)
        if raw is None:
            return default
        try:
            return parse_bool(raw)
        except ValueError:
            message = f"{self.source}: {key}: expected true or false, got {raw!r}"
            raise ConfigError(message) from None

    def get_list(self, key: str) -> tuple[str, ...]:
        raw = self.values.get(key, "")
        return tuple(p.strip() for p in raw.replace("\n", ",").split(",") if p.strip())


def parse_bool(text: str) -> bool:
    """``true``/``yes``/``on``/``1`` or ``false``/``no``/``off``/``0``/empty; else ValueError."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _flat(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_flat(v)}" for k, v in value.items())
    return str(value)


def _from_setup_cfg(path: Path) -> dict[str, str] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if not parser.has_section(SECTION):
        return None
    return {k.replace("_", "-"): v for k, v in parser.items(SECTION)}


def _from_pyproject(path: Path) -> dict[str, str] | None:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    table = data.get("tool", {}).get(SECTION)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.{SECTION}: must be a table")
    return {k.replace("_", "-"): _flat(v) for k, v in table.items()}


def read_config_file(path: Path) -> FileConfig:
    if not path.is_file():
        raise ConfigError(f"{path}: no such settings file")
    reader = _from_pyproject if path.suffix == ".toml" else _from_setup_cfg
    values = reader(path)
    if values is None:
        section = f"[tool.{SECTION}]" if path.suffix == ".toml" else f"[{SECTION}]"
        raise ConfigError(f"{path}: has no {section} section")
    return _validated(path, values)


def _validated(path: Path, values: dict[str, str]) -> FileConfig:
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    return FileConfig(path, values)


def find_config(start: Path) -> FileConfig:
    """The first settings section found from ``start`` up to the repository root."""
    for folder in (start, *start.parents):
        for name, reader in (("setup.cfg", _from_setup_cfg), ("pyproject.toml", _from_pyproject)):
            candidate = folder / name
            if candidate.is_file():
                values = reader(candidate)
                if values is not None:
                    return _validated(candidate, values)
        if (folder / ".git").exists():
            break
    return FileConfig()


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
