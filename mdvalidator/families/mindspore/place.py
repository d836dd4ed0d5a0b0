"""Where a card lives: publisher, platform, version folder, its id, and translations.

Cards live in ``assets/<publisher>/[<platform>/]<version>/<model>_<dataset>.md``; a translation
is ``<english card name><suffix>`` (``_cn.md``) beside its English card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from mdvalidator.families.mindspore.keys import CardSettings, Key, Kind

TRANSLATION_SUFFIX = Key(
    "translation-suffix",
    Kind.TEXT,
    "_cn.md",
    "Translations of a card: '<english card name><suffix>'; only their English card is required.",
)
PLATFORMS = Key(
    "platforms",
    Kind.TEXTS,
    ("cpu", "gpu", "ascend"),
    "Folder names that are platforms in the older layout <publisher>/<platform>/<version>/.",
)
KEYS = (TRANSLATION_SUFFIX, PLATFORMS)

_VERSION_FOLDER = re.compile(r"^v?\d+(\.\d+)+$")


@dataclass(frozen=True)
class CardPlace:
    """What a card's path says: publisher, platform, version folder, the card's id."""

    version: str | None
    platform: str | None
    model_id: str | None
    name: str  # file name; translations mapped to their English card's name


def english_name(name: str, suffix: str) -> str | None:
    """``x_cn.md`` -> ``x.md`` for a translation, else None."""
    if suffix and name.endswith(suffix) and len(name) > len(suffix):
        return name[: -len(suffix)] + ".md"
    return None


def place_of(path: str, settings: CardSettings) -> CardPlace:
    parts = PurePosixPath(path).parts
    name = parts[-1]
    name = english_name(name, settings.get(TRANSLATION_SUFFIX)) or name
    stem = name[:-3] if name.endswith(".md") else name
    if len(parts) < 3 or not _VERSION_FOLDER.match(parts[-2]):
        return CardPlace(None, None, None, name)
    version = parts[-2]
    platforms = {p.casefold() for p in settings.get(PLATFORMS)}
    if len(parts) >= 4 and parts[-3].casefold() in platforms:
        return CardPlace(version, parts[-3], "/".join([*parts[-4:-1], stem]), name)
    return CardPlace(version, None, "/".join([*parts[-3:-1], stem]), name)
