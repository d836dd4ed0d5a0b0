"""Descriptor families as the engine sees them, and the records that pass between them.

A family (MindSpore Hub cards, the DIGITS Model Store, a plugin's own format) owns its parser,
its rules and its rule-set vocabulary. The engine knows it only through :class:`Family`, every
method of which it calls; it finds families in the table of :mod:`mdvalidator.families`.

A family reads nothing from disk itself: it is handed :class:`Files`, the window a source
(:mod:`mdvalidator.sources`) gives onto the descriptors and the folders around them, so the same
checks run on a folder walk, on git's changed files, on an archive's members, on a live store
and on files a bot fetched from a forge API into memory.

Options are the family's typed reading of its tables of a rule set. They are validated (when
the rule set is not built in) and built once, when the rule set is loaded, and bound to it
(:class:`Bound`): a rule set is plain data after that.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Generic, Protocol, TypeVar

from mdvalidator.problem import AssetRef, AssetResult, Problem
from mdvalidator.reading import DEFAULT_MAX_FILE_SIZE
from mdvalidator.rule import Rule

if TYPE_CHECKING:
    from mdvalidator.assets.options import AssetOptions

O = TypeVar("O")  # noqa: E741 - a family's options


class OptionsError(Exception):
    """A family's tables of a rule set are invalid: ``messages`` maps each bad key (nested
    tables as nested mappings, marshmallow's shape) to what is wrong with it."""

    def __init__(self, messages: Mapping[str, object] | list[object]) -> None:
        super().__init__(str(messages))
        self.messages = messages


@dataclass(frozen=True)
class Target:
    """One file to check: where its source finds it, how reports name it, and whether it was
    named explicitly (on the command line) rather than found (by a folder walk)."""

    location: str  # posix-style path in the source
    display: str
    explicit: bool = False

    @property
    def name(self) -> str:
        return posixpath.basename(self.location)

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.location)


@dataclass(frozen=True)
class Disable:
    """An inline suppression: codes (prefixes; empty = all) silenced on lines first..last."""

    codes: tuple[str, ...]
    first_line: int
    last_line: int


@dataclass(frozen=True)
class FileResult:
    """What checking one file found: problems, assets to verify, inline suppressions."""

    problems: tuple[Problem, ...] = ()
    assets: tuple[AssetRef, ...] = ()
    disables: tuple[Disable, ...] = ()
    # What the family's own check_together needs from this file (opaque to the engine; the
    # family narrows it, e.g. a DIGITS info.json's job id).
    facts: object = None


