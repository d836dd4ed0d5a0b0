"""MDV120-MDV124: the ``asset:`` list: each item's fields, digest, link and format; and the
assets to download and verify (``asset_refs``, verified by ``mdvalidator.assets``)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from mdvalidator.document import Mapping, Scalar, Sequence
from mdvalidator.families.mindspore.card import AssetCard
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject, show
from mdvalidator.families.mindspore.rules.fields import EMPTY_FIELD, MISSING_FIELD, field_problems
from mdvalidator.problem import AssetRef, Problem, Severity
from mdvalidator.rule import Rule
from mdvalidator.value_types import type_error, unwrap_link

W = Severity.WARNING
F = "mindspore-hub"

ASSET_LIST_INVALID = Rule(
    "MDV120",
    "asset-list-invalid",
    "'asset' must be a list of items, each a mapping of file-format, asset-link, asset-sha256.",
    "Passing:\n  asset:\n  - file-format: ckpt\n    asset-link: https://host/x.ckpt\n"
    "    asset-sha256: <64 hex characters>",
    family=F,
)

ASSET_FIELD_MISSING = Rule(
    "MDV121",
    "asset-field-missing",
    "An asset item lacks file-format, asset-link or asset-sha256 (or has it empty).",
    "Every asset needs all three, so that it can be downloaded and its bytes verified.",
    family=F,
)

INVALID_SHA256 = Rule(
    "MDV122",
    "invalid-sha256",
    "asset-sha256 is not exactly 64 hexadecimal characters.",
    "The hub published cards with 8-character digests, which prove nothing. Compute the\n"
    "full digest with `mdvalidator hash FILE` (or sha256sum).",
    family=F,
)

INVALID_LINK = Rule(
    "MDV123",
    "invalid-link",
    "asset-link is not an absolute http(s) URL.",
    "Angle brackets around the link are allowed: <https://host/model.ckpt>.",
    family=F,
)

LINK_FORMAT_MISMATCH = Rule(
    "MDV124",
    "link-format-mismatch",
    "The asset link's file extension does not match its file-format.",
    "The rule set's [formats] table maps each format to its extensions (ckpt -> .ckpt,\n"
    "mslite -> .ms, ...). A mismatch usually means a copy-paste error in one of the two.",
    severity=W,
    family=F,
)

LINK_KEY = "asset-link"
SHA_KEY = "asset-sha256"
FORMAT_KEY = "file-format"
TYPE_RULES = {"url": INVALID_LINK, "sha256": INVALID_SHA256}


def asset_items(card: AssetCard, options: CardOptions, verifiable: bool = False) -> list[Mapping]:
    """The mapping items of every field of type ``assets`` (malformed ones are skipped).

    With ``verifiable``, only items whose meaning is certain: a key given twice (in the item,
    or the ``asset`` key itself) means one thing to us and another to YAML loaders, which
    keep the last value, so nothing of such an item may be reported verified.
    """
    if card.header is None:
        return []
    items: list[Mapping] = []
    for name, spec in options.fields.items():
        node = card.header.get(name)
        if spec.type != "assets" or not isinstance(node, Sequence):
            continue
        if verifiable and name in card.header.duplicates:
            continue
        items.extend(
            i for i in node.items if isinstance(i, Mapping) and not (verifiable and i.duplicates)
        )
    return items


def _scalar(item: Mapping, key: str) -> Scalar | None:
    node = item.get(key)
    return node if isinstance(node, Scalar) and node.text.strip() else None


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    card = subject.card
    for index, item in enumerate(asset_items(card, options), start=1):
        context = f"asset {index}:"
        for problem in field_problems(
            card.path,
            item,
            options.asset_fields,
            options,
            missing_line=item.line,
            context=context,
            type_rules=TYPE_RULES,
        ):
            if problem.rule in (MISSING_FIELD.code, EMPTY_FIELD.code):
                problem = ASSET_FIELD_MISSING.problem(
                    problem.path, problem.line, problem.column, problem.message
                )
            yield problem
        yield from _check_extension(card.path, item, options, context)


def _check_extension(
    path: str, item: Mapping, options: CardOptions, context: str
) -> Iterator[Problem]:
    fmt, link = _scalar(item, FORMAT_KEY), _scalar(item, LINK_KEY)
    if fmt is None or link is None or type_error("url", link) is not None:
        return
    extensions = options.formats.get(fmt.text.strip().casefold())
    if not extensions:
        return
    name = posixpath.basename(unquote(urlsplit(unwrap_link(link.text)).path)).casefold()
    if not any(name.endswith(ext.casefold()) for ext in extensions):
        yield LINK_FORMAT_MISMATCH.problem(
            path,
            link.line,
            link.column,
            f"{context} link {show(name or '/')} does not end with "
            f"{' or '.join(extensions)} as file-format {show(fmt.text.strip())} implies",
        )


def asset_refs(card: AssetCard, options: CardOptions) -> list[AssetRef]:
    """Assets to download and verify: every item with a usable link and no repeated key."""
    refs: list[AssetRef] = []
    for item in asset_items(card, options, verifiable=True):
        link = _scalar(item, LINK_KEY)
        if link is None or type_error("url", link) is not None:
            continue
        sha = _scalar(item, SHA_KEY)
        sha_key = item.key(SHA_KEY)  # an empty "asset-sha256:" is filled there by --fix
        fmt = _scalar(item, FORMAT_KEY)
        refs.append(
            AssetRef(
                path=card.path,
                line=link.line,
                url=unwrap_link(link.text),
                expected=sha.text.strip().lower() if sha else "",
                sha_line=sha.line if sha else sha_key.line if sha_key else link.line,
                file_format=fmt.text.strip().lower() if fmt else "",
            )
        )
    return refs


CHECK = CardRules(
    rules=(
        ASSET_LIST_INVALID,
        ASSET_FIELD_MISSING,
        INVALID_SHA256,
        INVALID_LINK,
        LINK_FORMAT_MISMATCH,
    ),
    check=check,
)
