"""The marshmallow schema of a field table (``[fields.NAME]``, ``[info.fields.NAME]``, ...).

Imported only to validate a rule set that is not built in: marshmallow costs more to import
than a one-card run takes. Validation only: :func:`mdvalidator.fields.build_field` builds the
spec from the same table, so the defaults live in one place.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from mdvalidator.value_types import TYPE_NAMES


def check_regex(text: str | None, groups: int = 0) -> None:
    """``ValidationError`` unless ``text`` compiles (with at least ``groups`` groups)."""
    if text is None:
        return
    try:
        pattern = re.compile(text, re.MULTILINE)
    except re.error as exc:
        raise ValidationError(f"not a valid regular expression: {exc}") from None
    if pattern.groups < groups:
        raise ValidationError("needs one capturing group: the model id")


class Strict(Schema):
    class Meta:
        unknown = "raise"


class FieldTableSchema(Strict):
    required = fields.Boolean()
    non_empty = fields.Boolean(data_key="non-empty")
    type = fields.String(validate=validate.OneOf(TYPE_NAMES))
    allowed = fields.List(fields.String())
    case_sensitive = fields.Boolean(data_key="case-sensitive")
    split = fields.String(validate=validate.Length(min=1))
    part = fields.String(validate=validate.OneOf(["whole", "prefix"]))
    separator = fields.String(validate=validate.Length(min=1))
    pattern = fields.String()
    pattern_message = fields.String(data_key="pattern-message", validate=validate.Length(min=1))
    pattern_severity = fields.String(
        data_key="pattern-severity", validate=validate.OneOf(["error", "warning", "info"])
    )
    known = fields.String()

    @validates("pattern")
    def _pattern_compiles(self, value: str | None, **_: Any) -> None:
        check_regex(value)


def field_tables(**kwargs: Any) -> fields.Dict:
    """A table of field tables (name -> field table)."""
    return fields.Dict(keys=fields.String(), values=fields.Nested(FieldTableSchema), **kwargs)


__all__ = ["FieldTableSchema", "Strict", "check_regex", "field_tables"]
