"""Live stores: fetch what DIGITS' store client fetches, through the safe asset fetcher.

For each store URL: master.json (or, as DIGITS does when it is not served, the HTML directory
listing), then per child its info.json, aux.json and SHA256SUMS, and a HEAD request for every
file they name. With ``verify_assets`` the files SHA256SUMS lists are verified by the asset
verifier (parallel, streaming, cached, resumable). Children are fetched in parallel; one
broken child or store never hides another, and every problem's path says which store and which
model it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

from mdvalidator.assets.fetch import FetchError, fetch_small, probe
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.verify import verify_assets
from mdvalidator.families.digits import checks, master, model
from mdvalidator.families.digits import rules as R
from mdvalidator.families.digits.checks import INFO_NAME
from mdvalidator.families.digits.checksums import SumEntry, mismatch, parse_sums, sums_problems
from mdvalidator.families.digits.jsonpos import JsonObject, parse_bytes
from mdvalidator.families.digits.master import StoreView
from mdvalidator.families.digits.model import FolderView
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem
from mdvalidator.sanitize import redact_url

MASTER_NAME = "master.json"
AUX_NAME = "aux.json"
LISTING_MAX_BYTES = 1 << 20
PRESENT = "present"
ABSENT = "absent"
_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def _gone(reason: str, message: str) -> bool:
    """Whether a failed verification (its ``reason`` and detail) was a 404 or 410.

    An AssetResult keeps only the text of the fetcher's error, hence the pattern.
    """
    match = _HTTP_STATUS.search(message) if reason == "http" else None
    return match is not None and match.group(1) in ("404", "410")


def is_absent(error: FetchError) -> bool:
    return error.http_status in (404, 410)


class _ListingParser(HTMLParser):
    """Text of ``<a>`` and ``<td>`` elements ending in ``/``, the way DIGITS reads a listing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: list[str] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "td"):
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "td") and self._open:
            text = "".join(self._open.pop()).strip()
            if self._open:
                self._open[-1].append(text)
            if text.endswith("/") and text.rstrip("/") not in self.names:
                self.names.append(text.rstrip("/"))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].append(data)


def listing_children(html: bytes) -> list[str]:
    """Folder names of an HTML directory listing (``.`` and ``..`` left out)."""
    parser = _ListingParser()
    try:
        parser.feed(html.decode("utf-8", "replace"))
        parser.close()
    except AssertionError:  # pragma: no cover - html.parser on pathological input
        pass
    return [name for name in parser.names if name not in ("", ".", "..")]


@dataclass(frozen=True)
class LiveSettings:
    """How to check live stores: the fetcher's options and what to do beyond DIGITS."""

    fetch: AssetOptions
    max_file_size: int = 4 * 1024 * 1024
    verify_assets: bool = False
    jobs: int = 4
    on_child: Callable[[str, str], None] | None = field(default=None, compare=False)


class _Store:
    def __init__(self, base: str, options: DigitsOptions, settings: LiveSettings) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.shown = redact_url(self.base, 500)
        self.options = options
        self.settings = settings
        # (ref, SHA256SUMS line) of the files to download with ``verify_assets``
        self.to_verify: list[tuple[AssetRef, SumEntry]] = []

    def url(self, *parts: str) -> str:
        return self.base + "/".join(quote(part) for part in parts)

    def where(self, *parts: str) -> str:
        return self.shown + "/".join(parts)

    def get(self, max_bytes: int, *parts: str) -> bytes:
        return fetch_small(self.url(*parts), self.settings.fetch, max_bytes)

    def get_file(self, *parts: str) -> tuple[bytes | None, list[Problem], str]:
        """(body, problems, state) of a small store file; state is PRESENT, ABSENT (404/410)
        or why the file's presence is unknown."""
        where = self.where(*parts)
        try:
            return self.get(self.settings.max_file_size, *parts), [], PRESENT
        except FetchError as error:
            if is_absent(error):
                return None, [], ABSENT
            if error.status is AssetStatus.TOO_LARGE:
                return None, [R.FILE_TOO_LARGE.problem(where, 0, 0, error.message)], PRESENT
            problem = R.STORE_FILE_UNREACHABLE.problem(where, 0, 0, error.message)
            return None, [problem], error.message

    def get_json(self, what: str, *parts: str) -> tuple[JsonObject | None, list[Problem], str]:
        """(object, problems, state), as ``get_file``, the body parsed and checked as JSON."""
        data, problems, state = self.get_file(*parts)
        if data is None:
            return None, problems, state
        result = parse_bytes(data, self.options.max_depth)
        obj, problems = checks.root_object(self.where(*parts), result, what)
        return obj, problems, state


