"""Rule sets as data: the TOML files under ``rules/`` and any a hub passes with ``--rules``.

A rule set file has a ``[ruleset]`` table (name, family, the files it applies to), an optional
``[severity]`` table (rule code -> error | warning | info | off), an optional ``[asset-moves]``
table (old link prefix -> new, :mod:`mdvalidator.asset_moves`) and the family's own tables,
validated by the family. ``extends = "mindspore-hub"`` starts from a built-in set, merges the
file over it and takes its place in the run. How the file merges over its parent:

- tables merge key by key, and any other value, lists included, replaces the parent's;
- except ``[ruleset] exclude``, which adds to the parent's list (a hub's own exclusions never
  bring back files the built-in set knows are not descriptors);
- and a field table (``[fields.NAME]``, ``[asset-fields.NAME]``, ``[info.fields.NAME]``) that
  sets ``type`` replaces the parent's table of that field whole: keys meant for the old type
  (allowed values, split, pattern, ``required`` too) are not inherited, so write every key the
  field needs.

Every error names the file and the key.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mdvalidator import families
from mdvalidator.asset_moves import TABLE as MOVES_TABLE
from mdvalidator.asset_moves import Move, MoveError, parse_moves
from mdvalidator.families import BUILTIN_NAMES, builtin_text, get_family
from mdvalidator.family import Checks, OptionsError, bind
from mdvalidator.problem import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

OFF = "off"


class RuleSetError(Exception):
    """A rule set that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class RuleSet:
    """A rule set, loaded: plain data, with its family's options built and bound (``checks``)."""

    name: str
    family: str
    source: str
    files: tuple[str, ...]
    checks: Checks = field(repr=False, compare=False)
    exclude: tuple[str, ...] = ()
    description: str = ""
    # rule code -> severity; codes mapped to None are switched off
    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    # The family's own tables as read (the options were built from them), for overrides.
    data: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)
    extends: str = ""  # the built-in set this one starts from (and replaces in a run)
    builtin: bool = False
    # [asset-moves]: links under an old prefix that may now be served under a new one.
    moves: tuple[Move, ...] = ()

    @property
    def options(self) -> object:
        """The family's options (typed by the family: ``checks`` is a ``Bound[Options]``)."""
        return self.checks.options

    def matches(self, display_path: str) -> bool:
        """Whether a file is of this set's kind (``files``), excluded or not."""
        return _matcher(self.files)(display_path)

    def applies_to(self, display_path: str) -> bool:
        """Whether this set checks a file. Patterns without ``/`` match the file name."""
        return _matcher(self.files)(display_path) and not _matcher(self.exclude)(display_path)


@cache
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """One compiled test for a list of patterns (discovery asks it once per file found).

    A pattern without ``/`` matches the file name; one with ``/`` matches the whole path, or
    any tail of it (``docs/*`` matches ``hub/docs/a.md``).
    """
    names = [fnmatch.translate(p) for p in patterns if "/" not in p]
    paths = [fnmatch.translate(p) for p in patterns if "/" in p]
    paths += [fnmatch.translate("*/" + p.lstrip("*/")) for p in patterns if "/" in p]
    name_re = re.compile("|".join(names)) if names else None
    path_re = re.compile("|".join(paths)) if paths else None

    def test(display_path: str) -> bool:
        if name_re is not None and name_re.match(display_path.rpartition("/")[2]):
            return True
        return path_re is not None and bool(
            path_re.match(display_path) or path_re.match("/" + display_path)
        )

    return test


_HEADER_KEYS = {"name", "family", "description", "extends", "files", "exclude"}