@dataclass(frozen=True)
class Limits:
    """Caps that protect the checker from hostile files."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE


@dataclass(frozen=True)
class Listing:
    """One folder of a source: regular files, sub-folders, symbolic links, anything else."""

    files: frozenset[str] = frozenset()
    folders: frozenset[str] = frozenset()
    symlinks: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    error: str | None = None  # why the folder could not be listed
    # False where a source cannot enumerate a folder (a live store): ask ``present`` instead.
    complete: bool = True

    @property
    def names(self) -> frozenset[str]:
        return self.files | self.folders | frozenset(self.symlinks) | frozenset(self.others)


@dataclass(frozen=True)
class Presence:
    """Which of some names are regular files of a folder; ``unknown``: those that could not
    be looked at, with the reason (a live store's network error)."""

    files: frozenset[str] = frozenset()
    unknown: Mapping[str, str] = field(default_factory=dict)


class Files(Protocol):
    """A source's files as a family reads them. Locations are posix-style paths in the
    source; a folder is the location of its files' ``Target.folder`` ("" at the top)."""

    @property
    def vouched_by_checksums(self) -> bool:
        """Whether a checksum file found here vouches for its folder's files (an archive's
        own SHA256SUMS is checked after extraction instead)."""

    def read(self, location: str, cap: int) -> bytes:
        """The bytes of a regular file (never through a link), at most ``cap`` of them;
        :class:`mdvalidator.reading.ReadError` otherwise."""

    def listing(self, folder: str) -> Listing:
        """What a folder holds (``Listing.error`` when it cannot be listed)."""

    def present(self, folder: str, names: Sequence[str]) -> Presence:
        """Which of ``names`` are regular files of ``folder``."""

    def digest(self, folder: str, name: str) -> tuple[str, int] | None:
        """(sha256, size) of the file ``name`` (a relative posix path) of ``folder``, reached
        through real folders only; None when the source does not hold the bytes (files
        fetched from an API); :class:`mdvalidator.reading.ReadError` when it is no regular
        file or cannot be read."""

    def open(self, location: str) -> AbstractContextManager[BinaryIO]:
        """A stream of a (large) file's bytes, such as an archive; ``ReadError`` otherwise."""

    def url(self, location: str) -> str | None:
        """Where a file can be downloaded to verify it (a live store asked to verify its
        files); None otherwise."""


@dataclass(frozen=True)
class OnlineContext:
    """What a family's network checks of its descriptors (``--check-conf``) may use: the run's
    fetch settings (SSRF gate, mirrors, timeouts), and a memo shared by the whole run, so that
    a file many descriptors name is read once (a family keeps its fetcher there)."""

    assets: AssetOptions
    limits: Limits = field(default_factory=Limits)
    memo: dict[str, object] = field(default_factory=dict)


class Family(Protocol[O]):
    """The engine's view of a descriptor family with options of type ``O``.

    A family may also define ``check_online(items, files, online: OnlineContext, options) ->
    list[Problem]``: network checks of its descriptors themselves, run after asset verification
    when the run asks for them (``RunOptions.check_conf``), reading the files again through
    ``files`` (so the per-file check keeps nothing for them); a family without it has none.
    """

    @property
    def name(self) -> str:
        """The family's name, as a rule set's ``[ruleset] family`` names it."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule the family reports (joined into the registry)."""

    def ruleset_text(self) -> str | None:
        """The TOML of the family's own rule set, which ``extends = "<name>"`` starts from
        (built-in families: ``rules/<name>.toml``), or None."""

    def validate_options(self, data: Mapping[str, object]) -> None:
        """Check the family's tables of a rule set that is not built in; ``OptionsError``."""

    def build_options(self, data: Mapping[str, object]) -> O:
        """The options of valid tables (fast: runs on every start-up)."""

    def check_file(self, target: Target, files: Files, options: O, limits: Limits) -> FileResult:
        """Read, parse and check one file. Never raises for bad input: problems instead."""

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], files: Files, options: O
    ) -> list[Problem]:
        """Checks across the files of one rule set and source (names colliding by case, ...)."""

    def affected_by_deletion(self, location: str, options: O) -> tuple[str, ...]:
        """Files whose checks depend on the deleted ``location`` (``--changed-since`` checks
        them although they did not change)."""

    def asset_keys(self, data: bytes, location: str, options: O) -> frozenset[tuple[str, str]]:
        """(url, sha256) of the assets one version of a file declares (``--changed-since``
        verifies only assets that changed)."""

    def asset_problems(self, results: Sequence[AssetResult]) -> list[Problem]:
        """The problems of the verification results of the assets this family's files gave."""


@dataclass(frozen=True)
class Bound(Generic[O]):
    """A family with one rule set's options bound to it: what the engine calls."""

    family: Family[O]
    options: O

    @property
    def family_name(self) -> str:
        return self.family.name

    def check_file(self, target: Target, files: Files, limits: Limits) -> FileResult:
        return self.family.check_file(target, files, self.options, limits)

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], files: Files
    ) -> list[Problem]:
        return self.family.check_together(items, files, self.options)

    def affected_by_deletion(self, location: str) -> tuple[str, ...]:
        return self.family.affected_by_deletion(location, self.options)

    def asset_keys(self, data: bytes, location: str) -> frozenset[tuple[str, str]]:
        return self.family.asset_keys(data, location, self.options)

    def asset_problems(self, results: Sequence[AssetResult]) -> list[Problem]:
        return self.family.asset_problems(results)

    def check_online(
        self, items: Sequence[tuple[Target, FileResult]], files: Files, online: OnlineContext
    ) -> list[Problem]:
        hook = getattr(self.family, "check_online", None)  # optional: see Family
        return [] if hook is None else list(hook(items, files, online, self.options))


class Checks(Protocol):
    """A :class:`Bound` family, whatever its options' type (how a rule set holds it)."""

    @property
    def family_name(self) -> str: ...

    @property
    def options(self) -> object: ...

    def check_file(self, target: Target, files: Files, limits: Limits) -> FileResult: ...

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], files: Files
    ) -> list[Problem]: ...

    def affected_by_deletion(self, location: str) -> tuple[str, ...]: ...

    def asset_keys(self, data: bytes, location: str) -> frozenset[tuple[str, str]]: ...

    def asset_problems(self, results: Sequence[AssetResult]) -> list[Problem]: ...

    def check_online(
        self, items: Sequence[tuple[Target, FileResult]], files: Files, online: OnlineContext
    ) -> list[Problem]: ...


def bind(family: Family[O], data: Mapping[str, object], validate: bool) -> Bound[O]:
    """The family's options of ``data`` (validated first unless built in), bound."""
    if validate:
        family.validate_options(data)
    return Bound(family, family.build_options(data))


__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "Bound",
    "Checks",
    "Disable",
    "Family",
    "FileResult",
    "Files",
    "Limits",
    "Listing",
    "OnlineContext",
    "OptionsError",
    "Presence",
    "Target",
    "bind",
]
