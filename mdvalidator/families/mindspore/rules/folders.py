"""MDV130, MDV131, MDV135: a card's folders agree with what it declares (version, platform)."""

from __future__ import annotations

from collections.abc import Iterator

from mdvalidator.document import Scalar
from mdvalidator.families.mindspore.card import AssetCard
from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject, show
from mdvalidator.problem import Problem, Severity
from mdvalidator.rule import Rule

F = "mindspore-hub"

VERSION_FIELD = Key(
    "version-field",
    Kind.TEXT,
    "mindspore-version",
    "The field the folder holding the card must equal (compared as text).",
)
BACKEND_FIELDS = Key(
    "backend-fields",
    Kind.TEXTS,
    (),
    "Backend fields whose values must include the platform folder in the older layout.",
)

VERSION_FOLDER_MISMATCH = Rule(
    "MDV130",
    "version-folder-mismatch",
    "The card's folder version differs from its mindspore-version.",
    "Cards live in assets/<publisher>/[<platform>/]<version>/. Versions compare as text, so\n"
    "a card in 1.10/ with 'mindspore-version: 1.10' passes (YAML would read 1.1).",
    family=F,
)

VERSION_V_PREFIX = Rule(
    "MDV135",
    "version-v-prefix",
    "The card's mindspore-version is its folder's version with a leading 'v'.",
    "The hub's validator took 'mindspore-version: v1.2' in a 1.2/ folder (hundreds of cards\n"
    "were merged so), and the hub later rewrote them all to '1.2': the folder is the\n"
    "version, without the 'v'. A warning, not a mismatch; --fix drops the 'v'.",
    severity=Severity.WARNING,
    family=F,
)

PLATFORM_FOLDER_MISMATCH = Rule(
    "MDV131",
    "platform-folder-mismatch",
    "In the <publisher>/<platform>/<version>/ layout, the backends do not include the platform.",
    "A card under gpu/ must list gpu in train-backend or infer-backend when it has them.",
    family=F,
)


def _header_scalar(card: AssetCard, key: str) -> Scalar | None:
    node = card.header.get(key) if card.header is not None else None
    return node if isinstance(node, Scalar) and node.text.strip() else None


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    card, place = subject.card, subject.place
    version_field = options.card.get(VERSION_FIELD)
    declared = _header_scalar(card, version_field)
    if place.version is not None and declared is not None:
        text = declared.text.strip()
        if text[:1] in ("v", "V") and text[1:] == place.version:
            yield VERSION_V_PREFIX.problem(
                card.path,
                declared.line,
                declared.column,
                f"{version_field} is {show(text)} in folder {show(place.version)}: the hub "
                f"writes versions without 'v' (--fix makes it {show(place.version)})",
            )
        elif text != place.version:
            yield VERSION_FOLDER_MISMATCH.problem(
                card.path,
                declared.line,
                declared.column,
                f"{version_field} is {show(text)} but the card is in folder {show(place.version)}",
            )
    if place.platform is None:
        return
    fields: tuple[str, ...] = options.card.get(BACKEND_FIELDS)
    for field in fields:
        node = _header_scalar(card, field)
        if node is None:
            continue
        values = {v.strip().casefold() for v in node.text.split("/")}
        if place.platform.casefold() not in values:
            yield PLATFORM_FOLDER_MISMATCH.problem(
                card.path,
                node.line,
                node.column,
                f"{field} {show(node.text.strip())} does not include the platform folder "
                f"{show(place.platform)}",
            )


CHECK = CardRules(
    rules=(VERSION_FOLDER_MISMATCH, PLATFORM_FOLDER_MISMATCH, VERSION_V_PREFIX),
    keys=(VERSION_FIELD, BACKEND_FIELDS),
    check=check,
)
