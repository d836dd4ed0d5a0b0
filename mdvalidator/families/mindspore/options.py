"""The card family's options: what its part of a rule set declares, as typed records.

:func:`build_options` builds them from tables already known to be valid (the built-in set, or
one ``schema`` validated), with no schema library: it runs on every start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mdvalidator.families.mindspore.keys import CardSettings, Key, build_settings
from mdvalidator.fields import FieldSpec, build_fields


@dataclass(frozen=True)
class CardOptions:
    card: CardSettings  # the [card] table, read through the rules' keys
    fields: Mapping[str, FieldSpec]  # [fields.NAME]: the header's keys
    asset_fields: Mapping[str, FieldSpec]  # [asset-fields.NAME]: each asset item's keys
    formats: Mapping[str, tuple[str, ...]]  # file-format -> link extensions
    lists: Mapping[str, frozenset[str]]  # lists of known names ("datasets")


def _table(data: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def build_options(data: Mapping[str, object], keys: Iterable[Key[object]]) -> CardOptions:
    """The options of valid tables; ``keys``: every ``[card]`` key the family's rules read."""
    lists: dict[str, frozenset[str]] = {}
    datasets = _table(data, "datasets").get("names")
    if isinstance(datasets, list):
        lists["datasets"] = frozenset(str(n) for n in datasets)
    formats = {
        str(name).casefold(): tuple(str(e) for e in extensions)
        for name, extensions in _table(data, "formats").items()
        if isinstance(extensions, list)
    }
    return CardOptions(
        card=build_settings(keys, _table(data, "card")),
        fields=build_fields(data.get("fields")),
        asset_fields=build_fields(data.get("asset-fields")),
        formats=formats,
        lists=lists,
    )
