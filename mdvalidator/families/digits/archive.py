"""MDV331-MDV333, MDV339, MDV340: snapshot archives (the tarballs DIGITS' "Download" button
writes), read without extracting (``tarreader``).

Members are listed one by one with caps on their number, their declared sizes and the ratio
of declared to stored bytes, so an archive bomb stops early; tar headers that would make
``tarfile`` allocate without bound, and sparse members, are refused before they are read
(:mod:`.targuard`). Only regular files and folders with plain relative names
pass; links, devices, FIFOs, sparse files, absolute and ``..`` names, repeated names, a file and
a folder of one name, and encrypted zip members are reported. The info.json at the archive root
is read (size-capped) and checked against the member list the way a store folder's is checked
against its files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from mdvalidator.families.digits import checks, storecheck
from mdvalidator.families.digits.checksums import unsafe_path_reason
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.families.digits.tarreader import STOPPING_KINDS, Archive, ArchiveError, Entry
from mdvalidator.family import FileResult, Files, Listing, Presence, Target
from mdvalidator.problem import Problem
from mdvalidator.reading import ReadError, ReadFailure, too_large

ARCHIVE_UNSAFE_MEMBER = rule(
    "MDV331",
    "archive-unsafe-member",
    "A tarball member is a link, device, sparse file or escapes the folder",
    """
DIGITS' own archive upload extracts without path checks. A snapshot tarball may hold only
regular files and folders with relative names: no absolute or `..` names, no symbolic or hard
links, no devices or FIFOs, no sparse files (a few hundred bytes of archive can declare 15 GiB
of holes, which extraction writes out in full).

Failing:  a member named ../../home/user/.ssh/authorized_keys
Failing:  snapshot_30_Model.t7 stored sparse (`tar --sparse`)
Passing:  members info.json, deploy.prototxt, snapshot_iter_100.caffemodel
""",
)

ARCHIVE_OVER_LIMIT = rule(
    "MDV332",
    "archive-over-limit",
    "A tarball has too many members or too many bytes",
    """
A snapshot holds about ten files. The caps (`archive.max-members`, `archive.max-bytes`) stop
archive bombs before anything is extracted; a member header (pax record, GNU long name) over
64 KiB is refused before it is read.

Failing:  100,000 empty members
Failing:  a GNU long-name header declaring 300 MB
Passing:  the nine members of a Caffe snapshot
""",
)

ARCHIVE_INVALID = rule(
    "MDV333",
    "archive-invalid",
    "A tarball cannot be read or has no info.json at its root",
    """
DIGITS looks for the exact member name `info.json` at the archive root (`./info.json` or
`job/info.json` are not found).

Failing:  an archive whose members are 20171020-140211-4a2b/info.json, ...
Passing:  an archive whose members are info.json, deploy.prototxt, ...
""",
)

ARCHIVE_EXPANSION = rule(
    "MDV339",
    "archive-expansion-ratio",
    "A tarball declares far more bytes than it holds",
    """
Weights barely compress (about 1.1 : 1), so a real snapshot declares little more than its own
size. An archive whose members declare more than `archive.max-ratio` (100) bytes per byte of
archive is a decompression bomb and is refused before anything is extracted; archives declaring
at most `archive.ratio-from-bytes` (64 MiB) are not held to the ratio.

Failing:  a 2 KB .tar.bz2 holding a 2 GiB member of zero bytes
Passing:  a 45 MB .tar.gz of a 50 MB Caffe snapshot
""",
)

ARCHIVE_NAME_CLASH = rule(
    "MDV340",
    "archive-name-clash",
    "A tarball holds a file and a folder of one name",
    """
With members `x` (a file) and `x/y`, one of them cannot be extracted: which one depends on the
order and on the tool, so what lands on disk is not what was checked.