def _header(source: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The ``[ruleset]`` table, checked key by key (no schema library on the start-up path)."""

    def fail(key: str, message: str) -> RuleSetError:
        return RuleSetError(f"{source}: invalid rule set: ruleset.{key}: {message}")

    unknown = sorted(set(raw) - _HEADER_KEYS)
    if unknown:
        raise fail(unknown[0], "Unknown field.")
    for key in ("name", "family", "files"):
        if key not in raw:
            raise fail(key, "Missing data for required field.")
    name, family = raw["name"], raw["family"]
    if not isinstance(name, str) or not name:
        raise fail("name", "Not a valid string.")
    if not isinstance(family, str) or not families.known(family):
        raise fail("family", f"Must be one of: {', '.join(sorted(families.names()))}.")
    patterns: dict[str, tuple[str, ...]] = {}
    for key in ("files", "exclude"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, "Not a valid list of strings.")
        patterns[key] = tuple(value)
    if not patterns["files"]:
        raise fail("files", "Shorter than minimum length 1.")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise fail("description", "Not a valid string.")
    return {"name": name, "family": family, "description": description, **patterns}


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


# Tables whose sub-tables declare one field each (at any depth: [info.fields.NAME] too):
# setting `type` there replaces the field.
FIELD_TABLES = ("fields", "asset-fields")


def merge(
    base: Mapping[str, Any], override: Mapping[str, Any], path: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Tables merge recursively; anything else in ``override`` replaces. A field table
    (a table under one named in ``FIELD_TABLES``) that sets ``type`` replaces the base's."""
    merged = dict(base)
    for key, value in override.items():
        replaces_field = (
            bool(path) and path[-1] in FIELD_TABLES and isinstance(value, Mapping)
        ) and "type" in value
        if (
            isinstance(value, Mapping)
            and isinstance(merged.get(key), Mapping)
            and not replaces_field
        ):
            merged[key] = merge(merged[key], value, (*path, key))
        else:
            merged[key] = value
    return merged


def _read_toml(source: str, text: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"{source}: not valid TOML: {exc}") from None
    return data


def _parent_text(name: str) -> str | None:
    """The rule set ``extends = NAME`` starts from: a built-in one, or a plugin family's own."""
    if name in BUILTIN_NAMES:
        return builtin_text(name)
    if not families.known(name):
        return None
    return get_family(name).ruleset_text()


def _resolve_extends(source: str, raw: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    header = raw.get("ruleset")
    parent = header.get("extends") if isinstance(header, Mapping) else None
    if parent is None:
        return raw
    if not isinstance(parent, str) or _parent_text(parent) is None:
        raise RuleSetError(
            f"{source}: ruleset.extends: unknown rule set {parent!r} "
            f"(built-in sets: {', '.join(BUILTIN_NAMES)})"
        )
    if depth > 4:
        raise RuleSetError(f"{source}: ruleset.extends: too deep")
    base = _resolve_extends(parent, _read_toml(parent, _parent_text(parent) or ""), depth + 1)
    merged = merge(base, raw)
    merged["ruleset"] = dict(merged["ruleset"])
    merged["ruleset"].pop("extends", None)
    inherited = base.get("ruleset", {}).get("exclude", [])
    own = header.get("exclude") if isinstance(header, Mapping) else None
    if isinstance(own, list) and isinstance(inherited, list):
        merged["ruleset"]["exclude"] = [*inherited, *(p for p in own if p not in inherited)]
    return merged


def parse_ruleset(source: str, text: str, builtin: bool = False) -> RuleSet:
    """Read a rule set and bind its family's options; ``RuleSetError`` names ``source`` and
    the bad key. A ``builtin`` set (shipped with mdvalidator, proven valid by the tests) skips
    validation: its options are built directly, so a run starts without the schema library."""
    raw = _read_toml(source, text)
    own_header = raw.get("ruleset")
    parent = own_header.get("extends") if isinstance(own_header, Mapping) else None
    raw = _resolve_extends(source, raw)
    header_raw = raw.get("ruleset")
    if not isinstance(header_raw, Mapping):
        raise RuleSetError(f"{source}: ruleset: missing table [ruleset] (name, family, files)")
    header = _header(source, header_raw)
    severities = _load_severities(source, raw.get("severity", {}))
    moves = _load_moves(source, raw[MOVES_TABLE], text) if MOVES_TABLE in raw else ()
    data = {k: v for k, v in raw.items() if k not in ("ruleset", "severity", MOVES_TABLE)}
    return RuleSet(
        name=header["name"],
        family=header["family"],
        source=source,
        files=header["files"],
        checks=_bind(source, header["family"], data, validate=not builtin),
        exclude=header["exclude"],
        description=header["description"],
        severities=severities,
        data=data,
        extends=parent if isinstance(parent, str) else "",
        builtin=builtin,
        moves=moves,
    )


def _load_moves(source: str, table: object, text: str) -> tuple[Move, ...]:
    try:
        return parse_moves(table, text)
    except MoveError as exc:
        where = f"{source}:{exc.line}" if exc.line else source
        raise RuleSetError(f"{where}: invalid rule set: {exc.message}") from None


def _bind(source: str, family: str, data: Mapping[str, object], validate: bool) -> Checks:
    try:
        return bind(get_family(family), data, validate)
    except OptionsError as exc:
        raise _error(source, exc.messages) from None


def with_override(ruleset: RuleSet, override: Mapping[str, object]) -> RuleSet:
    """``ruleset`` with ``override`` merged over its family's tables, options bound again
    (what a command-line setting such as ``--require-checksums`` asks of a family). The
    override is mdvalidator's own, valid data: nothing is validated again."""
    data = merge(ruleset.data, override)
    checks = _bind(ruleset.source, ruleset.family, data, validate=False)
    return dataclasses.replace(ruleset, data=data, checks=checks)


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
    """A built-in rule set (not validated: the tests prove every built-in set valid)."""
    return parse_ruleset(f"rules/{name}.toml", builtin_text(name), builtin=True)


def load_rulesets(extra_files: tuple[Path, ...] = ()) -> tuple[RuleSet, ...]:
    """The sets a run uses: the user's ``--rules`` files first, then the built-in ones.

    A user's set named like a built-in one, or extending it, takes its place: otherwise the
    built-in set would still check what the user's set excludes (a README excluded by
    ``my-hub`` would be checked by ``mindspore-hub``).
    """
    user = tuple(load_ruleset_file(path) for path in extra_files)
    replaced = {r.name for r in user} | {r.extends for r in user if r.extends}
    builtins = tuple(builtin_ruleset(n) for n in BUILTIN_NAMES if n not in replaced)
    return user + builtins


__all__ = [
    "RuleSet",
    "RuleSetError",
    "builtin_ruleset",
    "builtin_text",
    "load_ruleset_file",
    "load_rulesets",
    "merge",
    "parse_ruleset",
    "with_override",
]
