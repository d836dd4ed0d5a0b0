"""Pure checks shared by every store file: the JSON text, and keys, types and values as the
rule set declares them. No I/O here (see ``master`` and ``model`` for the file-specific checks).
"""

from __future__ import annotations

from collections.abc import Iterable

from mdvalidator.families.digits import rules as R
from mdvalidator.families.digits.jsonpos import (
    IssueKind,
    JsonArray,
    JsonObject,
    JsonScalar,
    JsonValue,
    Member,
    ParseResult,
)
from mdvalidator.families.digits.options import SectionOptions
from mdvalidator.problem import Problem
from mdvalidator.sanitize import clean

INFO_NAME = "info.json"


def show(value: object, limit: int = 80) -> str:
    """A value from a store file, fit to echo in a message."""
    return repr(clean(str(value), limit))


def unsafe_name_reason(name: str) -> str | None:
    """Why ``name`` is not one plain file or folder name, or ``None`` if it is."""
    if not name:
        return "it is empty"
    if name in (".", ".."):
        return f"{name!r} is not a folder of its own"
    if "/" in name or "\\" in name:
        return "it holds a path separator"
    if ":" in name:
        return "it holds ':' (a drive or stream name on Windows)"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "it holds control characters"
    if name != name.strip():
        return "it starts or ends with white space"
    return None


# ----------------------------------------------------------------------------- the JSON text


def json_problems(path: str, result: ParseResult) -> list[Problem]:
    """The parser's issues as problems."""
    rule_of = {
        IssueKind.SYNTAX: R.JSON_SYNTAX,
        IssueKind.DUPLICATE_KEY: R.JSON_DUPLICATE_KEY,
        IssueKind.NON_FINITE: R.JSON_NON_FINITE,
    }
    return [
        rule_of[issue.kind].problem(path, issue.line, issue.column, issue.message)
        for issue in result.issues
    ]


def root_object(
    path: str, result: ParseResult, what: str
) -> tuple[JsonObject | None, list[Problem]]:
    """The parsed root if it is an object, and the problems found so far."""
    problems = json_problems(path, result)
    root = result.root
    if root is None:
        return None, problems
    if not isinstance(root, JsonObject):
        problems.append(
            R.WRONG_TYPE.problem(path, root.line, root.column, f"{what} must hold a JSON object")
        )
        return None, problems
    return root, problems


# ---------------------------------------------------------------------- keys, types, values


def type_error(type_name: str, value: JsonValue) -> str | None:
    """Why ``value`` is not of the rule set's type ``type_name``, or ``None``."""
    scalar = value.value if isinstance(value, JsonScalar) else None
    scalar_ok = {
        "string": isinstance(scalar, str),
        "string-or-null": isinstance(value, JsonScalar)
        and (scalar is None or isinstance(scalar, str)),
        "integer": isinstance(scalar, int) and not isinstance(scalar, bool),
        "number": isinstance(scalar, int | float) and not isinstance(scalar, bool),
        "boolean": isinstance(scalar, bool),
    }
    if type_name in scalar_ok:
        return None if scalar_ok[type_name] else f"must be {_TYPE_WORDS[type_name]}"
    if type_name == "object":
        return None if isinstance(value, JsonObject) else "must be an object"
    if not isinstance(value, JsonArray):
        return f"must be {_TYPE_WORDS[type_name]}"
    if type_name == "string-list":
        bad = [
            i for i in value.items if not (isinstance(i, JsonScalar) and isinstance(i.value, str))
        ]
        return "must be a list of strings" if bad else None
    if type_name == "dimensions":
        ints = [
            i.value for i in value.items
            if isinstance(i, JsonScalar) and type(i.value) is int and i.value > 0
        ]  # fmt: skip
        ok = len(value.items) == 3 and len(ints) == 3
        return None if ok else "must be three positive integers [height, width, channels]"
    return None


_TYPE_WORDS = {
    "string": "a string",
    "string-or-null": "a string or null",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "list": "a list",
    "string-list": "a list of strings",
    "dimensions": "three positive integers [height, width, channels]",
}


def check_section(
    path: str, obj: JsonObject, section: SectionOptions, extra_required: Iterable[str] = ()
) -> list[Problem]:
    """Required, non-empty, known keys; types, allowed values and patterns."""
    problems: list[Problem] = []
    for key in (*section.required, *extra_required):
        if obj.get(key) is None:
            problems.append(
                R.MISSING_KEY.problem(path, obj.line, obj.column, f"missing key {key!r}")
            )
    known = set(section.known)
    for member in obj.members:
        key, value = member.key, member.value
        if known and key not in known:
            hint = _near_miss(key, known)
            problems.append(
                R.UNKNOWN_KEY.problem(
                    path, member.line, member.column, f"unknown key {show(key)}{hint}"
                )
            )
        type_name = section.types.get(key)
        error = type_error(type_name, value) if type_name else None
        if error:
            problems.append(
                R.WRONG_TYPE.problem(path, value.line, value.column, f"{key!r} {error}")
            )
            continue
        if not isinstance(value, JsonScalar) or not isinstance(value.value, str):
            continue
        problems.extend(_check_string(path, member, value, section))
    return problems


def _check_string(
    path: str, member: Member, value: JsonScalar, section: SectionOptions
) -> list[Problem]:
    key, text = member.key, str(value.value)
    at = (path, value.line, value.column)
    if not text.strip():
        if key in section.non_empty:
            return [R.EMPTY_VALUE.problem(*at, f"{key!r} is empty")]
        return []
    allowed = section.allowed.get(key)
    if allowed and text not in allowed:
        options = ", ".join(allowed)
        case = next((a for a in allowed if a.lower() == text.lower()), None)
        hint = f" (did you mean {case!r}? values are case-sensitive)" if case else ""
        return [
            R.VALUE_NOT_ALLOWED.problem(*at, f"{key!r} is {show(text)}; allowed: {options}{hint}")
        ]
    pattern = section.patterns.get(key)
    if pattern is not None and not pattern.search(text):
        return [
            R.VALUE_PATTERN.problem(*at, f"{key!r} is {show(text)}; expected {pattern.pattern}")
        ]
    return []


def _near_miss(key: str, known: set[str]) -> str:
    folded = key.lower().replace("_", " ").replace("-", " ").strip()
    match = next((k for k in sorted(known) if k.lower() == folded), None)
    return f" (did you mean {match!r}?)" if match else ""
