"""MDV101-MDV107: the header's fields, as the rule set's ``[fields.NAME]`` tables declare them.

The facts come from :func:`mdvalidator.fields.check_fields` (one field vocabulary for every
family); this module says them in the card family's words. ``asset`` items use the same words
through :func:`field_problems` (``rules.assets``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping

from mdvalidator.document import Mapping as Header
from mdvalidator.document import Scalar
from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject, show
from mdvalidator.fields import FieldSpec, Finding, Wrong, check_fields
from mdvalidator.problem import Problem, Severity
from mdvalidator.rule import Rule

W = Severity.WARNING
F = "mindspore-hub"

UNKNOWN_KEYS = Key(
    "unknown-keys",
    Kind.BOOL,
    True,
    "Keys that are not declared in [fields] are reported (warning), with a did-you-mean.",
)

MISSING_FIELD = Rule(
    "MDV101",
    "missing-field",
    "A required header field is missing.",
    "The rule set's [fields.NAME] tables with required = true list them; the hub's loader\n"
    "and validator need all of them. Reported at the header's closing '---'.\n"
    "Failing: a header without 'license:'.  Passing: 'license: Apache2.0'.",
    family=F,
)

EMPTY_FIELD = Rule(
    "MDV102",
    "empty-field",
    "A required header field is present but empty.",
    "Failing: 'author:' with nothing after it.  Passing: 'author: MindSpore team'.",
    family=F,
)

WRONG_TYPE = Rule(
    "MDV103",
    "wrong-type",
    "A header value is not of its declared type (bool, number, date, URL, version, ...).",
    "Types come from the rule set. Values are read as text, never converted: 'fine-tunable'\n"
    "must be true or false, 'update-time' a real date such as 2023-2-17, 'input-shape' a\n"
    "shape such as [224, 224, 3] (a multi-input model lists one per input: [[1, 128],\n"
    "[1, 128]]), 'accuracy' a number (not a list, not empty brackets), 'repo-link' an\n"
    "absolute http(s) URL (angle brackets allowed), versions dotted numbers such as 1.10\n"
    "(kept as text, so 1.10 is not 1.1).",
    family=F,
)

VALUE_NOT_ALLOWED = Rule(
    "MDV104",
    "value-not-allowed",
    "A header value is not one of the allowed values.",
    "Allowed values come from the rule set, with its split and case rules: 'used-for' is\n"
    "split on '/', 'module-type' is checked by the part before its first '-'; like the hub,\n"
    "both ignore case, and so do backends and file-format. Where case matters, a value that\n"
    "differs only by case is named as such.\n"
    "Failing: 'used-for: training'.  Passing: 'used-for: inference/transfer-learning'.",
    family=F,
)

PATTERN_MISMATCH = Rule(
    "MDV105",
    "pattern-mismatch",
    "A header value does not match the pattern its rule set declares.",
    "A [fields.NAME] table may set pattern = 'REGEX'; the whole value must match.",
    family=F,
)

UNKNOWN_KEY = Rule(
    "MDV106",
    "unknown-key",
    "A header key that the rule set does not declare (often a typo).",
    "Unknown keys are ignored by the hub, so a typo silently drops a value. The message\n"
    "suggests the closest declared key: 'asset_sha256' -> did you mean 'asset-sha256'?",
    severity=W,
    family=F,
)

UNKNOWN_DATASET = Rule(
    "MDV107",
    "unknown-dataset",
    "train-dataset is not in the hub's list of dataset names.",
    "The list is data in the rule set ([datasets] names) and went stale upstream, so this is\n"
    "a warning a hub can tune (add names, or set the severity to off). Like the hub, names\n"
    "compare ignoring case and a value joining known names with '_' (polarity_moviereview)\n"
    "is known; placeholders (N/A, N·A, -) are in the list.",
    severity=W,
    family=F,
)


def suggestion(key: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    candidates = list(known)
    normal = {c.casefold().replace("_", "-"): c for c in candidates}
    folded = key.casefold().replace("_", "-").replace(" ", "-")
    if folded in normal:
        return f" (did you mean {show(normal[folded])}?)"
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
    return f" (did you mean {show(close[0])}?)" if close else ""


def field_problems(
    path: str,
    mapping: Header,
    specs: Mapping[str, FieldSpec],
    options: CardOptions,
    missing_line: int,
    context: str = "",
    unknown_keys: bool = True,
    type_rules: Mapping[str, Rule] | None = None,
) -> Iterator[Problem]:
    """Every field check of one mapping against its declared fields, as problems."""
    findings = check_fields(mapping, specs, options.lists, unknown_keys)
    for finding in findings:
        yield _said(path, finding, specs, options, missing_line, context, type_rules or {})


def _said(
    path: str,
    finding: Finding,
    specs: Mapping[str, FieldSpec],
    options: CardOptions,
    missing_line: int,
    context: str,
    type_rules: Mapping[str, Rule],
) -> Problem:
    prefix = f"{context} " if context else ""
    name, node, spec = finding.name, finding.node, finding.spec
    label = f"{prefix}{name}"
    if finding.wrong is Wrong.MISSING:
        message = f"{prefix}required field {show(name)} is missing"
        return MISSING_FIELD.problem(path, missing_line, 1, message)
    assert node is not None
    if finding.wrong is Wrong.UNKNOWN_KEY:
        hint = suggestion(name, [*specs, *options.asset_fields, *options.fields])
        message = f"{prefix}unknown key {show(name)}{hint}"
        return UNKNOWN_KEY.problem(path, node.line, node.column, message)
    assert spec is not None
    at = (path, node.line, node.column)
    if finding.wrong is Wrong.EMPTY:
        return EMPTY_FIELD.problem(*at, f"{prefix}required field {show(name)} is empty")
    if finding.wrong is Wrong.TYPE:
        rule = type_rules.get(spec.type, WRONG_TYPE)
        shown = f": {show(node.text)}" if isinstance(node, Scalar) else ""
        return rule.problem(*at, f"{label} {finding.detail}{shown}")
    if finding.wrong is Wrong.NOT_ALLOWED:
        what = "part" if spec.part == "prefix" else "value"
        if finding.near is not None:
            why = f"differs only by case from {show(finding.near)} (case matters here)"
        else:
            why = f"is not allowed (allowed: {', '.join(spec.allowed)})"
        return VALUE_NOT_ALLOWED.problem(*at, f"{label} {what} {show(finding.detail)} {why}")
    if finding.wrong is Wrong.PATTERN:
        assert spec.pattern is not None
        why = spec.pattern_message or f"does not match the pattern {spec.pattern.pattern!r}"
        message = f"{label} {show(finding.detail)} {why}"
        return PATTERN_MISMATCH.problem(*at, message, severity=spec.pattern_severity)
    message = f"{label} {show(finding.detail)} is not in the {spec.known} list"
    return UNKNOWN_DATASET.problem(*at, message)


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    card = subject.card
    if card.header is None or card.header_lines is None:
        return
    yield from field_problems(
        card.path,
        card.header,
        options.fields,
        options,
        missing_line=card.header_lines[1],
        unknown_keys=options.card.get(UNKNOWN_KEYS),
    )


CHECK = CardRules(
    rules=(
        MISSING_FIELD,
        EMPTY_FIELD,
        WRONG_TYPE,
        VALUE_NOT_ALLOWED,
        PATTERN_MISMATCH,
        UNKNOWN_KEY,
        UNKNOWN_DATASET,
    ),
    keys=(UNKNOWN_KEYS,),
    check=check,
)
