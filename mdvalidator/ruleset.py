"""Rule sets as data: the TOML files under ``rules/`` and any a hub passes with ``--rules``.

A rule set file has a ``[ruleset]`` table (name, family, the files it applies to), an optional
``[severity]`` table (rule code -> error | warning | info | off) and the family's own tables,
validated by the family. ``extends = "mindspore-hub"`` starts from a built-in set and merges
the file over it (tables merge key by key; any other value, lists included, replaces).
Every error names the file and the key.
"""

from __future__ import annotations

import fnmatch
import importlib.resources
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from mdvalidator.families import FAMILIES, Family, get_family
from mdvalidator.problem import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

BUILTIN_NAMES = ("mindspore-hub", "digits-model-store")
OFF = "off"


class RuleSetError(Exception):
    """A rule set that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class RuleSet:
    name: str
    family: str
    source: str
    files: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    description: str = ""
    # rule code -> severity; codes mapped to None are switched off
    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    options: Any = None

    def applies_to(self, display_path: str, explicit: bool = False) -> bool:
        """Whether this set checks a file. Patterns without ``/`` match the file name."""
        path = PurePosixPath(display_path)
        if not any(_match(path, pattern) for pattern in self.files):
            return False
        return explicit or not any(_match(path, pattern) for pattern in self.exclude)

    def get_family(self) -> Family:
        return get_family(self.family)


def _match(path: PurePosixPath, pattern: str) -> bool:
    if "/" in pattern:
        return fnmatch.fnmatchcase(path.as_posix(), pattern) or fnmatch.fnmatchcase(
            "/" + path.as_posix(), "*/" + pattern.lstrip("*/")
        )
    return fnmatch.fnmatchcase(path.name, pattern)


class _HeaderSchema(Schema):
    class Meta:
        unknown = "raise"

    name = fields.String(required=True, validate=validate.Length(min=1))
    family = fields.String(required=True, validate=validate.OneOf(sorted(FAMILIES)))
    description = fields.String(load_default="")
    extends = fields.String(load_default=None, allow_none=True)
    files = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    # "exclude" would shadow Schema.exclude, hence the data_key.
    exclude_patterns = fields.List(fields.String(), data_key="exclude", load_default=list)


_LEVELS = [*(s.label for s in Severity), OFF]


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested error dict as ``key.path: message`` lines."""
    if isinstance(messages, Mapping):
        out: list[str] = []
        for key, value in messages.items():
            # marshmallow nests a Dict field's value errors under "value": not a key of ours.
            name = prefix if key == "value" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(_flatten(value, name))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {m}" for m in messages]
    if isinstance(messages, list):
        return [line for m in messages for line in _flatten(m, prefix)]
    return [f"{prefix}: {messages}"]


def _error(source: str, messages: Any) -> RuleSetError:
    lines = _flatten(messages)
    return RuleSetError(f"{source}: invalid rule set: " + "; ".join(lines))


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge recursively; anything else in ``override`` replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(source: str, text: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"{source}: not valid TOML: {exc}") from None
    return data


def builtin_text(name: str) -> str:
    """The text of a built-in rule set (``rules/<name>.toml``, shipped in the wheel)."""
    filename = f"{name}.toml"
    try:
        return importlib.resources.files("mdvalidator.rules").joinpath(filename).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        # Running from a source tree without installing: rules/ sits beside the package.
        checkout = Path(__file__).resolve().parent.parent / "rules" / filename
        return checkout.read_text("utf-8")


def _resolve_extends(source: str, raw: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    header = raw.get("ruleset")
    parent = header.get("extends") if isinstance(header, Mapping) else None
    if parent is None:
        return raw
    if not isinstance(parent, str) or parent not in BUILTIN_NAMES:
        raise RuleSetError(
            f"{source}: ruleset.extends: unknown rule set {parent!r} "
            f"(built-in sets: {', '.join(BUILTIN_NAMES)})"
        )
    if depth > 4:
        raise RuleSetError(f"{source}: ruleset.extends: too deep")
    base = _resolve_extends(parent, _read_toml(parent, builtin_text(parent)), depth + 1)
    merged = merge(base, raw)
    merged["ruleset"] = dict(merged["ruleset"])
    merged["ruleset"].pop("extends", None)
    return merged


def parse_ruleset(source: str, text: str) -> RuleSet:
    """Validate a rule set's text; ``RuleSetError`` names ``source`` and the bad key."""
    raw = _resolve_extends(source, _read_toml(source, text))
    header_raw = raw.get("ruleset")
    if not isinstance(header_raw, Mapping):
        raise RuleSetError(f"{source}: ruleset: missing table [ruleset] (name, family, files)")
    try:
        header = _HeaderSchema().load(header_raw)
    except ValidationError as exc:
        raise _error(source, {"ruleset": exc.messages}) from None
    severities = _load_severities(source, raw.get("severity", {}))
    family_data = {k: v for k, v in raw.items() if k not in ("ruleset", "severity")}
    family = get_family(header["family"])
    try:
        options = family.load_options(family_data)
    except ValidationError as exc:
        raise _error(source, exc.messages) from None
    return RuleSet(
        name=header["name"],
        family=header["family"],
        source=source,
        files=tuple(header["files"]),
        exclude=tuple(header["exclude_patterns"]),
        description=header["description"],
        severities=severities,
        options=options,
    )


def _load_severities(source: str, table: Any) -> dict[str, Severity | None]:
    from mdvalidator.registry import find_rule

    if not isinstance(table, Mapping):
        raise RuleSetError(f"{source}: severity: must be a table of CODE = level")
    result: dict[str, Severity | None] = {}
    for key, level in table.items():
        found = find_rule(str(key))
        if found is None:
            raise RuleSetError(f"{source}: severity.{key}: no rule has this code or name")
        if not isinstance(level, str) or level.lower() not in _LEVELS:
            raise RuleSetError(
                f"{source}: severity.{key}: level must be one of {', '.join(_LEVELS)}"
            )
        result[found.code] = None if level.lower() == OFF else Severity.parse(level)
    return result


def load_ruleset_file(path: Path) -> RuleSet:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSetError(f"{path}: cannot read rule set: {exc}") from None
    return parse_ruleset(str(path), text)


@cache
def builtin_ruleset(name: str) -> RuleSet:
    return parse_ruleset(f"rules/{name}.toml", builtin_text(name))


def load_rulesets(extra_files: tuple[Path, ...] = ()) -> tuple[RuleSet, ...]:
    """The sets a run uses: the user's ``--rules`` files first, then the built-in ones."""
    user = tuple(load_ruleset_file(path) for path in extra_files)
    user_names = {r.name for r in user}
    builtins = tuple(builtin_ruleset(n) for n in BUILTIN_NAMES if n not in user_names)
    return user + builtins


# Marshmallow schemas of families reject unknown keys by default; re-exported for them.
__all__ = [
    "EXCLUDE",
    "RuleSet",
    "RuleSetError",
    "builtin_ruleset",
    "load_ruleset_file",
    "load_rulesets",
    "merge",
    "parse_ruleset",
]
