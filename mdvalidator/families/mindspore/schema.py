"""The marshmallow schema of the card family's rule-set tables (imported only to validate)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from mdvalidator.families.mindspore.options import VALUE_TYPES, CardOptions, CardSettings, FieldSpec


def _compile(text: str | None) -> re.Pattern[str] | None:
    if text is None:
        return None
    try:
        return re.compile(text, re.MULTILINE)
    except re.error as exc:
        raise ValidationError(f"not a valid regular expression: {exc}") from None


class _Strict(Schema):
    class Meta:
        unknown = "raise"


class _FieldSchema(_Strict):
    required = fields.Boolean(load_default=False)
    type = fields.String(load_default="string", validate=validate.OneOf(VALUE_TYPES))
    allowed = fields.List(fields.String(), load_default=list)
    case_sensitive = fields.Boolean(data_key="case-sensitive", load_default=True)
    split = fields.String(load_default=None, validate=validate.Length(min=1))
    part = fields.String(load_default="whole", validate=validate.OneOf(["whole", "prefix"]))
    separator = fields.String(load_default="-", validate=validate.Length(min=1))
    pattern = fields.String(load_default=None)
    pattern_message = fields.String(
        data_key="pattern-message", load_default=None, validate=validate.Length(min=1)
    )
    pattern_severity = fields.String(
        data_key="pattern-severity",
        load_default=None,
        validate=validate.OneOf(["error", "warning", "info"]),
    )
    known = fields.String(load_default=None)

    @validates("pattern")
    def _pattern_compiles(self, value: str | None, **_: Any) -> None:
        _compile(value)


class _CardSchema(_Strict):
    title = fields.Boolean(load_default=True)
    translation_suffix = fields.String(data_key="translation-suffix", load_default="_cn.md")
    platforms = fields.List(fields.String(), load_default=lambda: ["cpu", "gpu", "ascend"])
    version_field = fields.String(data_key="version-field", load_default="mindspore-version")
    backend_fields = fields.List(fields.String(), data_key="backend-fields", load_default=list)
    file_name_pattern = fields.String(data_key="file-name-pattern", load_default=None)
    usage_id_pattern = fields.String(data_key="usage-id-pattern", load_default=None)
    heading_colon = fields.Boolean(data_key="heading-colon", load_default=True)
    unknown_keys = fields.Boolean(data_key="unknown-keys", load_default=True)
    dash_means_no = fields.List(fields.String(), data_key="dash-means-no", load_default=list)
    colon_allowed_in = fields.List(
        fields.String(), data_key="colon-allowed-in", load_default=None, allow_none=True
    )

    @validates("file_name_pattern")
    def _file_pattern(self, value: str | None, **_: Any) -> None:
        _compile(value)

    @validates("usage_id_pattern")
    def _usage_pattern(self, value: str | None, **_: Any) -> None:
        pattern = _compile(value)
        if pattern is not None and pattern.groups < 1:
            raise ValidationError("needs one capturing group: the model id")


class _ListSchema(_Strict):
    names = fields.List(fields.String(), required=True)


class CardOptionsSchema(_Strict):
    card = fields.Nested(_CardSchema, load_default=dict)
    fields_ = fields.Dict(
        data_key="fields", keys=fields.String(), values=fields.Nested(_FieldSchema), required=True
    )
    asset_fields = fields.Dict(
        data_key="asset-fields",
        keys=fields.String(),
        values=fields.Nested(_FieldSchema),
        load_default=dict,
    )
    formats = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), load_default=dict
    )
    datasets = fields.Nested(_ListSchema, load_default=None, allow_none=True)

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> CardOptions:
        card = data["card"]
        settings = CardSettings(
            title=card["title"],
            translation_suffix=card["translation_suffix"],
            platforms=tuple(card["platforms"]),
            version_field=card["version_field"],
            backend_fields=tuple(card["backend_fields"]),
            file_name_pattern=_compile(card["file_name_pattern"]),
            usage_id_pattern=_compile(card["usage_id_pattern"]),
            heading_colon=card["heading_colon"],
            unknown_keys=card["unknown_keys"],
            dash_means_no=tuple(card["dash_means_no"]),
            colon_allowed_in=(
                None if card["colon_allowed_in"] is None else tuple(card["colon_allowed_in"])
            ),
        )
        lists: dict[str, frozenset[str]] = {}
        if data["datasets"] is not None:
            lists["datasets"] = frozenset(data["datasets"]["names"])
        spec_tables = {"fields": data["fields_"], "asset-fields": data["asset_fields"]}
        specs = {table: _specs(raw, table, lists) for table, raw in spec_tables.items()}
        return CardOptions(
            card=settings,
            fields=specs["fields"],
            asset_fields=specs["asset-fields"],
            formats={k.casefold(): tuple(v) for k, v in data["formats"].items()},
            lists=lists,
        )


def _specs(
    raw: Mapping[str, Mapping[str, Any]], table: str, lists: Mapping[str, frozenset[str]]
) -> dict[str, FieldSpec]:
    specs: dict[str, FieldSpec] = {}
    for name, spec in raw.items():
        if spec["known"] is not None and spec["known"] not in lists:
            raise ValidationError({table: {name: {"known": [f"no list named {spec['known']!r}"]}}})
        specs[name] = FieldSpec(
            name=name,
            required=spec["required"],
            type=spec["type"],
            allowed=tuple(spec["allowed"]),
            case_sensitive=spec["case_sensitive"],
            split=spec["split"],
            part=spec["part"],
            separator=spec["separator"],
            pattern=_compile(spec["pattern"]),
            pattern_message=spec["pattern_message"],
            pattern_severity=spec["pattern_severity"],
            known=spec["known"],
        )
    return specs


def load_card_options(data: Mapping[str, Any]) -> CardOptions:
    options: CardOptions = CardOptionsSchema().load(data)
    return options
