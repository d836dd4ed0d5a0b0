"""Reading a header that is not valid YAML, entry by entry.

A card's header is a flat list of ``key: value`` entries: each starts on a line at column 0
and goes on over the indented lines (and ``- `` list items) below it. When the whole header
does not parse, each entry is parsed alone, so the readable ones are checked as usual and each
broken one is reported at its own line; a broken entry's key is known to be present
(``Mapping.unreadable``), so it is not also reported missing. A line that does not start an
entry of its own (``2]`` ending a list begun above, say) is tried together with the entry
above it before it is reported.
"""

from __future__ import annotations

import re

from mdvalidator.document import Issue, IssueKind, Mapping, Node, Scalar, Sequence
from mdvalidator.families.mindspore.yamlbuild import Budget, Built, build
from mdvalidator.families.mindspore.yamlerrors import END_OF_YAML
from mdvalidator.sanitize import clean

# The key of a line that starts an entry: plain or quoted text, then ':' and a space or the end.
_KEY = re.compile(r"""("[^"\n]*"|'[^'\n]*'|[^\s#'"][^\n]*?)[ \t]*:(?:[ \t]|$)""")
_NOT_AN_ENTRY = {
    "list": "a list item ('- ') where 'key: value' lines were expected",
    "text": "a line that is not 'key: value' (the header is a list of key: value lines)",
}
_DOCUMENT_END = re.compile(r"(?:\.\.\.|---)(?:[ \t]|$)")
_MAX_JOINED = 3  # lines of their own tried together with the entry above (each a re-parse)


def _starts_entry(line: str) -> bool:
    if not line or line[0] in " \t#":
        return False
    return not (line[0] == "-" and (len(line) == 1 or line[1] in " \t"))


def _key_of(line: str) -> str | None:
    match = _KEY.match(line)
    if match is None:
        return None
    key = match.group(1)
    return key[1:-1] if key[:1] in "\"'" and len(key) > 1 else key


def _entries(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line ranges, 0-based: the lines before the first entry, then each entry."""
    starts = [i for i, line in enumerate(lines) if _starts_entry(line)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return list(zip(starts, [*starts[1:], len(lines)], strict=True))


class _Merged:
    """The pairs of every readable entry, in order, one per key."""

    def __init__(self) -> None:
        self.pairs: list[tuple[Scalar, Node]] = []
        self.first: dict[str, Scalar] = {}
        self.dups: set[str] = set()
        self.unreadable: set[str] = set()
        self.issues: list[Issue] = []

    def add(self, mapping: Mapping) -> None:
        self.dups |= mapping.duplicates
        self.unreadable |= mapping.unreadable
        for key, value in mapping.pairs:
            previous = self.first.get(key.text)
            if previous is not None:
                self.dups.add(key.text)
                message = f"duplicate key {clean(repr(key.text))} (first at line {previous.line})"
                self.issues.append(Issue(IssueKind.DUPLICATE_KEY, key.line, key.column, message))
                continue
            self.first[key.text] = key
            self.pairs.append((key, value))


def by_entries(
    text: str, line_offset: int, whole: Built
) -> tuple[Mapping | None, tuple[Issue, ...]]:
    """The header read entry by entry (``whole`` is what the one-piece parse found)."""
    lines = text.split("\n")
    entries = _entries(lines)
    if len(entries) < 2:
        return None, whole.issues
    budget = Budget()
    merged = _Merged()
    failed = False
    index = 0
    while index < len(entries):
        first, end = entries[index]
        if _DOCUMENT_END.match(lines[first]):
            merged.issues.append(Issue(IssueKind.SYNTAX, line_offset + first + 1, 1, END_OF_YAML))
            failed = True
            index += 1
            continue
        built = build("\n".join(lines[first:end]), line_offset + first, budget)
        joined = index
        # A line of its own that does not look like 'key:' may end a value begun above.
        while (
            built.failed
            and joined + 1 < len(entries)
            and joined - index < _MAX_JOINED
            and _key_of(lines[entries[joined + 1][0]]) is None
            and not budget.exhausted
        ):
            joined += 1
            trial = build("\n".join(lines[first : entries[joined][1]]), line_offset + first, budget)
            if not trial.failed:
                built, index = trial, joined
                break
        if budget.exhausted:
            too_complex = [i for i in built.issues if i.kind is IssueKind.TOO_COMPLEX]
            return None, tuple(too_complex or built.issues)
        merged.issues.extend(built.issues)
        failed = failed or built.failed
        root = built.root
        if isinstance(root, Mapping):
            merged.add(root)
        elif built.failed:
            key = _key_of(lines[first])
            if key is not None:
                merged.unreadable.add(key)
        elif root is not None:
            what = _NOT_AN_ENTRY["list" if isinstance(root, Sequence) else "text"]
            merged.issues.append(Issue(IssueKind.SYNTAX, root.line, root.column, what))
        index += 1
    if not failed and not any(i.kind is IssueKind.SYNTAX for i in merged.issues):
        merged.issues.extend(i for i in whole.issues if i.kind is IssueKind.SYNTAX)
    line, column = (merged.pairs[0][0].line, 1) if merged.pairs else (line_offset + 1, 1)
    root_mapping = Mapping(
        tuple(merged.pairs),
        line,
        column,
        frozenset(merged.dups),
        frozenset(merged.unreadable),
    )
    issues = sorted(merged.issues, key=lambda i: (i.line, i.column))
    return root_mapping, tuple(issues)
