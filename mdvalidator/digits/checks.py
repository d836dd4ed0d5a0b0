"""Pure checks of parsed store files: a document, the rule set's options and a view of the
folder around it in; problems out. No I/O here: folder views are built by ``folder``,
``archive`` or ``remote`` and handed in.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mdvalidator.digits import rules as R
from mdvalidator.digits.jsonpos import (
    IssueKind,
    JsonArray,
    JsonObject,
    JsonScalar,
    JsonValue,
    Member,
    ParseResult,
)
from mdvalidator.digits.options import DigitsOptions, InfoOptions, SectionOptions
from mdvalidator.problem import Problem
from mdvalidator.sanitize import clean

SNAPSHOT_KEY = "snapshot file"
FRAMEWORK_KEY = "framework"
STATUS_KEY = "status"
CHILDREN_KEY = "children"
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


@dataclass(frozen=True)
class FolderView:
    """What is known about the folder next to a checked file.

    ``files`` are regular files known to be there; ``unknown`` maps names that could not be
    looked at (a live store's network error) to the reason; every other name is missing.
    ``checksums`` holds the names SHA256SUMS lists, or ``None`` when the folder has none.
    """

    files: frozenset[str] = frozenset()
    unknown: Mapping[str, str] = field(default_factory=dict)
    checksums: frozenset[str] | None = None
    check_checksums: bool = True


@dataclass(frozen=True)
class FileRef:
    """A file that a key of info.json or aux.json names, at the value's position."""

    key: str
    name: str
    line: int
    column: int


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


# ----------------------------------------------------------------------------- master.json


def children(obj: JsonObject) -> list[JsonScalar]:
    """The string entries of ``children`` (empty if the key is missing or malformed)."""
    member = obj.get(CHILDREN_KEY)
    if member is None or not isinstance(member.value, JsonArray):
        return []
    return [i for i in member.value.items if isinstance(i, JsonScalar) and isinstance(i.value, str)]


def safe_children(obj: JsonObject) -> list[str]:
    """Child names that are safe to look up, without repeats, in order."""
    names: list[str] = []
    for item in children(obj):
        name = str(item.value)
        if unsafe_name_reason(name) is None and name not in names:
            names.append(name)
    return names


def check_master(path: str, obj: JsonObject, options: DigitsOptions) -> list[Problem]:
    problems = check_section(path, obj, options.master)
    seen: dict[str, int] = {}
    for item in children(obj):
        name = str(item.value)
        at = (path, item.line, item.column)
        reason = unsafe_name_reason(name)
        if reason:
            problems.append(
                R.UNSAFE_CHILD_NAME.problem(*at, f"child {show(name)} is unsafe: {reason}")
            )
        elif name in seen:
            problems.append(
                R.DUPLICATE_CHILD.problem(
                    *at, f"child {show(name)} is already listed at line {seen[name]}"
                )
            )
        else:
            seen[name] = item.line
    return problems


@dataclass(frozen=True)
class StoreView:
    """The store folder around master.json: which children hold an info.json."""

    with_info: frozenset[str]
    # names whose state is unknown (e.g. a live store's fetch failed), with the reason
    unknown: Mapping[str, str] = field(default_factory=dict)
    # folders seen that hold an info.json (local stores only; ``None`` when not listable)
    all_models: frozenset[str] | None = None


def check_master_layout(path: str, obj: JsonObject, store: StoreView) -> list[Problem]:
    """Each listed child has an info.json; every model folder is listed."""
    member = obj.get(CHILDREN_KEY)
    if member is None or not isinstance(member.value, JsonArray):
        return []  # reported as a missing key or a wrong type
    problems: list[Problem] = []
    listed = set()
    for item in children(obj):
        name = str(item.value)
        if unsafe_name_reason(name) is not None or name in listed:
            continue
        listed.add(name)
        if name in store.with_info or name in store.unknown:
            continue
        problems.append(
            R.CHILD_MISSING.problem(
                path, item.line, item.column, f"child {show(name)} has no {INFO_NAME}"
            )
        )
    if store.all_models is not None:
        for name in sorted(store.all_models - listed):
            problems.append(
                R.CHILD_NOT_LISTED.problem(
                    path,
                    member.line,
                    member.column,
                    f"folder {show(name)} holds an {INFO_NAME} but is not in 'children'",
                )
            )
    return problems


# ------------------------------------------------------------------------ info.json, aux.json


def _string_member(obj: JsonObject, key: str) -> tuple[Member, str] | None:
    member = obj.get(key)
    if member is None or not isinstance(member.value, JsonScalar):
        return None
    if not isinstance(member.value.value, str):
        return None
    return member, member.value.value


def framework_of(obj: JsonObject, info: InfoOptions) -> str | None:
    found = _string_member(obj, FRAMEWORK_KEY)
    if found is None or found[1] not in info.frameworks:
        return None
    return found[1]


def file_refs(
    obj: JsonObject, section: SectionOptions, info: InfoOptions | None = None
) -> list[FileRef]:
    """Every file the document names (TensorFlow prefixes expanded), plain names only."""
    refs: list[FileRef] = []
    framework = framework_of(obj, info) if info else None
    checkpoint = info.frameworks[framework].checkpoint_files if info and framework else ()
    weights = info.frameworks[framework].weights if info and framework else ()
    for member in obj.members:
        if not any(fnmatch.fnmatchcase(member.key, p) for p in section.file_keys):
            continue
        found = _string_member(obj, member.key)
        if found is None or found[0] is not member:
            continue
        name = found[1]
        if not name.strip() or unsafe_name_reason(name):
            continue
        if info and member.key == SNAPSHOT_KEY and name in info.no_snapshot:
            continue
        value = member.value
        names = [name]
        if member.key == SNAPSHOT_KEY and checkpoint and name.endswith(weights):
            names = [name + suffix for suffix in checkpoint]
        refs.extend(FileRef(member.key, n, value.line, value.column) for n in names)
    return refs


def _file_key_problems(path: str, obj: JsonObject, section: SectionOptions) -> list[Problem]:
    problems: list[Problem] = []
    for member in obj.members:
        if not any(fnmatch.fnmatchcase(member.key, p) for p in section.file_keys):
            continue
        value = member.value
        at = (path, value.line, value.column)
        if not (isinstance(value, JsonScalar) and isinstance(value.value, str)):
            if member.key not in section.types:
                problems.append(
                    R.WRONG_TYPE.problem(*at, f"{member.key!r} must be a file name (a string)")
                )
            continue
        name = value.value
        if not name:
            if member.key not in section.may_be_empty and member.key not in section.non_empty:
                problems.append(R.EMPTY_VALUE.problem(*at, f"{member.key!r} names no file"))
            continue
        reason = unsafe_name_reason(name)
        if reason:
            problems.append(
                R.UNSAFE_FILE_NAME.problem(*at, f"{member.key!r} is {show(name)}: {reason}")
            )
    return problems


def check_files_present(
    path: str, refs: Iterable[FileRef], folder: FolderView, checksum_name: str
) -> list[Problem]:
    problems: list[Problem] = []
    for ref in refs:
        at = (path, ref.line, ref.column)
        if ref.name in folder.unknown:
            problems.append(
                R.STORE_FILE_UNREACHABLE.problem(
                    *at, f"{ref.name!r} ({ref.key}): {folder.unknown[ref.name]}"
                )
            )
        elif ref.name not in folder.files:
            problems.append(
                R.REFERENCED_FILE_MISSING.problem(
                    *at, f"{ref.key!r} names {show(ref.name)}, which is not in the folder"
                )
            )
        elif (
            folder.check_checksums
            and folder.checksums is not None
            and ref.name not in folder.checksums
        ):
            problems.append(
                R.CHECKSUM_NOT_LISTED.problem(
                    *at, f"{show(ref.name)} ({ref.key}) is not listed in {checksum_name}"
                )
            )
    return problems


def check_info(
    path: str, obj: JsonObject, options: DigitsOptions, folder: FolderView
) -> list[Problem]:
    info = options.info
    framework = framework_of(obj, info)
    extra = info.frameworks[framework].required if framework else ()
    problems = check_section(path, obj, info.section, extra)
    problems.extend(_model_definition(path, obj, info))
    problems.extend(_snapshot(path, obj, info, framework))
    status = _string_member(obj, STATUS_KEY)
    if status and status[1] != info.done_status and status[1]:
        value = status[0].value
        problems.append(
            R.STATUS_NOT_DONE.problem(
                path,
                value.line,
                value.column,
                f"status is {show(status[1])}, not {info.done_status!r}",
            )
        )
    problems.extend(_file_key_problems(path, obj, info.section))
    refs = file_refs(obj, info.section, info)
    problems.extend(check_files_present(path, refs, folder, options.checksums.file))
    if folder.check_checksums and folder.checksums is None and options.checksums.required:
        problems.append(
            R.CHECKSUMS_MISSING.problem(
                path, 0, 0, f"the model folder has no {options.checksums.file}"
            )
        )
    return problems


def _model_definition(path: str, obj: JsonObject, info: InfoOptions) -> list[Problem]:
    if not info.model_keys:
        return []
    current, *legacy = info.model_keys
    if obj.get(current) is not None:
        return []
    for key in legacy:
        member = obj.get(key)
        if member is not None:
            return [
                R.LEGACY_MODEL_KEY.problem(
                    path, member.line, member.column, f"{key!r} is the legacy name of {current!r}"
                )
            ]
    names = " or ".join(repr(k) for k in info.model_keys)
    return [R.MISSING_KEY.problem(path, obj.line, obj.column, f"missing model definition: {names}")]


def _snapshot(
    path: str, obj: JsonObject, info: InfoOptions, framework: str | None
) -> list[Problem]:
    found = _string_member(obj, SNAPSHOT_KEY)
    if found is None:
        return []
    member, name = found
    at = (path, member.value.line, member.value.column)
    if name in info.no_snapshot:
        return [
            R.NO_SNAPSHOT.problem(*at, f"{SNAPSHOT_KEY!r} is {name!r}: the job saved no weights")
        ]
    weights = info.frameworks[framework].weights if framework else ()
    if weights and name.strip() and not name.endswith(weights):
        expected = " or ".join(weights)
        return [
            R.WEIGHTS_EXTENSION.problem(
                *at, f"{framework} weights end in {expected}, not {show(name)}"
            )
        ]
    return []


def check_aux(
    path: str, obj: JsonObject, options: DigitsOptions, folder: FolderView
) -> list[Problem]:
    problems = check_section(path, obj, options.aux)
    problems.extend(_file_key_problems(path, obj, options.aux))
    refs = file_refs(obj, options.aux)
    view = FolderView(folder.files, folder.unknown, None, check_checksums=False)
    problems.extend(check_files_present(path, refs, view, options.checksums.file))
    return problems