@dataclass(frozen=True)
class LiveResult:
    """One live store's problems, and the verdicts on the files SHA256SUMS lists (if fetched)."""

    problems: tuple[Problem, ...]
    assets: tuple[AssetResult, ...] = ()


def check_store(url: str, options: DigitsOptions, settings: LiveSettings) -> LiveResult:
    """Every problem of one live store. Never raises for what a server sends."""
    store = _Store(url, options, settings)
    problems = _check(store)
    if not store.to_verify:
        return LiveResult(tuple(problems))
    # every listed file of every model at once: parallel, cached, resumable downloads
    results = verify_assets([ref for ref, _ in store.to_verify], settings.fetch)
    problems.extend(_verification_problems(store.to_verify, results))
    return LiveResult(tuple(problems), tuple(results))


def _check(store: _Store) -> list[Problem]:
    options, settings = store.options, store.settings
    master_where = store.where(MASTER_NAME)
    try:
        data = store.get(settings.max_file_size, MASTER_NAME)
    except FetchError as error:
        if error.status is AssetStatus.TOO_LARGE:
            return [R.FILE_TOO_LARGE.problem(master_where, 0, 0, error.message)]
        if error.status is AssetStatus.BLOCKED:
            return [R.STORE_UNREACHABLE.problem(store.shown, 0, 0, error.message)]
        return _from_listing(store, error)
    obj, problems = checks.root_object(
        master_where, parse_bytes(data, options.max_depth), MASTER_NAME
    )
    if obj is None:
        return problems  # DIGITS fails the whole model list on this store; nothing more to read
    problems.extend(master.check_master(master_where, obj, options))
    names = master.safe_children(obj) or []
    found, child_problems = _children(store, names)
    problems.extend(master.check_master_layout(master_where, obj, found))
    problems.extend(child_problems)
    return problems


def _from_listing(store: _Store, master_error: FetchError) -> list[Problem]:
    try:
        html = store.get(LISTING_MAX_BYTES)
    except FetchError as error:
        message = f"master.json: {master_error.message}; folder listing: {error.message}"
        return [R.STORE_UNREACHABLE.problem(store.shown, 0, 0, message)]
    names = listing_children(html)
    if not names:
        message = f"master.json: {master_error.message}; the folder listing names no folders"
        return [R.STORE_UNREACHABLE.problem(store.shown, 0, 0, message)]
    problems = [
        R.STORE_LISTING_FALLBACK.problem(
            store.shown, 0, 0,
            f"no master.json ({master_error.message}); DIGITS uses the folder listing "
            f"({len(names)} folders) and titles the store 'Thanks for visiting {store.shown}'",
        )
    ]  # fmt: skip
    safe = []
    for name in names:
        reason = checks.unsafe_name_reason(name)
        if reason:
            problems.append(
                R.UNSAFE_CHILD_NAME.problem(
                    store.shown, 0, 0, f"listed folder {checks.show(name)} is unsafe: {reason}"
                )
            )
        else:
            safe.append(name)
    found, child_problems = _children(store, safe)
    for name in safe:
        if name not in found.with_info and name not in found.unknown:
            problems.append(
                R.CHILD_MISSING.problem(
                    store.where(name), 0, 0, f"listed folder {checks.show(name)} has no {INFO_NAME}"
                )
            )
    problems.extend(child_problems)
    return problems


