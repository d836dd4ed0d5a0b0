"""MDV301-MDV303 and MDV310-MDV315, checked in every store file: the JSON text, and its keys
as the rule set's field tables declare them (:func:`mdvalidator.fields.check_fields`, said in
this family's words). No I/O here (see ``master`` and ``model`` for the file-specific checks).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mdvalidator.document import Issue, IssueKind, Mapping, Scalar
from mdvalidator.families.digits.jsonread import ParseResult
from mdvalidator.families.digits.options import SectionOptions
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.fields import Finding, Wrong, check_fields
from mdvalidator.problem import Problem, Severity
from mdvalidator.sanitize import clean

JSON_SYNTAX = rule(
    "MDV301",
    "json-syntax",
    "A store file is not valid JSON",
    """
DIGITS reads master.json, info.json and aux.json with Python's json module; one bad file makes
the whole store list fail with HTTP 500. Reported at the error's line and column, naming the
usual hand-editing slips: trailing commas, single quotes, comments, True/None, invalid UTF-8,
nesting deeper than the rule set's `json.max-depth`.

Failing:  {'msg': 'My store', 'children': ['lenet',]}
Passing:  {"msg": "My store", "children": ["lenet"]}
""",
)

JSON_DUPLICATE_KEY = rule(
    "MDV302",
    "json-duplicate-key",
    "A JSON object repeats a key",
    """
JSON parsers disagree on repeated keys; Python keeps the last, so the first value is silently
ignored. Reported at the repeated key, as an error that nothing in the file can turn off.
Everything else is checked on the value DIGITS uses, the last: with `"snapshot file"` given
twice, the file that must exist (and be listed in SHA256SUMS) is the second one, never the
first, so a store cannot show a checked file while DIGITS imports another.

Failing:  {"framework": "caffe", "name": "LeNet", "framework": "torch"}
Passing:  {"framework": "caffe", "name": "LeNet"}
""",
)

JSON_NON_FINITE = rule(
    "MDV303",
    "json-non-finite-number",
    "NaN or Infinity where JSON allows only numbers",
    """
Python writes and reads NaN and Infinity, but they are not JSON: browsers and most other
clients reject the file.

Failing:  {"accuracy": NaN}
Passing:  {"accuracy": 0.98}
""",
)

MISSING_KEY = rule(
    "MDV310",
    "store-missing-key",
    "A required key is missing",
    """
DIGITS indexes these keys directly: master.json needs `msg` and `children`; importing a model
needs info.json's `framework`, `name`, `snapshot file` and a model definition (`model file`, or
the legacy `network file`); Caffe jobs also carry `deploy file`, `solver file` and
`train_val file`. The list is data: `required` in rules/digits-model-store.toml.

Failing:  {"msg": "No children key"}
Passing:  {"msg": "My store", "children": []}
""",
)

WRONG_TYPE = rule(
    "MDV311",
    "store-wrong-type",
    "A value has the wrong JSON type",
    """
Each known key has a type (`types` in the rule set): `children` a list of strings, `name` a
string, `image dimensions` three positive integers [height, width, channels].

Failing:  "image dimensions": [28, 28]
Passing:  "image dimensions": [28, 28, 1]
""",
)

VALUE_NOT_ALLOWED = rule(
    "MDV312",
    "store-value-not-allowed",
    "A value is not one of the allowed values",
    """
DIGITS 6 knows three frameworks and raises on any other; `image resize mode` and `mean
subtraction` take fixed values. The lists are data (`allowed` in the rule set).

Failing:  "framework": "Caffe"
Passing:  "framework": "caffe"
""",
)

EMPTY_VALUE = rule(
    "MDV313",
    "store-empty-value",
    "A value that must say something is empty",
    """
An empty `name` shows an empty row in the store; an empty file name names no file.

Failing:  "name": ""
Passing:  "name": "LeNet"
""",
)

UNKNOWN_KEY = rule(
    "MDV314",
    "store-unknown-key",
    "A key DIGITS neither writes nor reads",
    """
Usually a typo (`snapshot_file`), which then also shows as a missing key. The known keys are
data (`known` in the rule set); a hub that adds its own keys lists them there.

Failing:  "snapshot_file": "snapshot_iter_28140.caffemodel"
Passing:  "snapshot file": "snapshot_iter_28140.caffemodel"
""",
    Severity.WARNING,
)

VALUE_PATTERN = rule(
    "MDV315",
    "store-value-pattern",
    "A value does not have the expected form",
    """
Job ids look like `20171020-140211-4a2b` and creation times like `2017-10-20 14:02:11.532145`;
a value in another form was edited by hand. The patterns are data (`patterns`).

Failing:  "id": "lenet"
Passing:  "id": "20171020-140211-4a2b"
""",
    Severity.WARNING,
)


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
    IssueKind.SYNTAX: JSON_SYNTAX,
    IssueKind.DUPLICATE_KEY: JSON_DUPLICATE_KEY,
    IssueKind.NON_FINITE: JSON_NON_FINITE,
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
            WRONG_TYPE.problem(path, root.line, root.column, f"{what} must hold a JSON object")
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
            problems.append(MISSING_KEY.problem(path, obj.line, obj.column, f"missing key {key!r}"))
    return problems


def _said(path: str, obj: Mapping, finding: Finding, section: SectionOptions) -> Iterator[Problem]:
    """A finding in this family's words, at the value (the key for an unknown key)."""
    key, spec = finding.name, finding.spec
    if finding.wrong is Wrong.MISSING:
        yield MISSING_KEY.problem(path, obj.line, obj.column, f"missing key {key!r}")
        return
    if finding.wrong is Wrong.UNKNOWN_KEY:
        node = finding.node
        assert node is not None
        hint = _near_miss(key, set(section.fields))
        yield UNKNOWN_KEY.problem(path, node.line, node.column, f"unknown key {show(key)}{hint}")
        return
    value = obj.get(key)
    assert value is not None and spec is not None
    at = (path, value.line, value.column)
    text = value.text if isinstance(value, Scalar) else ""
    if finding.wrong is Wrong.EMPTY:
        yield EMPTY_VALUE.problem(*at, f"{key!r} is empty")
    elif finding.wrong is Wrong.TYPE:
        yield WRONG_TYPE.problem(*at, f"{key!r} {finding.detail}")
    elif finding.wrong in (Wrong.NOT_ALLOWED, Wrong.NOT_KNOWN):
        options = ", ".join(spec.allowed) if spec.allowed else f"the {spec.known} list"
        hint = (
            f" (did you mean {finding.near!r}? values are case-sensitive)" if finding.near else ""
        )
        yield VALUE_NOT_ALLOWED.problem(*at, f"{key!r} is {show(text)}; allowed: {options}{hint}")
    elif finding.wrong is Wrong.PATTERN and spec.pattern is not None:
        expected = spec.pattern_message or f"expected {spec.pattern.pattern}"
        level = spec.pattern_severity
        yield VALUE_PATTERN.problem(*at, f"{key!r} is {show(text)}; {expected}", level)


def _near_miss(key: str, known: set[str]) -> str:
    folded = key.lower().replace("_", " ").replace("-", " ").strip()
    match = next((k for k in sorted(known) if k.lower() == folded), None)
    return f" (did you mean {match!r}?)" if match else ""


RULES = (
    JSON_SYNTAX,
    JSON_DUPLICATE_KEY,
    JSON_NON_FINITE,
    MISSING_KEY,
    WRONG_TYPE,
    VALUE_NOT_ALLOWED,
    EMPTY_VALUE,
    UNKNOWN_KEY,
    VALUE_PATTERN,
)
