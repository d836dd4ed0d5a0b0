"""The JSON report's contract, defined once: every key, its type and its bounds.

``mdvalidator --format json`` writes exactly this (``json_report.report_object``); a report is
read back through it (``json_report.load_report``: the publishers, ``report merge``); its JSON
Schema (``fixtures/golden/report.schema.json``, what other tools validate against) is generated
from it (``json_schema``). The writer promises every key; the reader also takes reports that
leave out what has a ``default`` and ignores keys it does not know, so that a report of a later
minor version still loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mdvalidator.digests import SHA256_HEX
from mdvalidator.problem import AssetStatus, Severity
from mdvalidator.rule import CODE_PATTERN, NAME_PATTERN

VERSION = 1
# Lines and columns past this are not positions in any file a hub holds (and GitHub keeps
# annotation positions as 32-bit integers).
MAX_POSITION = 2**31 - 1

_UNSET = object()


@dataclass(frozen=True)
class Key:
    """One key of a report object."""

    name: str
    type: str  # "string" | "integer" | "list" (of ``items``)
    minimum: int | None = None
    maximum: int | None = None  # checked on reading (the schema leaves it open)
    min_length: int | None = None
    read_min_length: int | None = None  # the reader's own, when it differs
    pattern: str | None = None  # the writer's promise (the reader takes any string)
    choices: tuple[str, ...] = ()
    const: int | None = None
    items: str | None = None  # list: the name of the objects it holds
    nullable: bool = False  # the writer may write null
    read_nullable: bool = False  # the reader takes null
    default: object = field(default=_UNSET, compare=False)  # the reader's, when it is left out
    description: str = ""

    @property
    def optional(self) -> bool:
        return self.default is not _UNSET


SEVERITIES = tuple(s.label for s in sorted(Severity, reverse=True))  # worst first
STATUSES = tuple(s.value for s in AssetStatus)

PROBLEM: tuple[Key, ...] = (
    Key("path", "string", min_length=1),
    Key("line", "integer", 0, MAX_POSITION, description="1-based; 0 means the whole file"),
    Key("column", "integer", 0, MAX_POSITION, description="1-based; 0 when unknown"),
    Key("rule", "string", pattern=CODE_PATTERN.pattern.replace(r"\d", "[0-9]")),
    Key("name", "string", pattern=NAME_PATTERN.pattern),
    Key("severity", "string", choices=SEVERITIES),
    Key("message", "string"),
)
ASSET: tuple[Key, ...] = (
    Key("path", "string", min_length=1, read_min_length=0),
    Key("line", "integer", 0, MAX_POSITION),
    Key("url", "string"),
    Key("expected", "string", read_nullable=True),
    Key("actual", "string", pattern=f"^{SHA256_HEX}$", nullable=True, default=None),
    Key("bytes", "integer", minimum=0, read_nullable=True, default=0),
    Key("status", "string", choices=STATUSES),
)
REPORT: tuple[Key, ...] = (
    Key("version", "integer", const=VERSION),
    Key("status", "string", choices=("pass", "fail")),
    Key("checked", "integer", minimum=0),
    Key("problems", "list", items="problem"),
    Key("assets", "list", items="asset", default=()),
)
OBJECTS: Mapping[str, tuple[Key, ...]] = {"problem": PROBLEM, "asset": ASSET}


def _property(key: Key) -> dict[str, object]:
    if key.items is not None:
        return {"type": "array", "items": {"$ref": f"#/$defs/{key.items}"}}
    if key.const is not None:
        return {"const": key.const}
    if key.choices:
        return {"enum": list(key.choices)}
    shape: dict[str, object] = {"type": key.type}
    if key.min_length is not None:
        shape["minLength"] = key.min_length
    if key.pattern is not None:
        shape["pattern"] = key.pattern
    if key.minimum is not None:
        shape["minimum"] = key.minimum
    if key.description:
        shape["description"] = key.description
    if key.nullable:
        return {"oneOf": [shape, {"type": "null"}]}
    return shape


def _object(keys: tuple[Key, ...]) -> dict[str, object]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [k.name for k in keys],
        "properties": {k.name: _property(k) for k in keys},
    }


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of what the writer promises."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://mdvalidator.invalid/schemas/report-{VERSION}.json",
        "title": f"mdvalidator JSON report, version {VERSION}",
        "description": (
            "The object `mdvalidator --format json` writes (see DESIGN.md, 'Contracts')."
        ),
        **_object(REPORT),
        "$defs": {name: _object(keys) for name, keys in OBJECTS.items()},
    }


__all__ = ["ASSET", "MAX_POSITION", "OBJECTS", "PROBLEM", "REPORT", "VERSION", "Key", "json_schema"]
