"""The marshmallow schema of the DIGITS family's rule-set tables (imported only to validate).

Unknown keys anywhere raise, so a typo in a rule set is refused rather than ignored. Validation
only: :func:`.options.build_options` builds the options from the same tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, ValidationError, fields, validate

from mdvalidator.family import OptionsError
from mdvalidator.fields_schema import Strict, field_tables


def _strings(**kwargs: Any) -> fields.List[str]:
    return fields.List(fields.String(validate=validate.Length(min=1)), **kwargs)


class _SectionSchema(Strict):
    fields_ = field_tables(data_key="fields")
    file_keys = _strings(data_key="file-keys")
    may_be_empty = _strings(data_key="may-be-empty")


class _FrameworkSchema(Strict):
    required = _strings()
    weights = _strings()
    checkpoint_files = _strings(data_key="checkpoint-files")


class _InfoSchema(_SectionSchema):
    model_keys = _strings(data_key="model-keys")
    no_snapshot = _strings(data_key="no-snapshot")
    done_status = fields.String(data_key="done-status")
    frameworks = fields.Dict(keys=fields.String(), values=fields.Nested(_FrameworkSchema))


class _ChecksumSchema(Strict):
    file = fields.String(validate=validate.Regexp(r"^[^/\\]+$"))
    required = fields.Boolean()


class _ArchiveSchema(Strict):
    max_members = fields.Integer(data_key="max-members", validate=validate.Range(min=1))
    max_bytes = fields.Integer(data_key="max-bytes", validate=validate.Range(min=1))
    info_name = fields.String(data_key="info-name")
    max_ratio = fields.Integer(data_key="max-ratio", validate=validate.Range(min=1))
    ratio_from_bytes = fields.Integer(data_key="ratio-from-bytes", validate=validate.Range(min=0))


class _JsonSchema(Strict):
    max_depth = fields.Integer(data_key="max-depth", validate=validate.Range(min=2, max=500))


class DigitsSchema(Strict):
    master = fields.Nested(_SectionSchema, required=True)
    info = fields.Nested(_InfoSchema, required=True)
    aux = fields.Nested(_SectionSchema, required=True)
    checksums = fields.Nested(_ChecksumSchema)
    archive = fields.Nested(_ArchiveSchema)
    json = fields.Nested(_JsonSchema)

    class Meta:
        unknown = RAISE


def validate_options(data: Mapping[str, object]) -> None:
    """``OptionsError`` naming every bad key of the family's tables."""
    try:
        DigitsSchema().load(dict(data))
    except ValidationError as exc:
        raise OptionsError(exc.messages) from None
