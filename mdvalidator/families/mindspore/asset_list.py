"""The ``asset:`` list: each item's fields, digest, link and format; the assets to verify."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from mdvalidator.families.mindspore import rules as R
from mdvalidator.families.mindspore.card import AssetCard
from mdvalidator.families.mindspore.header import check_fields, show
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.values import TYPE_CHECKS, unwrap_link
from mdvalidator.families.mindspore.yamlpos import Mapping, Scalar, Sequence
from mdvalidator.problem import AssetRef, Problem

LINK_KEY = "asset-link"
SHA_KEY = "asset-sha256"
FORMAT_KEY = "file-format"
TYPE_RULES = {"url": R.INVALID_LINK, "sha256": R.INVALID_SHA256}


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


def check_assets(card: AssetCard, options: CardOptions) -> Iterator[Problem]:
    for index, item in enumerate(asset_items(card, options), start=1):
        context = f"asset {index}:"
        for problem in check_fields(
            card.path,
            item,
            options.asset_fields,
            options,
            missing_line=item.line,
            context=context,
            type_rules=TYPE_RULES,
        ):
            if problem.rule in (R.MISSING_FIELD.code, R.EMPTY_FIELD.code):
                problem = R.ASSET_FIELD_MISSING.problem(
                    problem.path, problem.line, problem.column, problem.message
                )
            yield problem
        yield from _check_extension(card.path, item, options, context)


def _check_extension(
    path: str, item: Mapping, options: CardOptions, context: str
) -> Iterator[Problem]:
    fmt, link = _scalar(item, FORMAT_KEY), _scalar(item, LINK_KEY)
    if fmt is None or link is None or TYPE_CHECKS["url"](link) is not None:
        return
    extensions = options.formats.get(fmt.text.strip().casefold())
    if not extensions:
        return
    name = posixpath.basename(unquote(urlsplit(unwrap_link(link.text)).path)).casefold()
    if not any(name.endswith(ext.casefold()) for ext in extensions):
        yield R.LINK_FORMAT_MISMATCH.problem(
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
        if link is None or TYPE_CHECKS["url"](link) is not None:
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
