"""Requests checked against an OpenAPI-shaped description subset, for the stand-in forges.

The publishers' stand-ins (tests/publish) and the service's (tests/serve) answer only what the
forge's own description holds, and report every request that does not fit it: an unknown
operation, a path parameter of the wrong type, an unknown, repeated or missing query
parameter, a body where none is taken (or missing), a body that fails the schema (formats
such as date-time checked) or carries a field the schema does not name.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

_FORMATS = FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


class SpecCheck:
    """The operations of a description subset; ``{path}`` (a file path) may hold slashes."""

    def __init__(self, spec_file: Path) -> None:
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        self.routes: list[tuple[str, re.Pattern[str], str, dict[str, Any]]] = []
        self._validators: dict[int, Draft7Validator] = {}
        for template, methods in spec["paths"].items():
            regex = re.sub(
                r"\{(\w+)\}",
                lambda m: f"(?P<{m[1]}>{'.+' if m[1] == 'path' else '[^/]+'})",
                template,
            )
            for method, op in methods.items():
                self.routes.append((method.upper(), re.compile(f"^{regex}$"), template, op))

    def match(self, method: str, path: str) -> tuple[str, dict[str, Any], dict[str, str]] | None:
        # Literal segments win over parameters (/pulls/comments/1 is not /pulls/{number}/...).
        found = [
            (template, op, m.groupdict())
            for verb, pattern, template, op in self.routes
            if verb == method and (m := pattern.match(path))
        ]
        found.sort(key=lambda hit: hit[0].count("{"))
        return found[0] if found else None

    def errors(
        self,
        op: dict[str, Any],
        path_args: dict[str, str],
        query: dict[str, list[str]],
        content_type: str,
        raw: bytes,
    ) -> list[str]:
        problems: list[str] = []
        params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        for name, value in path_args.items():
            schema = params[("path", name)]["schema"]
            if schema.get("type") == "integer" and not value.isdigit():
                problems.append(f"path parameter {name}={value!r} is not an integer")
        for name, values in query.items():
            param = params.get(("query", name))
            if param is None:
                problems.append(f"unknown query parameter {name!r}")
                continue
            if len(values) != 1:
                problems.append(f"query parameter {name!r} given {len(values)} times")
            problems += self._schema_errors(
                param["schema"], _typed(values[0], param["schema"]), name
            )
        for (where, name), param in params.items():
            if where == "query" and param.get("required") and name not in query:
                problems.append(f"missing required query parameter {name!r}")
        body_spec = op.get("requestBody")
        if body_spec is None:
            if raw:
                problems.append("a body was sent to an operation that takes none")
            return problems
        if not raw:
            if body_spec.get("required"):
                problems.append("missing request body")
            return problems
        if not content_type.startswith("application/json"):
            problems.append(f"body content type {content_type!r} is not application/json")
            return problems
        try:
            body = json.loads(raw)
        except ValueError:
            return [*problems, "body is not JSON"]
        schema = body_spec["content"]["application/json"]["schema"]
        return (
            problems
            + self._schema_errors(schema, body, "body")
            + _unknown_keys(schema, body, "body")
        )

    def _schema_errors(self, schema: dict[str, Any], instance: object, where: str) -> list[str]:
        # One compiled validator per schema of the description (they live as long as it).
        validator = self._validators.get(id(schema))
        if validator is None:
            validator = Draft7Validator(schema, format_checker=_FORMATS)
            self._validators[id(schema)] = validator
        return [
            f"{where}: {e.json_path}: {e.message[:200]}" for e in validator.iter_errors(instance)
        ]


def _typed(value: str, schema: dict[str, Any]) -> object:
    if schema.get("type") == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _unknown_keys(schema: dict[str, Any], instance: object, where: str) -> list[str]:
    """Forges ignore unknown fields silently; a misspelt field is a bug we want to see."""
    found: list[str] = []
    if isinstance(instance, dict) and "properties" in schema:
        for key, value in instance.items():
            if key not in schema["properties"]:
                found.append(f"{where}: unknown field {key!r}")
            else:
                found += _unknown_keys(schema["properties"][key], value, f"{where}.{key}")
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(instance):
            found += _unknown_keys(schema["items"], item, f"{where}[{index}]")
    return found
