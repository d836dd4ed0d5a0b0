"""Pure checks shared by every store file: the JSON text, and its keys as the rule set's field
tables declare them (:func:`mdvalidator.fields.check_fields`, said in this family's words). No
I/O here (see ``master`` and ``model`` for the file-specific checks).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mdvalidator.document import Issue, IssueKind, Mapping, Scalar
from mdvalidator.families.digits import rules as R
from mdvalidator.families.digits.jsonread import ParseResult
from mdvalidator.families.digits.options import SectionOptions
from mdvalidator.fields import Finding, Wrong, check_fields
from mdvalidator.problem import Problem
from mdvalidator.sanitize import clean

INFO_NAME = "info.json"
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tar.xz")
ZIP_SUFFIXES = (".zip",)


def is_archive(name: str) -> bool:
    """A snapshot archive's name (tarballs DIGITS' Download button writes, and zip files)."""
    return name.lower().endswith(TAR_SUFFIXES + ZIP_SUFFIXES)


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

_ISSUE_RULES = {
    IssueKind.SYNTAX: R.JSON_SYNTAX,
    IssueKind.DUPLICATE_KEY: R.JSON_DUPLICATE_KEY,
    IssueKind.NON_FINITE: R.JSON_NON_FINITE,
}


def json_problems(path: str, issues: Iterable[Issue]) -> list[Problem]:
    """The parser's issues as problems."""
    return [
        _ISSUE_RULES[issue.kind].problem(path, issue.line, issue.column, issue.message)
        for issue in issues
    ]


def root_object(path: str, result: ParseResult, what: str) -> tuple[Mapping | None, list[Problem]]:
    """The parsed root if it is an object, and the problems found so far."""
    problems = json_problems(path, result.issues)
    root = result.root
    if root is None:
        return None, problems
    if not isinstance(root, Mapping):
        problems.append(
            R.WRONG_TYPE.problem(path, root.line, root.column, f"{what} must hold a JSON object")
        )
        return None, problems
    return root, problems


# --------------------------------------------------------------------- keys, types, values


def check_section(
    path: str, obj: Mapping, section: SectionOptions, extra_required: Iterable[str] = ()
) -> list[Problem]:
    """The section's fields (required, non-empty, known keys, types, allowed values,
    patterns) and the ``extra_required`` keys of a framework."""
    findings = check_fields(obj, section.fields, unknown_keys=bool(section.fields), typed=True)
    problems = [p for finding in findings for p in _said(path, obj, finding, section)]
    for key in extra_required:
        if obj.get(key) is None:
            problems.append(
                R.MISSING_KEY.problem(path, obj.line, obj.column, f"missing key {key!r}")
            )
    return problems


def _said(path: str, obj: Mapping, finding: Finding, section: SectionOptions) -> Iterator[Problem]:
    """A finding in this family's words, at the value (the key for an unknown key)."""
    key, spec = finding.name, finding.spec
    if finding.wrong is Wrong.MISSING:
        yield R.MISSING_KEY.problem(path, obj.line, obj.column, f"missing key {key!r}")
        return
    if finding.wrong is Wrong.UNKNOWN_KEY:
        node = finding.node
        assert node is not None
        hint = _near_miss(key, set(section.fields))
        yield R.UNKNOWN_KEY.problem(path, node.line, node.column, f"unknown key {show(key)}{hint}")
        return
    value = obj.get(key)
    assert value is not None and spec is not None
    at = (path, value.line, value.column)
    text = value.text if isinstance(value, Scalar) else ""
    if finding.wrong is Wrong.EMPTY:
        yield R.EMPTY_VALUE.problem(*at, f"{key!r} is empty")
    elif finding.wrong is Wrong.TYPE:
        yield R.WRONG_TYPE.problem(*at, f"{key!r} {finding.detail}")
    elif finding.wrong in (Wrong.NOT_ALLOWED, Wrong.NOT_KNOWN):
        options = ", ".join(spec.allowed) if spec.allowed else f"the {spec.known} list"
        hint = (
            f" (did you mean {finding.near!r}? values are case-sensitive)" if finding.near else ""
        )
        yield R.VALUE_NOT_ALLOWED.problem(*at, f"{key!r} is {show(text)}; allowed: {options}{hint}")
    elif finding.wrong is Wrong.PATTERN and spec.pattern is not None:
        expected = spec.pattern_message or f"expected {spec.pattern.pattern}"
        level = spec.pattern_severity
        yield R.VALUE_PATTERN.problem(*at, f"{key!r} is {show(text)}; {expected}", level)


def _near_miss(key: str, known: set[str]) -> str:
    folded = key.lower().replace("_", " ").replace("-", " ").strip()
    match = next((k for k in sorted(known) if k.lower() == folded), None)
    return f" (did you mean {match!r}?)" if match else ""
