"""The header values the loader reads, with their lines: from plain data or a parsed header.

The checks take :class:`CardValues` only, so they do not depend on the card parser. Two ways in:
:func:`from_plain` (a mapping of key -> text or list of mappings, and key -> line) and
:func:`from_header` (the parser's :class:`mdvalidator.document.Mapping`). A key given
twice is left out: YAML loaders keep its last value, so what the loader reads is not certain
(the integrity rules report the duplicate).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping as PlainMapping
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from mdvalidator.loadability.loader_facts import (
    ASSET_KEY,
    FORMAT_KEY,
    LINK_KEY,
    MODEL_NAME_KEY,
    REPO_LINK_KEY,
)
from mdvalidator.loadability.weights import AssetValue

if TYPE_CHECKING:
    from mdvalidator.document import Mapping
    from mdvalidator.families.mindspore.card import AssetCard

__all__ = ["CardValues", "Located", "from_card", "from_header", "from_plain", "load_call_line"]


@cache
def _import_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``import mindspore_hub [as X]`` and ``from mindspore_hub import ... load`` (compiled on
    first use: only the conf check asks, so the offline lint path does not pay for them)."""
    return (
        re.compile(r"^\s*import\s+mindspore_hub(?:\s+as\s+(\w+))?\s*(?:#.*)?$", re.M),
        re.compile(r"^\s*from\s+mindspore_hub\s+import\s+[^#\n]*\bload\b", re.M),
    )


@dataclass(frozen=True)
class Located:
    text: str
    line: int


@dataclass(frozen=True)
class CardValues:
    repo_link: Located | None = None
    model_name: Located | None = None
    assets: tuple[AssetValue, ...] = ()
    line: int = 1  # where a finding about the card as a whole goes (the header)
    # The line of a mindspore_hub.load(...) call in the card's code blocks (its Usage), or 0:
    # the card does not say it loads with the hub's loader.
    load_call: int = 0


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def from_plain(
    values: PlainMapping[str, object],
    lines: PlainMapping[str, int] | None = None,
    load_call: int = 0,
) -> CardValues:
    """From ``{"repo-link": "...", "model-name": "...", "asset": [{...}, ...]}``.

    ``lines`` maps keys to lines; asset items use ``asset[I]`` and ``asset[I].asset-link``
    (I from 0), falling back to the ``asset`` line. Missing lines are 1. ``load_call``: see
    :attr:`CardValues.load_call`.
    """
    at = dict(lines or {})

    def located(key: str) -> Located | None:
        text = _text(values.get(key))
        return Located(text, at.get(key, 1)) if text is not None else None

    assets: list[AssetValue] = []
    items = values.get(ASSET_KEY)
    if isinstance(items, list):
        base = at.get(ASSET_KEY, 1)
        for index, item in enumerate(items):
            if not isinstance(item, PlainMapping):
                continue
            line = at.get(f"{ASSET_KEY}[{index}]", base)
            link_line = at.get(f"{ASSET_KEY}[{index}].{LINK_KEY}", line)
            fmt, link = _text(item.get(FORMAT_KEY)), _text(item.get(LINK_KEY))
            assets.append(AssetValue(index, fmt, link, line, link_line))
    name = located(MODEL_NAME_KEY)
    return CardValues(located(REPO_LINK_KEY), name, tuple(assets), load_call=load_call)


def from_header(header: Mapping, line: int = 1) -> CardValues:
    """From a parsed header (values stay as written: no YAML typing)."""
    from mdvalidator.document import Mapping, Scalar, Sequence

    def located(key: str) -> Located | None:
        node = header.get(key)
        if key in header.duplicates or not isinstance(node, Scalar) or not node.text.strip():
            return None
        return Located(node.text, node.line)

    assets: list[AssetValue] = []
    items = header.get(ASSET_KEY)
    if isinstance(items, Sequence) and ASSET_KEY not in header.duplicates:
        for index, item in enumerate(items.items):
            if not isinstance(item, Mapping):
                continue
            fmt, link = item.get(FORMAT_KEY), item.get(LINK_KEY)
            fmt_text = (
                fmt.text if isinstance(fmt, Scalar) and FORMAT_KEY not in item.duplicates else None
            )
            link_text = (
                link.text if isinstance(link, Scalar) and LINK_KEY not in item.duplicates else None
            )
            link_line = link.line if isinstance(link, Scalar) else item.line
            assets.append(
                AssetValue(index, _text(fmt_text), _text(link_text), item.line, link_line)
            )
    return CardValues(located(REPO_LINK_KEY), located(MODEL_NAME_KEY), tuple(assets), line)


def load_call_line(blocks: Iterable[tuple[int, str]]) -> int:
    """The card line of the first ``mindspore_hub.load(`` call (under any alias it is imported
    as) in code blocks given as (line of the first content line, content); 0 when none."""
    import_as, from_import = _import_patterns()
    for first, content in blocks:
        aliases = {"mindspore_hub", "mshub"}  # mshub: the alias every hub snippet uses
        aliases.update(m.group(1) for m in import_as.finditer(content) if m.group(1))
        names = [rf"\b{re.escape(a)}\.load\s*\(" for a in sorted(aliases)]
        if from_import.search(content):
            names.append(r"(?<![\w.])load\s*\(")
        found = re.search("|".join(names), content)
        if found:
            return first + content.count("\n", 0, found.start())
    return 0


def from_card(card: AssetCard, load_call: bool = True) -> CardValues:
    """From a parsed card: its header, and (``load_call``; only the conf check needs it, the
    offline checks skip its cost) whether its code blocks call the loader."""
    if card.header is None:
        return CardValues()
    line = card.header_lines[1] if card.header_lines else 1
    values = from_header(card.header, line)
    if not load_call:
        return values
    calls = load_call_line((block.line, block.content) for block in card.code_blocks)
    return replace(values, load_call=calls)
