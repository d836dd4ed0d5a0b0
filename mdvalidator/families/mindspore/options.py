"""The card family's options: what its part of a rule set declares, as typed records.

No schema library here: these records are unpickled from the options cache on the fast path.
The marshmallow schema that builds them is in ``card_schema``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

VALUE_TYPES = (
    "string",
    "bool",
    "number",
    "date",
    "url",
    "version",
    "int-list",
    "shape",
    "sha256",
    "assets",
)
# Types whose value is a list: for them an empty list is an empty value (not a wrong type).
LIST_TYPES = frozenset({"int-list", "shape", "assets"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    required: bool = False
    type: str = "string"
    allowed: tuple[str, ...] = ()
    case_sensitive: bool = True
    split: str | None = None
    part: str = "whole"  # "whole" | "prefix" (before the first separator)
    separator: str = "-"
    pattern: re.Pattern[str] | None = None
    pattern_message: str | None = None  # said instead of the pattern when it does not match
    pattern_severity: str | None = None  # "error" | "warning" | "info"; default: MDV105's
    known: str | None = None  # name of a list in the rule set ("datasets")

    def allows(self, value: str) -> bool:
        if not self.allowed:
            return True
        if self.case_sensitive:
            return value in self.allowed
        return value.casefold() in {a.casefold() for a in self.allowed}

    def same_but_case(self, value: str) -> str | None:
        """The allowed value that ``value`` differs from only by case (case-sensitive lists)."""
        folded = value.casefold()
        return next((a for a in self.allowed if a.casefold() == folded), None)


@dataclass(frozen=True)
class CardSettings:
    title: bool = True
    translation_suffix: str = "_cn.md"
    platforms: tuple[str, ...] = ("cpu", "gpu", "ascend")
    version_field: str = "mindspore-version"
    backend_fields: tuple[str, ...] = ()
    file_name_pattern: re.Pattern[str] | None = None
    usage_id_pattern: re.Pattern[str] | None = None
    heading_colon: bool = True
    unknown_keys: bool = True
    # Keys whose 'key: -' means 'key: no' (the hub's tools rewrite it before reading YAML).
    dash_means_no: tuple[str, ...] = ()
    # When set, header values must not contain ':' except under these keys (the hub's rule).
    colon_allowed_in: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CardOptions:
    card: CardSettings
    fields: Mapping[str, FieldSpec]
    asset_fields: Mapping[str, FieldSpec]
    formats: Mapping[str, tuple[str, ...]]
    lists: Mapping[str, frozenset[str]]
