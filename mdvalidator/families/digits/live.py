"""MDV337, and live stores as a source: fetch what DIGITS' store client fetches, through the
safe fetcher.

For a store URL: master.json (or, as DIGITS does when it is not served, the HTML directory
listing), then per child its info.json, aux.json and SHA256SUMS, and a HEAD request for every
file they name. What was fetched (or why not) is held in memory and checked by the engine like
any store's files; with ``verify_assets`` the files SHA256SUMS lists become assets the engine
downloads and verifies (parallel, streaming, cached, resumable). Children are fetched in
parallel; one broken child or store never hides another, and every problem's path says which
store and which model it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote

from mdvalidator.document import Mapping as JsonObject
from mdvalidator.families.digits import checks, master, model
from mdvalidator.families.digits.checks import INFO_NAME
from mdvalidator.families.digits.jsonread import parse_bytes
from mdvalidator.families.digits.master import CHILD_MISSING, UNSAFE_CHILD_NAME
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.families.digits.sources import STORE_UNREACHABLE
from mdvalidator.family import Listing, Presence, Target
from mdvalidator.problem import AssetStatus, Problem, Severity
from mdvalidator.reading import ReadError, ReadFailure
from mdvalidator.ruleset import RuleSet
from mdvalidator.sanitize import redact_url
from mdvalidator.sources import Discovery

STORE_LISTING_FALLBACK = rule(
    "MDV337",
    "store-listing-fallback",
    "A live store has no master.json (directory listing used)",
    """
DIGITS then reads the HTML listing and titles the store "Thanks for visiting <url>". Serving a
master.json gives the store its title and an explicit list of models.