Failing:  members model.lua and model.lua/init.lua
Passing:  members model.lua and lua/init.lua
""",
)


AUX_NAME = "aux.json"


@dataclass(frozen=True)
class Inspection:
    """What reading an archive's member list found: problems, the members that may be
    extracted, and the bytes of its root JSON files (or why they were not read)."""

    problems: tuple[Problem, ...]
    members: tuple[Entry, ...]
    jsons: Mapping[str, bytes | ReadError] = field(default_factory=dict)


def _member_problem(display: str, entry: Entry, seen: dict[str, str]) -> Problem | None:
    shown = checks.show(entry.name)
    if entry.kind == "header":
        message = f"{shown}: {entry.detail}, refused before it was read"
        return ARCHIVE_OVER_LIMIT.problem(display, 0, 0, message)
    if entry.kind == "sparse":
        message = (
            f"{shown} is {entry.detail or 'a sparse file'}: its holes would be written out "
            "in full; store it as a regular file"
        )
        return ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, message)
    if entry.kind not in ("file", "folder"):
        what = {"encrypted": "an encrypted member"}.get(entry.kind, f"a {entry.kind}")
        return ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} is {what}")
    reason = unsafe_path_reason(entry.path) if entry.path else "it has no name"
    if reason is None and entry.name.startswith("/"):
        reason = "it is an absolute path"
    if reason:
        return ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} is refused: {reason}")
    if entry.path in seen:
        if seen[entry.path] != entry.kind:
            message = f"{checks.show(entry.path)} is both a file and a folder"
            return ARCHIVE_NAME_CLASH.problem(display, 0, 0, message)
        return ARCHIVE_UNSAFE_MEMBER.problem(display, 0, 0, f"{shown} appears twice")
    seen[entry.path] = entry.kind
    return None


def name_clashes(members: list[Entry]) -> dict[str, str]:
    """Files that are also folders of other members: file path -> a member inside it."""
    files = {e.path for e in members if e.kind == "file"}
    clashes: dict[str, str] = {}
    for entry in members:
        parent = PurePosixPath(entry.path).parent
        while parent.as_posix() != ".":
            if parent.as_posix() in files:
                clashes.setdefault(parent.as_posix(), entry.path)
            parent = parent.parent
    return clashes


def scan(
    source: Path | IO[bytes], name: str, display: str, options: DigitsOptions, cap: int
) -> Inspection:
    """The member list of an archive, checked, without extracting it; its root JSON files
    read (at most ``cap`` bytes each). Never raises for a bad archive."""
    try:
        with Archive(source, name) as archive:
            return _scan(archive, display, options, cap)
    except ArchiveError as exc:
        return Inspection((ARCHIVE_INVALID.problem(display, 0, 0, str(exc)),), ())


def inspect(path: Path, display: str, options: DigitsOptions, max_file_size: int) -> Inspection:
    """Check an archive on disk (its members, and its root JSON files)."""
    return inspect_scanned(scan(path, path.name, display, options, max_file_size), display,
                           options, max_file_size)  # fmt: skip


def inspect_stream(
    stream: IO[bytes], name: str, display: str, options: DigitsOptions, cap: int
) -> Inspection:
    """Check an archive read from a stream (its members, and its root JSON files)."""
    return inspect_scanned(scan(stream, name, display, options, cap), display, options, cap)


def inspect_scanned(
    found: Inspection, display: str, options: DigitsOptions, cap: int
) -> Inspection:
    """``found`` with the problems of its root JSON files added."""
    if not found.members and found.problems:
        return found
    targets, problems = member_targets(found, display, options)
    files = ArchiveFiles(found)
    for target, check in targets:
        problems.extend(check(target, files, options, cap).problems)
    return dataclasses.replace(found, problems=(*found.problems, *problems))


def _over_limit(display: str, total: int, stored: int, options: DigitsOptions) -> Problem | None:
    """A problem once the sizes declared so far pass a cap (checked before reading on)."""
    limits = options.archive
    if total > limits.max_bytes:
        message = f"members declare more than {limits.max_bytes} bytes"
        return ARCHIVE_OVER_LIMIT.problem(display, 0, 0, message)
    cap = limits.expansion_cap(stored)
    if total > cap:
        message = (
            f"members declare more than {cap} bytes from an archive of {stored} bytes "
            f"(over {limits.max_ratio} : 1, archive.max-ratio): a decompression bomb"
        )
        return ARCHIVE_EXPANSION.problem(display, 0, 0, message)
    return None


def _scan(archive: Archive, display: str, options: DigitsOptions, cap: int) -> Inspection:
    problems: list[Problem] = []
    members: list[Entry] = []
    seen: dict[str, str] = {}
    total = 0
    limits = options.archive
    jsons: dict[str, bytes | ReadError] = {}
    for count, entry in enumerate(archive.entries(), start=1):
        if count > limits.max_members:
            problems.append(
                ARCHIVE_OVER_LIMIT.problem(display, 0, 0, f"more than {limits.max_members} members")
            )
            return Inspection(tuple(problems), ())
        if entry.kind in STOPPING_KINDS:  # nothing after it is read, nothing is extracted
            problem = _member_problem(display, entry, seen)
            return Inspection((*problems, *([problem] if problem else [])), ())
        total += max(entry.size, 0)
        over = _over_limit(display, total, archive.stored_bytes, options)
        if over is not None:
            return Inspection((*problems, over), ())
        if entry.kind == "folder" and entry.path in ("", "."):
            continue  # the archive root itself (`tar -C job -czf x.tgz .`)
        problem = _member_problem(display, entry, seen)
        if problem is not None:
            problems.append(problem)
            continue
        members.append(entry)
        if entry.kind == "file" and entry.name in (limits.info_name, AUX_NAME):
            # read now, while the stream is at this member (DIGITS writes info.json last)
            jsons[entry.name] = _read_member(archive, entry, cap)
    clashes = name_clashes(members)
    for name, inside in clashes.items():
        message = f"{checks.show(name)} is a file, and {checks.show(inside)} puts a folder there"
        problems.append(ARCHIVE_NAME_CLASH.problem(display, 0, 0, message))
    if clashes:  # neither side can be extracted as checked
        members = [
            m for m in members
            if m.path not in clashes and not any(m.path.startswith(c + "/") for c in clashes)
        ]  # fmt: skip
    return Inspection(tuple(problems), tuple(members), jsons)


def _read_member(archive: Archive, entry: Entry, cap: int) -> bytes | ReadError:
    if entry.size > cap:
        return too_large(entry.size, cap)
    with archive.open(entry) as stream:
        return stream.read(cap + 1)[:cap]


MemberCheck = Callable[[Target, Files, DigitsOptions, int], FileResult]


def member_targets(
    found: Inspection, display: str, options: DigitsOptions
) -> tuple[list[tuple[Target, MemberCheck]], list[Problem]]:
    """The archive's root info.json and aux.json as targets (named ``ARCHIVE/NAME``), each
    with its check; or why there is none (no info.json where DIGITS looks for it)."""
    info_name = options.archive.info_name
    if info_name not in found.jsons:
        near = [e.name for e in found.members if PurePosixPath(e.path).name == info_name]
        hint = f" (found {checks.show(near[0])}, which DIGITS does not look for)" if near else ""
        message = f"no {info_name!r} at the archive root{hint}"
        return [], [ARCHIVE_INVALID.problem(display, 0, 0, message)]
    targets: list[tuple[Target, MemberCheck]] = [
        (Target(info_name, f"{display}/{info_name}", explicit=True), storecheck.check_info)
    ]
    if AUX_NAME in found.jsons:
        targets.append(
            (Target(AUX_NAME, f"{display}/{AUX_NAME}", explicit=True), storecheck.check_aux)
        )
    return targets, []


@dataclass(frozen=True)
class ArchiveFiles:
    """An archive's root as a folder: its root JSON files held, its other files named (an
    archive's own SHA256SUMS is checked against the files extracted, by ``store add``)."""

    found: Inspection
    vouched_by_checksums: bool = False

    def read(self, location: str, cap: int) -> bytes:
        data = self.found.jsons.get(location)
        if isinstance(data, ReadError):
            raise data
        if data is None:
            raise ReadError(ReadFailure.NOT_REGULAR, "not read from the archive")
        if len(data) > cap:
            raise too_large(len(data), cap)
        return data

    def listing(self, folder: str) -> Listing:
        if folder:
            return Listing()
        members = self.found.members
        return Listing(
            files=frozenset(e.path for e in members if e.kind == "file" and "/" not in e.path),
            folders=frozenset(e.path.split("/")[0] for e in members if "/" in e.path),
        )

    def present(self, folder: str, names: Sequence[str]) -> Presence:
        return Presence(files=self.listing(folder).files & frozenset(names))

    def digest(self, folder: str, name: str) -> tuple[str, int] | None:
        return None

    def open(self, location: str) -> AbstractContextManager[BinaryIO]:
        raise ReadError(ReadFailure.NOT_REGULAR, "an archive member is not opened in place")

    def url(self, location: str) -> str | None:
        return None


RULES = (
    ARCHIVE_UNSAFE_MEMBER,
    ARCHIVE_OVER_LIMIT,
    ARCHIVE_INVALID,
    ARCHIVE_EXPANSION,
    ARCHIVE_NAME_CLASH,
)
