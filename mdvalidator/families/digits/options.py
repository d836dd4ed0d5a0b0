"""The DIGITS family's tables of a rule set, validated with marshmallow into frozen options.

``rules/digits-model-store.toml`` holds the data (required keys, types, allowed values,
patterns, caps); a hub overrides any of it with its own TOML that ``extends`` the built-in set.
Unknown keys anywhere raise, so a typo in a rule set is refused rather than ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

# Value types a rule set may give a key (see ``checks.type_error``).
TYPE_NAMES = (
    "string", "string-or-null", "string-list", "integer", "number", "boolean", "object", "list",
    "dimensions",
)  # fmt: skip


@dataclass(frozen=True)
class SectionOptions:
    """What one JSON file must hold: master.json, info.json or aux.json."""

    required: tuple[str, ...] = ()
    non_empty: tuple[str, ...] = ()
    known: tuple[str, ...] = ()
    types: Mapping[str, str] = field(default_factory=dict)
    allowed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    # glob patterns of keys whose values name files next to the JSON file ("* file", "logo")
    file_keys: tuple[str, ...] = ()
    # file keys that may be "" (generic datasets have no mean file)
    may_be_empty: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameworkOptions:
    required: tuple[str, ...] = ()
    weights: tuple[str, ...] = ()
    # for a snapshot prefix ending in one of ``weights``: the suffixes of its real files
    checkpoint_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class InfoOptions:
    section: SectionOptions
    model_keys: tuple[str, ...]
    no_snapshot: tuple[str, ...]
    done_status: str
    frameworks: Mapping[str, FrameworkOptions]


@dataclass(frozen=True)
class ChecksumOptions:
    file: str = "SHA256SUMS"
    required: bool = False


@dataclass(frozen=True)
class ArchiveOptions:
    max_members: int = 1000
    max_bytes: int = 16 * 1024**3
    info_name: str = "info.json"
    # members may declare at most ``max_ratio`` bytes per byte of archive, once they declare
    # more than ``ratio_from_bytes`` (small archives of text compress well and harm nobody)
    max_ratio: int = 100
    ratio_from_bytes: int = 64 * 1024**2

    def expansion_cap(self, archive_bytes: int) -> int:
        """The most bytes the members of an archive of ``archive_bytes`` may declare."""
        return min(self.max_bytes, max(archive_bytes * self.max_ratio, self.ratio_from_bytes))


@dataclass(frozen=True)
class DigitsOptions:
    master: SectionOptions
    info: InfoOptions
    aux: SectionOptions
    checksums: ChecksumOptions = ChecksumOptions()
    archive: ArchiveOptions = ArchiveOptions()
    max_depth: int = 64


def _strings(**kwargs: Any) -> fields.List[str]:
    return fields.List(fields.String(validate=validate.Length(min=1)), **kwargs)


def _compile(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValidationError(f"not a valid regular expression: {exc}") from None


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _SectionSchema(_Strict):
    required = _strings(load_default=list)
    non_empty = _strings(data_key="non-empty", load_default=list)
    known = _strings(load_default=list)
    types = fields.Dict(
        keys=fields.String(),
        values=fields.String(validate=validate.OneOf(TYPE_NAMES)),
        load_default=dict,
    )
    allowed = fields.Dict(
        keys=fields.String(), values=_strings(validate=validate.Length(min=1)), load_default=dict
    )
    patterns = fields.Dict(
        keys=fields.String(), values=fields.String(validate=_compile), load_default=dict
    )
    file_keys = _strings(data_key="file-keys", load_default=list)
    may_be_empty = _strings(data_key="may-be-empty", load_default=list)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> SectionOptions:
        return SectionOptions(
            required=tuple(data["required"]),
            non_empty=tuple(data["non_empty"]),
            known=tuple(data["known"]),
            types=dict(data["types"]),
            allowed={k: tuple(v) for k, v in data["allowed"].items()},
            patterns={k: re.compile(v) for k, v in data["patterns"].items()},
            file_keys=tuple(data["file_keys"]),
            may_be_empty=tuple(data["may_be_empty"]),
        )


class _FrameworkSchema(_Strict):
    required = _strings(load_default=list)
    weights = _strings(load_default=list)
    checkpoint_files = _strings(data_key="checkpoint-files", load_default=list)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> FrameworkOptions:
        return FrameworkOptions(
            tuple(data["required"]), tuple(data["weights"]), tuple(data["checkpoint_files"])
        )


class _InfoSchema(_SectionSchema):
    model_keys = _strings(data_key="model-keys", load_default=list)
    no_snapshot = _strings(data_key="no-snapshot", load_default=list)
    done_status = fields.String(data_key="done-status", load_default="Done")
    frameworks = fields.Dict(
        keys=fields.String(), values=fields.Nested(_FrameworkSchema), load_default=dict
    )

    @post_load
    def build(self, data: dict[str, Any], **kwargs: Any) -> InfoOptions:
        extra = {k: data.pop(k) for k in ("model_keys", "no_snapshot", "done_status", "frameworks")}
        section = super().build(data, **kwargs)
        return InfoOptions(
            section=section,
            model_keys=tuple(extra["model_keys"]),
            no_snapshot=tuple(extra["no_snapshot"]),
            done_status=extra["done_status"],
            frameworks=dict(extra["frameworks"]),
        )


class _ChecksumSchema(_Strict):
    file = fields.String(load_default="SHA256SUMS", validate=validate.Regexp(r"^[^/\\]+$"))
    required = fields.Boolean(load_default=False)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> ChecksumOptions:
        return ChecksumOptions(**data)


class _ArchiveSchema(_Strict):
    max_members = fields.Integer(
        data_key="max-members", load_default=1000, validate=validate.Range(min=1)
    )
    max_bytes = fields.Integer(
        data_key="max-bytes", load_default=16 * 1024**3, validate=validate.Range(min=1)
    )
    info_name = fields.String(data_key="info-name", load_default="info.json")
    max_ratio = fields.Integer(
        data_key="max-ratio", load_default=100, validate=validate.Range(min=1)
    )
    ratio_from_bytes = fields.Integer(
        data_key="ratio-from-bytes", load_default=64 * 1024**2, validate=validate.Range(min=0)
    )

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> ArchiveOptions:
        return ArchiveOptions(**data)


class _JsonSchema(_Strict):
    max_depth = fields.Integer(
        data_key="max-depth", load_default=64, validate=validate.Range(min=2, max=500)
    )


class DigitsSchema(_Strict):
    master = fields.Nested(_SectionSchema, required=True)
    info = fields.Nested(_InfoSchema, required=True)
    aux = fields.Nested(_SectionSchema, required=True)
    checksums = fields.Nested(_ChecksumSchema, load_default=ChecksumOptions)
    archive = fields.Nested(_ArchiveSchema, load_default=ArchiveOptions)
    json = fields.Nested(_JsonSchema, load_default=lambda: {"max_depth": 64})

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> DigitsOptions:
        return DigitsOptions(
            master=data["master"],
            info=data["info"],
            aux=data["aux"],
            checksums=data["checksums"],
            archive=data["archive"],
            max_depth=data["json"]["max_depth"],
        )


def load_options(data: Mapping[str, Any]) -> DigitsOptions:
    """Validate the family's tables; raises ``marshmallow.ValidationError`` naming the keys."""
    options: DigitsOptions = DigitsSchema().load(dict(data))
    return options