Failing:  only an autoindex page at the store URL
Passing:  master.json at the store URL
""",
    Severity.WARNING,
)


if TYPE_CHECKING:
    from mdvalidator.assets.fetch import FetchError
    from mdvalidator.assets.options import AssetOptions

MASTER_NAME = "master.json"
AUX_NAME = "aux.json"
LISTING_MAX_BYTES = 1 << 20
PRESENT = "present"
ABSENT = "absent"


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


@dataclass
class LiveFiles:
    """What was fetched of one store: bytes or the read error, by location (a path in the
    store), and the state of every file looked at (present, absent, or why unknown)."""

    base: str
    verify_assets: bool = False
    contents: dict[str, bytes | ReadError] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)
    vouched_by_checksums: bool = True

    def url(self, location: str) -> str | None:
        return self.link(location) if self.verify_assets else None

    def link(self, location: str) -> str:
        return self.base + "/".join(quote(part) for part in location.split("/"))

    def read(self, location: str, cap: int) -> bytes:
        data = self.contents.get(location)
        if isinstance(data, ReadError):
            raise data
        if data is None:
            raise ReadError(ReadFailure.NOT_REGULAR, "not fetched")
        return data

    def listing(self, folder: str) -> Listing:
        return Listing(complete=False)  # a web server lists nothing DIGITS relies on

    def present(self, folder: str, names: Sequence[str]) -> Presence:
        files: set[str] = set()
        unknown: dict[str, str] = {}
        for name in names:
            state = self.states.get(f"{folder}/{name}" if folder else name, ABSENT)
            if state == PRESENT:
                files.add(name)
            elif state != ABSENT:
                unknown[name] = state
        return Presence(frozenset(files), unknown)

    def digest(self, folder: str, name: str) -> tuple[str, int] | None:
        return None  # the bytes are not here: ``url`` gives them to the asset verifier

    def open(self, location: str) -> AbstractContextManager[BinaryIO]:
        raise ReadError(ReadFailure.NOT_REGULAR, "a live store's files are not opened")


class LiveStore:
    """One live store (a URL) as a source of store files, fetched when discovered."""

    def __init__(self, url: str, settings: LiveSettings) -> None:
        self.base = url if url.endswith("/") else url + "/"
        self.shown = redact_url(self.base, 500)
        self.settings = settings
        self._files = LiveFiles(self.base, settings.verify_assets)

    @property
    def files(self) -> LiveFiles:
        return self._files

    def previous(self, target: Target) -> bytes | None:
        return None

    def where(self, location: str) -> str:
        return self.shown + location

    def discover(self, rulesets: Sequence[RuleSet]) -> Discovery:
        from mdvalidator.assets.fetch import FetchError

        ruleset = next(r for r in rulesets if r.family == "digits-model-store")
        options = ruleset.options
        assert isinstance(options, DigitsOptions)
        targets: list[Target] = []
        problems: list[Problem] = []
        try:
            names = self._master(options)
            targets.append(Target(MASTER_NAME, self.where(MASTER_NAME), explicit=True))
            listed = False
        except FetchError as error:
            if error.status is AssetStatus.BLOCKED:
                problems.append(STORE_UNREACHABLE.problem(self.shown, 0, 0, error.message))
                return Discovery((), tuple(problems), counted=1)
            found, names = self._from_listing(error)  # as DIGITS falls back to it
            problems.extend(found)
            listed = True
        workers = max(1, min(self.settings.jobs, len(names), 16))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            children = list(pool.map(lambda name: self._child(name, options), names))
        for name, child_targets in zip(names, children, strict=True):
            targets.extend(child_targets)
            if listed and self._files.states.get(f"{name}/{INFO_NAME}") == ABSENT:
                message = f"listed folder {checks.show(name)} has no {INFO_NAME}"
                problems.append(CHILD_MISSING.problem(self.where(name), 0, 0, message))
        return Discovery(tuple((t, ruleset) for t in targets), tuple(problems), counted=1)

    def _get(self, location: str, cap: int) -> bytes:
        from mdvalidator.assets.fetch import fetch_small  # network code: only for live stores

        return fetch_small(self._files.link(location), self.settings.fetch, cap)

    def _fetch(self, location: str) -> bytes | None:
        """Fetch a small store file into ``files``; its bytes, or None (absent or failed)."""
        from mdvalidator.assets.fetch import FetchError

        files = self._files
        try:
            data = self._get(location, self.settings.max_file_size)
        except FetchError as error:
            if is_absent(error):
                files.states[location] = ABSENT
                return None
            too_large = error.status is AssetStatus.TOO_LARGE
            kind = ReadFailure.TOO_LARGE if too_large else ReadFailure.UNREACHABLE
            files.contents[location] = ReadError(kind, error.message)
            files.states[location] = PRESENT if too_large else error.message
            return None
        files.contents[location] = data
        files.states[location] = PRESENT
        return data

    def _master(self, options: DigitsOptions) -> list[str]:
        """Fetch master.json: the children to fetch (none past a broken one: DIGITS fails the
        whole store on it). ``FetchError`` when it cannot be fetched (not for a too large one,
        which its own check reports)."""
        from mdvalidator.assets.fetch import FetchError

        try:
            data = self._get(MASTER_NAME, self.settings.max_file_size)
        except FetchError as error:
            if error.status is not AssetStatus.TOO_LARGE:
                raise
            self._files.contents[MASTER_NAME] = ReadError(ReadFailure.TOO_LARGE, error.message)
            return []
        self._files.contents[MASTER_NAME] = data
        obj = _object(data, options)
        return (master.safe_children(obj) or []) if obj is not None else []

    def _from_listing(self, master_error: FetchError) -> tuple[list[Problem], list[str]]:
        from mdvalidator.assets.fetch import FetchError

        try:
            html = self._get("", LISTING_MAX_BYTES)
        except FetchError as error:
            message = f"master.json: {master_error.message}; folder listing: {error.message}"
            return [STORE_UNREACHABLE.problem(self.shown, 0, 0, message)], []
        names = listing_children(html)
        if not names:
            message = f"master.json: {master_error.message}; the folder listing names no folders"
            return [STORE_UNREACHABLE.problem(self.shown, 0, 0, message)], []
        problems = [
            STORE_LISTING_FALLBACK.problem(
                self.shown, 0, 0,
                f"no master.json ({master_error.message}); DIGITS uses the folder listing "
                f"({len(names)} folders) and titles the store 'Thanks for visiting {self.shown}'",
            )
        ]  # fmt: skip
        safe = []
        for name in names:
            reason = checks.unsafe_name_reason(name)
            if reason:
                message = f"listed folder {checks.show(name)} is unsafe: {reason}"
                problems.append(UNSAFE_CHILD_NAME.problem(self.shown, 0, 0, message))
            else:
                safe.append(name)
        return problems, safe

    def _child(self, name: str, options: DigitsOptions) -> list[Target]:
        """Fetch one model folder; its files to check (none past an unreadable info.json)."""
        if self.settings.on_child:
            self.settings.on_child(self.shown, name)
        info_location = f"{name}/{INFO_NAME}"
        data = self._fetch(info_location)
        if info_location not in self._files.contents:
            return []  # absent: master.json's check reports the child missing
        target = Target(info_location, self.where(info_location), explicit=True)
        info = _object(data, options) if data is not None else None
        if info is None:
            return [target]
        targets = [target]
        aux_data = None
        for file_name in (AUX_NAME, options.checksums.file):
            location = f"{name}/{file_name}"
            fetched = self._fetch(location)
            if location in self._files.contents:
                targets.append(Target(location, self.where(location), explicit=True))
            if file_name == AUX_NAME:
                aux_data = fetched
        aux = _object(aux_data, options) if aux_data is not None else None
        refs = model.file_refs(info, options.info.section, options.info)
        if aux is not None:
            refs += model.file_refs(aux, options.aux)
        self._probe(name, sorted({r.name for r in refs}))
        return targets

    def _probe(self, child: str, names: Sequence[str]) -> None:
        from mdvalidator.assets.fetch import FetchError, probe

        for name in names:
            location = f"{child}/{name}"
            try:
                probe(self._files.link(location), self.settings.fetch)
            except FetchError as error:
                self._files.states[location] = ABSENT if is_absent(error) else error.message
                continue
            self._files.states[location] = PRESENT


def _object(data: bytes, options: DigitsOptions) -> JsonObject | None:
    root = parse_bytes(data, options.max_depth).root
    return root if isinstance(root, JsonObject) else None


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


__all__ = ["LiveFiles", "LiveSettings", "LiveStore", "listing_children", "split_store_urls"]

RULES = (STORE_LISTING_FALLBACK,)