def _children(store: _Store, names: Sequence[str]) -> tuple[StoreView, list[Problem]]:
    workers = max(1, min(store.settings.jobs, len(names), 16))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda name: _child(store, name), names))
    with_info = frozenset(
        name for name, (state, _) in zip(names, results, strict=True) if state == PRESENT
    )
    unknown = {
        name: state
        for name, (state, _) in zip(names, results, strict=True)
        if state not in (PRESENT, ABSENT)
    }
    problems = [p for _, found in results for p in found]
    return StoreView(with_info=with_info, unknown=unknown), problems


def _child(store: _Store, name: str) -> tuple[str, list[Problem]]:
    """(PRESENT | ABSENT | why it is unknown, problems) for one model folder."""
    if store.settings.on_child:
        store.settings.on_child(store.shown, name)
    options = store.options
    info, problems, state = store.get_json(INFO_NAME, name, INFO_NAME)
    if info is None:
        return state, problems
    aux, aux_problems, _ = store.get_json(AUX_NAME, name, AUX_NAME)
    problems.extend(aux_problems)
    sums_where = store.where(name, options.checksums.file)
    sums_data, sums_problems_found, _ = store.get_file(name, options.checksums.file)
    problems.extend(sums_problems_found)
    sums = parse_sums(sums_data) if sums_data is not None else None
    if sums is not None:
        problems.extend(sums_problems(sums_where, sums))
    refs = model.file_refs(info, options.info.section, options.info)
    aux_refs = model.file_refs(aux, options.aux) if aux is not None else []
    files, unknown = _probe(store, name, sorted({r.name for r in (*refs, *aux_refs)}))
    view = FolderView(files=files, unknown=unknown, checksums=sums.names if sums else None)
    problems.extend(model.check_info(store.where(name, INFO_NAME), info, options, view))
    if aux is not None:
        problems.extend(model.check_aux(store.where(name, AUX_NAME), aux, options, view))
    if sums is not None and store.settings.verify_assets:
        store.to_verify.extend(
            (AssetRef(sums_where, e.line, store.url(name, *e.name.split("/")), e.digest, e.line), e)
            for e in sums.entries
        )
    return PRESENT, problems


def _probe(
    store: _Store, child: str, names: Sequence[str]
) -> tuple[frozenset[str], dict[str, str]]:
    present: set[str] = set()
    unknown: dict[str, str] = {}
    for name in names:
        try:
            probe(store.url(child, name), store.settings.fetch)
        except FetchError as error:
            if not is_absent(error):
                unknown[name] = error.message
            continue
        present.add(name)
    return frozenset(present), unknown


def _verification_problems(
    checked: Sequence[tuple[AssetRef, SumEntry]], results: Sequence[AssetResult]
) -> list[Problem]:
    problems: list[Problem] = []
    for (ref, entry), result in zip(checked, results, strict=True):
        if result.status is AssetStatus.MISMATCH and result.actual:
            problems.append(mismatch(ref.path, entry, result.actual))
        elif result.status in (AssetStatus.UNREACHABLE, AssetStatus.BLOCKED, AssetStatus.TOO_LARGE):
            gone = _gone(result.reason, result.detail)
            rule = R.CHECKSUM_FILE_INVALID if gone else R.STORE_FILE_UNREACHABLE
            message = f"{checks.show(entry.name)}: {result.detail}"
            problems.append(rule.problem(ref.path, entry.line, 1, message))
    return problems


def split_store_urls(text: str) -> tuple[list[str], list[str]]:
    """A DIGITS_MODEL_STORE_URL value: (entries, trimmed; messages about empty entries)."""
    entries: list[str] = []
    errors: list[str] = []
    for number, raw in enumerate(text.split(","), start=1):
        entry = raw.strip()
        if not entry:
            errors.append(f"entry {number} is empty (DIGITS refuses to start on it)")
        elif entry not in entries:
            entries.append(entry)
    return entries, errors
