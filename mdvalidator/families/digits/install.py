"""``mdvalidator store add``: the safe version of "unzip each tarball into its own directory".

The archive is checked first (nothing is written when an error remains). Then, holding the
store's lock (:mod:`.storelock`) so that concurrent adds take turns, only the
members that passed, regular files with plain relative names, are streamed into a hidden
temporary folder inside the store (files created exclusively, links never followed) and hashed
on the way; no member gets more bytes than the check saw it declare, and the whole never more
than the archive caps allow. If the archive ships its own SHA256SUMS, the extracted files must
match it. A SHA256SUMS of everything extracted is written and the folder is renamed into place.
Last, master.json, read again under the lock, is rewritten atomically (temporary file +
``os.replace``) with the new child appended.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from mdvalidator.assets.hashing import CHUNK_SIZE, sha256_chunks
from mdvalidator.atomic import write_atomic
from mdvalidator.document import Mapping, python_value
from mdvalidator.families.digits import archive, checks, tarreader
from mdvalidator.families.digits.checksums import (
    CHECKSUM_FILE_INVALID,
    format_sums,
    mismatch,
    parse_sums,
    sums_problems,
)
from mdvalidator.families.digits.jsonread import parse_bytes
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.storelock import DEFAULT_WAIT, StoreLockError, store_lock
from mdvalidator.problem import Problem, Severity
from mdvalidator.reading import NO_LINK_FLAGS, ReadError, read_capped

MASTER_NAME = "master.json"
DEFAULT_MSG = "DIGITS Model Store"


class AddError(Exception):
    """The archive cannot be added; nothing in the store was changed."""


@dataclass(frozen=True)
class Added:
    """What ``add_archive`` did: every problem found, and the new child (``None`` if refused)."""

    problems: tuple[Problem, ...]
    child: Path | None
    files: int = 0


def child_name(archive_path: Path) -> str:
    """``20171022-025612-7b04_epoch_30.0.tar.gz`` -> ``20171022-025612-7b04_epoch_30.0``."""
    name = archive_path.name
    for suffix in sorted(checks.TAR_SUFFIXES + checks.ZIP_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _read_master(store: Path, options: DigitsOptions, max_size: int) -> dict[str, Any] | None:
    path = store / MASTER_NAME
    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = read_capped(path, max_size)
    except ReadError as error:
        raise AddError(f"{path}: {error.message}") from None
    result = parse_bytes(data, options.max_depth)
    if not isinstance(result.root, Mapping) or result.issues:
        raise AddError(f"{path}: not a valid master.json; run `mdvalidator store {store}` first")
    master = python_value(result.root)
    assert isinstance(master, dict)
    children = master.get("children")
    if not isinstance(children, list) or not all(isinstance(c, str) for c in children):
        raise AddError(f"{path}: 'children' is not a list of names")
    return master


def _check_child(store: Path, child: str) -> None:
    if (store / child).exists() or (store / child).is_symlink():
        raise AddError(f"{store / child} already exists (use --name to choose another)")


def add_archive(
    archive_path: Path,
    store: Path,
    options: DigitsOptions,
    max_file_size: int,
    decide: Callable[[Sequence[Problem]], list[Problem]],
    name: str | None = None,
    msg: str | None = None,
    lock_wait: float = DEFAULT_WAIT,
    inspection: archive.Inspection | None = None,
) -> Added:
    """Validate ``archive_path`` and, if no error remains after ``decide``, add it to ``store``.

    ``inspection``: the archive already checked by the caller (through the engine, whose
    report said no error remains); its problems are the caller's to report. Raises
    ``AddError`` for a store or name that cannot take the archive (nothing changed).
    """
    if not store.is_dir() or store.is_symlink():
        raise AddError(f"{store}: not a store folder")
    child = name if name is not None else child_name(archive_path)
    reason = checks.unsafe_name_reason(child)
    if reason:
        raise AddError(f"child name {checks.show(child)} is unsafe: {reason} (use --name)")
    _check_child(store, child)
    _read_master(store, options, max_file_size)  # refuse early; read again under the lock
    if archive_path.is_symlink():
        raise AddError(f"{archive_path}: a symbolic link (not followed)")
    # Checking reads the whole archive: done before taking the lock, so others need not wait.
    problems: list[Problem] = []
    if inspection is None:
        inspection = archive.inspect(archive_path, archive_path.as_posix(), options, max_file_size)
        problems = decide(inspection.problems)
    if any(p.severity >= Severity.ERROR for p in problems):
        return Added(tuple(problems), None)
    try:
        with store_lock(store, lock_wait):
            _check_child(store, child)
            master = _read_master(store, options, max_file_size)
            added = _add_locked(archive_path, store, child, inspection, options, max_file_size,
                                decide)  # fmt: skip
            if added.child is not None:
                try:
                    _write_master(store, master, child, msg)
                except BaseException:  # a child master.json does not list is not left behind
                    shutil.rmtree(added.child, ignore_errors=True)
                    raise
    except StoreLockError as exc:
        raise AddError(str(exc)) from None
    return Added((*problems, *added.problems), added.child, added.files)


def _add_locked(
    archive_path: Path,
    store: Path,
    child: str,
    inspection: archive.Inspection,
    options: DigitsOptions,
    max_file_size: int,
    decide: Callable[[Sequence[Problem]], list[Problem]],
) -> Added:
    """Extract the checked members into ``store/child`` (the caller holds the lock)."""
    sums_name = options.checksums.file
    members = [m for m in inspection.members if m.kind == "file" and m.path != sums_name]
    budget = sum(m.size for m in members)  # what the check saw, within the archive caps
    staging = Path(tempfile.mkdtemp(prefix=f".{child}.", suffix=".partial", dir=store))
    try:
        digests, shipped = _extract(
            archive_path, staging, members, sums_name, max_file_size, budget
        )
        refused = decide(_shipped_sums_problems(archive_path, sums_name, shipped, digests))
        if any(p.severity >= Severity.ERROR for p in refused):
            shutil.rmtree(staging, ignore_errors=True)
            return Added(tuple(refused), None)
        (staging / sums_name).write_text(format_sums(digests), "utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it 0700
        os.rename(staging, store / child)
    except tarreader.ArchiveError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise AddError(str(exc)) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Added(tuple(refused), store / child, len(members))


def _shipped_sums_problems(
    archive_path: Path, sums_name: str, shipped: bytes | None, digests: dict[str, str]
) -> list[Problem]:
    """A SHA256SUMS inside the archive must agree with what was extracted."""
    if shipped is None:
        return []
    where = f"{archive_path.as_posix()}/{sums_name}"
    sums = parse_sums(shipped)
    problems = sums_problems(where, sums)
    for entry in sums.entries:
        actual = digests.get(entry.name)
        if actual is None:
            message = f"{checks.show(entry.name)} is not in the archive"
            problems.append(CHECKSUM_FILE_INVALID.problem(where, entry.line, 1, message))
        elif actual != entry.digest:
            problems.append(mismatch(where, entry, actual))
    return problems


def _extract(
    archive_path: Path,
    staging: Path,
    members: Sequence[tarreader.Entry],
    sums_name: str,
    max_sums_size: int,
    budget: int,
) -> tuple[dict[str, str], bytes | None]:
    """Write the members into ``staging``: their sha256 by path, and the archive's own
    SHA256SUMS (read, not written) if it ships one.

    The archive is read a second time: a member must be as the check saw it (kind and size),
    and all of them together get at most ``budget`` bytes.
    """
    wanted = {m.name: m for m in members}
    digests: dict[str, str] = {}
    shipped: bytes | None = None
    written = 0
    with tarreader.Archive(archive_path) as opened:
        for entry in opened.entries():
            if entry.kind in tarreader.STOPPING_KINDS:
                raise AddError(f"{archive_path}: changed since it was checked")
            if entry.kind == "file" and entry.path == sums_name:
                with opened.open(entry) as source:
                    shipped = source.read(max_sums_size)
                continue
            if entry.name not in wanted or entry.kind != "file":
                continue
            checked = wanted.pop(entry.name)
            if entry.size != checked.size or written + entry.size > budget:
                raise AddError(f"{archive_path}: changed since it was checked")
            target = staging / entry.path
            for folder in reversed(target.relative_to(staging).parents[:-1]):
                (staging / folder).mkdir(mode=0o755, exist_ok=True)
            with opened.open(entry) as source:
                digests[entry.path] = _write_new(target, source, checked.size)
            written += checked.size
    return digests, shipped


def _write_new(target: Path, source: IO[bytes], declared: int) -> str:
    """Copy at most ``declared`` bytes into a file that must not exist yet; its sha256."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_LINK_FLAGS, 0o644)
    with os.fdopen(fd, "wb") as sink:

        def chunks() -> Iterator[bytes]:
            left = declared
            while chunk := source.read(min(CHUNK_SIZE, left + 1)):
                left -= len(chunk)
                if left < 0:
                    raise AddError(f"{target.name}: more bytes than the archive declares")
                sink.write(chunk)
                yield chunk

        digest, _ = sha256_chunks(chunks())
    return digest


def _write_master(store: Path, master: dict[str, Any] | None, child: str, msg: str | None) -> None:
    data = dict(master) if master is not None else {"msg": msg or DEFAULT_MSG, "children": []}
    if msg is not None:
        data["msg"] = msg
    data["children"] = [*data["children"], child]
    text = json.dumps(data, indent=4, ensure_ascii=False) + "\n"
    write_atomic(store / MASTER_NAME, text.encode("utf-8"), mode=0o644, durable=True)
