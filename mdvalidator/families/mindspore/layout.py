"""Checks that tie a card to where it lives: folders, file name, Usage id, title, headings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mdvalidator.families.mindspore import rules as R
from mdvalidator.families.mindspore.card import AssetCard
from mdvalidator.families.mindspore.header import show
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.yamlpos import Scalar
from mdvalidator.problem import Problem

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


def place_of(path: str, options: CardOptions) -> CardPlace:
    parts = PurePosixPath(path).parts
    name = parts[-1]
    name = english_name(name, options.card.translation_suffix) or name
    stem = name[:-3] if name.endswith(".md") else name
    if len(parts) < 3 or not _VERSION_FOLDER.match(parts[-2]):
        return CardPlace(None, None, None, name)
    version = parts[-2]
    platforms = {p.casefold() for p in options.card.platforms}
    if len(parts) >= 4 and parts[-3].casefold() in platforms:
        return CardPlace(version, parts[-3], "/".join([*parts[-4:-1], stem]), name)
    return CardPlace(version, None, "/".join([*parts[-3:-1], stem]), name)


def _header_scalar(card: AssetCard, key: str) -> Scalar | None:
    node = card.header.get(key) if card.header is not None else None
    return node if isinstance(node, Scalar) and node.text.strip() else None


def check_folders(card: AssetCard, place: CardPlace, options: CardOptions) -> Iterator[Problem]:
    declared = _header_scalar(card, options.card.version_field)
    if place.version is not None and declared is not None:
        text = declared.text.strip()
        if text != place.version:
            yield R.VERSION_FOLDER_MISMATCH.problem(
                card.path,
                declared.line,
                declared.column,
                f"{options.card.version_field} is {show(text)} but the card is in folder "
                f"{show(place.version)}",
            )
    if place.platform is None:
        return
    for field in options.card.backend_fields:
        node = _header_scalar(card, field)
        if node is None:
            continue
        values = {v.strip().casefold() for v in node.text.split("/")}
        if place.platform.casefold() not in values:
            yield R.PLATFORM_FOLDER_MISMATCH.problem(
                card.path,
                node.line,
                node.column,
                f"{field} {show(node.text.strip())} does not include the platform folder "
                f"{show(place.platform)}",
            )


def check_file_name(card: AssetCard, place: CardPlace, options: CardOptions) -> Iterator[Problem]:
    pattern = options.card.file_name_pattern
    if pattern is not None and not pattern.fullmatch(place.name):
        yield R.FILE_NAME_PATTERN.problem(
            card.path, 0, 0, f"file name {show(place.name)} does not follow <model>_<dataset>.md"
        )


def check_usage_id(card: AssetCard, place: CardPlace, options: CardOptions) -> Iterator[Problem]:
    pattern = options.card.usage_id_pattern
    if pattern is None or place.model_id is None:
        return
    for block in card.code_blocks:
        for match in pattern.finditer(block.content):
            found = match.group(1)
            if found != place.model_id:
                line = block.line + block.content.count("\n", 0, match.start(1))
                yield R.USAGE_ID_MISMATCH.problem(
                    card.path,
                    line,
                    1,
                    f"Usage loads {show(found)} but this card is {show(place.model_id)}",
                )


def check_body(card: AssetCard, options: CardOptions) -> Iterator[Problem]:
    if options.card.title and card.title is None:
        yield R.MISSING_TITLE.problem(
            card.path, 1, 1, "the card has no '# title' line before its header"
        )
    if options.card.heading_colon:
        for heading in card.headings:
            if heading.text.endswith((":", "：")):
                yield R.HEADING_COLON.problem(
                    card.path, heading.line, 1, f"heading {show(heading.text)} ends with ':'"
                )


def case_collisions(names: Iterable[str]) -> dict[str, list[str]]:
    """Names grouped by their case-folded form, only groups with more than one name."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.casefold(), []).append(name)
    return {k: sorted(v) for k, v in groups.items() if len(v) > 1}
