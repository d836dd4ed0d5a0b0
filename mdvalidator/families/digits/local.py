"""Checking store files on disk: master.json, info.json, aux.json and SHA256SUMS in their folders.

This is the I/O edge for local stores: it reads files (size-capped, links refused), lists the
folders around them and hands plain data to the pure checks in ``checks``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mdvalidator.families.digits import checks, master, model
from mdvalidator.families.digits import rules as R
from mdvalidator.families.digits.checks import INFO_NAME
from mdvalidator.families.digits.checksums import parse_sums, sums_problems, verify_folder
from mdvalidator.families.digits.folder import ReadError, Scan, read_capped, scan
from mdvalidator.families.digits.jsonpos import JsonObject, JsonScalar, parse_bytes
from mdvalidator.families.digits.master import StoreView
from mdvalidator.families.digits.model import FolderView
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.family import FileResult
from mdvalidator.problem import Problem

MASTER_NAME = "master.json"
AUX_NAME = "aux.json"


def read_problem(display: str, error: ReadError) -> Problem:
    if error.symlink:
        return R.SYMLINK_REFUSED.problem(display, 0, 0, error.message)
    rule = R.FILE_TOO_LARGE if error.too_large else R.FILE_UNREADABLE
    return rule.problem(display, 0, 0, error.message)


def load_object(
    path: Path, display: str, what: str, options: DigitsOptions, max_size: int
) -> tuple[JsonObject | None, list[Problem]]:
    try:
        data = read_capped(path, max_size)
    except ReadError as error:
        return None, [read_problem(display, error)]
    return checks.root_object(display, parse_bytes(data, options.max_depth), what)


def folder_view(folder: Path, listing: Scan, options: DigitsOptions, max_size: int) -> FolderView:
    checksum_names = None
    if options.checksums.file in listing.files:
        try:
            data = read_capped(folder / options.checksums.file, max_size)
            checksum_names = parse_sums(data).names
        except ReadError:
            checksum_names = frozenset()
    return FolderView(files=listing.files, checksums=checksum_names)


def _folder_problems(path: Path, listing: Scan, display: str, what: str) -> list[Problem]:
    """Links and special files next to ``path`` (``path`` itself is reported when read)."""
    if listing.error:
        return [R.FILE_UNREADABLE.problem(display, 0, 0, listing.error)]
    problems = [
        R.SYMLINK_REFUSED.problem(
            display, 0, 0, f"{what} holds a symbolic link {checks.show(name)} (not followed)"
        )
        for name in listing.symlinks
        if name != path.name
    ]
    problems.extend(
        R.FILE_UNREADABLE.problem(
            display, 0, 0, f"{what} holds {checks.show(name)}, neither a file nor a folder"
        )
        for name in listing.others
        if name != path.name
    )
    return problems


def _has_info(listing: Scan) -> bool:
    return INFO_NAME in listing.files or INFO_NAME in listing.symlinks


def store_view(store: Path) -> StoreView:
    listing = scan(store)
    # an info.json that is itself a link counts: its own check reports the link
    models = frozenset(name for name in listing.folders if _has_info(scan(store / name)))
    links = {name: "it is a symbolic link (not followed)" for name in listing.symlinks}
    return StoreView(with_info=models, unknown=links, all_models=models)


def check_master(path: Path, display: str, options: DigitsOptions, max_size: int) -> FileResult:
    obj, problems = load_object(path, display, MASTER_NAME, options, max_size)
    problems.extend(_folder_problems(path, scan(path.parent), display, "the store folder"))
    if obj is not None:
        problems.extend(master.check_master(display, obj, options))
        problems.extend(master.check_master_layout(display, obj, store_view(path.parent)))
    return FileResult(problems=tuple(problems))


def check_info(path: Path, display: str, options: DigitsOptions, max_size: int) -> FileResult:
    obj, problems = load_object(path, display, INFO_NAME, options, max_size)
    listing = scan(path.parent)
    problems.extend(_folder_problems(path, listing, display, "the model folder"))
    if obj is None:
        return FileResult(problems=tuple(problems))
    view = folder_view(path.parent, listing, options, max_size)
    problems.extend(model.check_info(display, obj, options, view))
    return FileResult(problems=tuple(problems), facts=model_facts(obj, path))


def model_facts(obj: JsonObject, path: Path) -> Mapping[str, Any]:
    member = obj.get("id")
    if member is None or not isinstance(member.value, JsonScalar) or not member.value.value:
        return {}
    value = member.value
    return {
        "model_id": (str(value.value), value.line, value.column),
        "store": str(path.parent.parent),
    }


def check_aux(path: Path, display: str, options: DigitsOptions, max_size: int) -> FileResult:
    obj, problems = load_object(path, display, AUX_NAME, options, max_size)
    if obj is not None:
        view = folder_view(path.parent, scan(path.parent), options, max_size)
        problems.extend(model.check_aux(display, obj, options, view))
    return FileResult(problems=tuple(problems))


def check_sums(path: Path, display: str, max_size: int) -> FileResult:
    try:
        data = read_capped(path, max_size)
    except ReadError as error:
        return FileResult(problems=(read_problem(display, error),))
    sums = parse_sums(data)
    problems = sums_problems(display, sums)
    problems.extend(verify_folder(display, path.parent, sums))
    return FileResult(problems=tuple(problems))


def store_files(store: Path, options: DigitsOptions, max_size: int) -> list[Path]:
    """The files of a local store, in the order a check reads them: master.json first, then
    per listed child its info.json, aux.json and SHA256SUMS. Without a usable master.json,
    every folder holding an info.json is checked, so that nothing stays hidden behind it.
    Linked folders are skipped (the master.json check reports them).
    """
    master_path = store / MASTER_NAME
    files = [master_path] if master_path.exists() or master_path.is_symlink() else []
    names: list[str] | None = None
    if files:
        try:
            result = parse_bytes(read_capped(master_path, max_size), options.max_depth)
        except ReadError:
            result = None
        if result is not None and isinstance(result.root, JsonObject):
            names = master.safe_children(result.root)
    if names is None:
        names = sorted(store_view(store).with_info)
    listing = scan(store)
    for name in names:
        if name not in listing.folders:
            continue
        child = scan(store / name)
        for file_name in (INFO_NAME, AUX_NAME, options.checksums.file):
            if file_name in child.files or file_name in child.symlinks:
                files.append(store / name / file_name)
    return files
