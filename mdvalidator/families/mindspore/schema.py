"""The marshmallow schema of the card family's rule-set tables (imported only to validate).

Validation only: ``options.build_options`` builds the options from the same tables. The
``[card]`` table's schema is made from the keys the rule modules declare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.family import OptionsError
from mdvalidator.fields_schema import Strict, check_regex, field_tables


def _field(key: Key[object]) -> fields.Field[Any]:
    if key.kind is Kind.BOOL:
        return fields.Boolean(data_key=key.name)
    if key.kind is Kind.TEXTS:
        return fields.List(fields.String(), data_key=key.name)
    groups = 1 if key.kind is Kind.ID_PATTERN else 0
    if key.kind in (Kind.PATTERN, Kind.ID_PATTERN):
        return fields.String(validate=lambda text: check_regex(text, groups), data_key=key.name)
    return fields.String(data_key=key.name)


def _card_schema(keys: Iterable[Key[object]]) -> type[Schema]:
    attributes: dict[str, Any] = {key.name.replace("-", "_"): _field(key) for key in keys}
    return Strict.from_dict(attributes, name="CardSchema")


class _ListSchema(Strict):
    names = fields.List(fields.String(), required=True)


def _options_schema(keys: Iterable[Key[object]]) -> Schema:
    class CardOptionsSchema(Strict):
        card = fields.Nested(_card_schema(keys))
        fields_ = field_tables(data_key="fields", required=True)
        asset_fields = field_tables(data_key="asset-fields")
        formats = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
        datasets = fields.Nested(_ListSchema, allow_none=True)

        @validates_schema
        def _known_lists(self, data: dict[str, Any], **_: Any) -> None:
            lists = {"datasets"} if data.get("datasets") else set()
            for table, key in (("fields", "fields_"), ("asset-fields", "asset_fields")):
                for name, spec in (data.get(key) or {}).items():
                    known = spec.get("known")
                    if known is not None and known not in lists:
                        message = [f"no list named {known!r}"]
                        raise ValidationError({table: {name: {"known": message}}})

    return CardOptionsSchema()


def validate_options(data: Mapping[str, object], keys: Iterable[Key[object]]) -> None:
    """``OptionsError`` naming every bad key of the family's tables."""
    try:
        _options_schema(keys).load(dict(data))
    except ValidationError as exc:
        raise OptionsError(exc.messages) from None
