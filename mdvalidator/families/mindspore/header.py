"""Header field checks: required, empty, types, allowed values, patterns, unknown keys."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from functools import cache

from mdvalidator.families.mindspore import rules as R
from mdvalidator.families.mindspore.card import AssetCard
from mdvalidator.families.mindspore.options import LIST_TYPES, CardOptions, FieldSpec
from mdvalidator.families.mindspore.values import TYPE_CHECKS, is_empty
from mdvalidator.families.mindspore.yamlpos import Mapping as YamlMapping
from mdvalidator.families.mindspore.yamlpos import Node, Scalar
from mdvalidator.problem import Problem, Severity
from mdvalidator.rule import Rule
from mdvalidator.sanitize import clean


def show(text: str, limit: int = 80) -> str:
    """A value quoted for a message (cleaned and shortened; reporters escape further)."""
    return "'" + clean(text, limit) + "'"


def suggestion(key: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    candidates = list(known)
    normal = {c.casefold().replace("_", "-"): c for c in candidates}
    folded = key.casefold().replace("_", "-").replace(" ", "-")
    if folded in normal:
        return f" (did you mean {show(normal[folded])}?)"
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
    return f" (did you mean {show(close[0])}?)" if close else ""


def check_value(
    path: str,
    label: str,
    spec: FieldSpec,
    node: Node,
    lists: Mapping[str, frozenset[str]],
    type_rules: Mapping[str, Rule] | None = None,
) -> Iterator[Problem]:
    """Type, allowed values, pattern and known-list checks of one present, non-empty value."""
    error = TYPE_CHECKS[spec.type](node)
    if error is not None:
        rule = (type_rules or {}).get(spec.type, R.WRONG_TYPE)
        shown = f": {show(node.text)}" if isinstance(node, Scalar) else ""
        yield rule.problem(path, node.line, node.column, f"{label} {error}{shown}")
        return
    if not isinstance(node, Scalar):
        return
    text = node.text.strip()
    parts = [p.strip() for p in text.split(spec.split)] if spec.split else [text]
    if spec.part == "prefix":
        parts = [p.split(spec.separator, 1)[0] for p in parts]
    bad = [p for p in parts if not spec.allows(p)]
    if bad:
        what = "part" if spec.part == "prefix" else "value"
        near = spec.same_but_case(bad[0]) if spec.case_sensitive else None
        if near is not None:
            why = f"differs only by case from {show(near)} (case matters here)"
        else:
            why = f"is not allowed (allowed: {', '.join(spec.allowed)})"
        yield R.VALUE_NOT_ALLOWED.problem(
            path, node.line, node.column, f"{label} {what} {show(bad[0])} {why}"
        )
    if spec.pattern is not None and not spec.pattern.fullmatch(text):
        why = spec.pattern_message or f"does not match the pattern {spec.pattern.pattern!r}"
        level = Severity.parse(spec.pattern_severity) if spec.pattern_severity else None
        yield R.PATTERN_MISMATCH.problem(
            path, node.line, node.column, f"{label} {show(text)} {why}", severity=level
        )
    if spec.known is not None and not _known(text, spec, lists.get(spec.known, frozenset())):
        yield R.UNKNOWN_DATASET.problem(
            path, node.line, node.column, f"{label} {show(text)} is not in the {spec.known} list"
        )


def _known(text: str, spec: FieldSpec, names: frozenset[str]) -> bool:
    """Whether a value is in a known-names list: whole, or every part of it when the field
    splits (the hub joins several datasets with '_'); ignoring case unless case matters."""
    if not spec.case_sensitive:
        names = _folded(names)
        text = text.casefold()
    if text in names:
        return True
    if spec.split is None or spec.split not in text:
        return False
    return all(part.strip() in names for part in text.split(spec.split))


@cache
def _folded(names: frozenset[str]) -> frozenset[str]:
    """``names`` case-folded, once per list."""
    return frozenset(n.casefold() for n in names)


def check_fields(
    path: str,
    mapping: YamlMapping,
    specs: Mapping[str, FieldSpec],
    options: CardOptions,
    missing_line: int,
    context: str = "",
    unknown_keys: bool = True,
    type_rules: Mapping[str, Rule] | None = None,
) -> Iterator[Problem]:
    """All field checks of one mapping against its declared fields."""
    prefix = f"{context} " if context else ""
    for name, spec in specs.items():
        node = mapping.get(name)
        key = mapping.key(name)
        if node is None or key is None:
            if spec.required and name not in mapping.unreadable:
                yield R.MISSING_FIELD.problem(
                    path, missing_line, 1, f"{prefix}required field {show(name)} is missing"
                )
            continue
        if is_empty(node, spec.type in LIST_TYPES):
            if spec.required:
                yield R.EMPTY_FIELD.problem(
                    path, key.line, key.column, f"{prefix}required field {show(name)} is empty"
                )
            continue
        yield from check_value(path, f"{prefix}{name}", spec, node, options.lists, type_rules)
    if not unknown_keys:
        return
    for key, _ in mapping.pairs:
        if key.text not in specs:
            hint = suggestion(key.text, [*specs, *options.asset_fields, *options.fields])
            yield R.UNKNOWN_KEY.problem(
                path, key.line, key.column, f"{prefix}unknown key {show(key.text)}{hint}"
            )


def check_header(card: AssetCard, options: CardOptions) -> Iterator[Problem]:
    if card.header is None or card.header_lines is None:
        return
    yield from check_fields(
        card.path,
        card.header,
        options.fields,
        options,
        missing_line=card.header_lines[1],
        unknown_keys=options.card.unknown_keys,
    )
    if options.card.colon_allowed_in is not None:
        yield from check_colons(card.path, card.header, options.card.colon_allowed_in)


def check_colons(path: str, header: YamlMapping, allowed_in: Iterable[str]) -> Iterator[Problem]:
    """The hub's rule: no ':' in any header value (what ``str(value)`` shows), but under
    ``allowed_in``. A mapping value always shows one."""
    exempt = set(allowed_in)
    for key, value in header.pairs:
        if key.text in exempt:
            continue
        at = _colon_at(value)
        if at is None:
            continue
        shown = f" {show(at.text)}" if isinstance(at, Scalar) else " (a mapping)"
        yield R.COLON_IN_VALUE.problem(
            path,
            at.line,
            at.column,
            f"{show(key.text)} has ':' in its value{shown}; the hub's validator refuses it "
            f"(':' may only appear under {', '.join(sorted(exempt)) or 'no key'})",
        )


def _colon_at(node: Node) -> Node | None:
    if isinstance(node, Scalar):
        return node if ":" in node.text else None
    if isinstance(node, YamlMapping):
        return node if node.pairs else None
    return next((n for n in map(_colon_at, node.items) if n is not None), None)
