"""A card's YAML header read into positioned records, without implicit typing.

The header is read event by event (libyaml's parser when available, ``yamlbuild``) into the
records of :mod:`mdvalidator.document`, whose scalars stay text, so ``mindspore-version: 1.10``
is ``"1.10"`` and ``update-time: 2023-2-17`` is not a date object. Nothing is constructed: no
tags, no Python objects, no alias expansion (aliases are reported, since a card has no use for
them). Building from events, not from PyYAML's node graph, lets the caps stop the parse as soon
as they are reached, so memory stays bounded whatever the header holds.

A header that is not valid YAML is read again entry by entry (``recover``), so one bad line
never hides the problems of the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from mdvalidator.document import Issue, Node
from mdvalidator.families.mindspore import recover
from mdvalidator.families.mindspore.yamlbuild import Budget, build


@dataclass(frozen=True)
class YamlResult:
    root: Node | None
    issues: tuple[Issue, ...]


def parse_yaml(text: str, line_offset: int = 0) -> YamlResult:
    """Read ``text``; positions are shifted by ``line_offset`` lines (the header's start)."""
    budget = Budget()
    result = build(text, line_offset, budget)
    if result.failed and not budget.exhausted:
        root, issues = recover.by_entries(text, line_offset, result)
        return YamlResult(root, issues)
    return YamlResult(result.root, result.issues)
