"""Declared host moves (a rule set's ``[asset-moves]``), tried for links that are dead or moved.

After verification, a failed asset whose link lies under a declared old prefix is looked at
again: does the link answer 404/410, does its host name no longer resolve, or is it
permanently redirected (301/308) to another host? If so, the link under the new prefix is
downloaded through the same fetcher as any link (:func:`mdvalidator.assets.verify.fetch_digest`:
the address gate on every hop, the size cap, the deadlines, the cache keyed on that URL).
Bytes that hash to the card's sha256 make the result *moved* (``AssetResult.moved_to``): still
a failure, reported as MDV231 and fixable with ``--fix``; anything else leaves the original
failure, with a note that the declared move did not hold. Nothing here changes how the first
download is made: this module only calls the fetcher's public functions, and one request per
hop (``_open_once``) to see the statuses the downloader follows silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from mdvalidator.asset_moves import Move, find_move
from mdvalidator.assets import rules as R
from mdvalidator.assets.cache import ResultCache
from mdvalidator.assets.fetch import REDIRECTS, Deadline, FetchError, checked_link
from mdvalidator.assets.fetch import _open_once as open_one_hop
from mdvalidator.assets.mirror import map_url
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.verify import Fetched, fetch_digest, judge
from mdvalidator.assets.verify import _mirrors as normalised_mirrors
from mdvalidator.assets.verify import asset_problems as verified_problems
from mdvalidator.digests import is_sha256
from mdvalidator.problem import AssetResult, AssetStatus, Problem
from mdvalidator.sanitize import redact_url
from mdvalidator.urls import Link, LinkError, join_link, parse_link

DEAD = frozenset({404, 410})
PERMANENT = frozenset({301, 308})
# Failures a move may explain; a timeout or a 5xx is a flaky server, not a moved file.
_CANDIDATES = frozenset({AssetStatus.UNREACHABLE, AssetStatus.MISMATCH, AssetStatus.BLOCKED})
_NOT_MOVES = frozenset({"timeout", "interrupted", "internal", "size"})

T = TypeVar("T")
U = TypeVar("U")


def follow_moves(
    results: Sequence[AssetResult],
    moves: Sequence[Sequence[Move]],
    options: AssetOptions,
) -> list[AssetResult]:
    """``results`` (same order), each failed one under a declared move tried there.

    ``moves[i]`` are the moves declared by the rule set of ``results[i]``'s file.
    """
    tried: dict[int, tuple[str, str]] = {}  # index -> (normalised link, moved link)
    for index, (result, declared) in enumerate(zip(results, moves, strict=True)):
        if not declared or not _candidate(result):
            continue
        try:
            url = checked_link(result.ref.url).url
        except FetchError:
            continue
        move = find_move(url, declared)
        if move is not None:
            tried[index] = (url, move.apply(url))
    if not tried:
        return list(results)
    links = sorted({url for url, _ in tried.values()})
    reasons = _each(links, lambda url: _why_moved(url, options), options)
    why = dict(zip(links, reasons, strict=True))
    targets = sorted({new for url, new in tried.values() if why[url]})
    cache = ResultCache(options.cache_dir) if options.use_cache else None
    fetched = _each(targets, lambda url: fetch_digest(url, options, cache), options)
    found = dict(zip(targets, fetched, strict=True))
    out = list(results)
    for index, (url, new) in tried.items():
        if why[url]:
            out[index] = _judged(results[index], why[url], new, found[new])
    return out


def _candidate(result: AssetResult) -> bool:
    return (
        result.status in _CANDIDATES
        and result.reason not in _NOT_MOVES
        and is_sha256(result.ref.expected.strip().lower())
    )


def _each(items: Sequence[T], work: Callable[[T], U], options: AssetOptions) -> list[U]:
    if options.jobs <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(options.jobs, len(items))) as pool:
        return list(pool.map(work, items))


def _judged(result: AssetResult, why: str, new: str, fetched: Fetched) -> AssetResult:
    shown = redact_url(new)
    outcome = judge(result.ref.expected.strip().lower(), fetched)
    if outcome.status in (AssetStatus.VERIFIED, AssetStatus.CACHED):
        detail = f"moved: same bytes at {shown} (the link {why})"
        return dataclasses.replace(result, moved_to=new, detail=detail)
    if outcome.status is AssetStatus.MISMATCH:
        held = f"its bytes hash to {outcome.actual}"
    else:
        held = outcome.detail or outcome.status.value
    note = f"the link {why}, and the declared move to {shown} did not hold: {held}"
    detail = f"{result.detail}; {note}" if result.detail else note
    return dataclasses.replace(result, detail=detail)


def _why_moved(url: str, options: AssetOptions) -> str:
    """Why ``url`` counts as dead or moved ("answers HTTP 404", ...), or "" when it does not.

    One request per hop through the address gate, each closed once its headers arrived; a
    link mapped to a mirror is asked there (a folder mirror: whether the file is missing).
    """
    target, folder = map_url(url, normalised_mirrors(options.mirrors))
    if folder is not None:
        return ""  # a folder holds no redirects; a missing file is the mirror's business
    deadline = Deadline(options.deadline)
    current = target
    moved = ""
    for hop in range(options.max_redirects + 1):
        try:
            opened = open_one_hop(current, options, deadline, "GET", {})
        except FetchError as error:
            if error.reason == "dns":
                where = "its host name" if hop == 0 else "the host it is redirected to"
                return moved or f"{where} does not resolve"
            return moved
        status = opened.response.status
        location = opened.header("Location")
        opened.close()
        if status in DEAD:
            after = " after a redirect" if hop else ""
            return moved or f"answers HTTP {status}{after}"
        if status not in REDIRECTS or not location:
            return moved
        try:
            following = join_link(current, location.strip(" \t"))
            to = parse_link(following)
        except LinkError:
            return moved
        if not moved and status in PERMANENT and _origin(to) != _origin(parse_link(current)):
            moved = f"is permanently redirected (HTTP {status}) to {to.netloc}"
        current = to.url
    return moved


def _origin(link: Link) -> tuple[str, int | None]:
    """Host and port, a scheme's default port not counted (http -> https is no move)."""
    return link.host, None if link.port in (80, 443) else link.port


def asset_problems(results: Sequence[AssetResult]) -> list[Problem]:
    """The MDV2xx problems of ``results``: MDV231 for a moved asset instead of its failure."""
    problems = verified_problems([r for r in results if not r.moved_to])
    for result in results:
        if result.moved_to:
            ref = result.ref
            message = f"{result.detail}; --fix rewrites the link"
            problems.append(R.MOVED.problem(ref.path, ref.line, 1, message))
    return problems


__all__ = ["DEAD", "PERMANENT", "asset_problems", "follow_moves"]
