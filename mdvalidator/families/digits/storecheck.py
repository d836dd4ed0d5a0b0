"""MDV304, MDV305, MDV330 (reading), and checking store files where they lie: master.json,
info.json, aux.json and SHA256SUMS, each against the folder around it, read through a source's
:class:`~mdvalidator.family.Files` (a folder on disk, files in memory, a live store fetched over
HTTP). The checks of what the files say are pure functions (``master``, ``model``, ...).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from mdvalidator.document import Mapping, Scalar
from mdvalidator.families.digits import checks, master, model
from mdvalidator.families.digits.checks import INFO_NAME
from mdvalidator.families.digits.checksums import parse_sums, sums_problems, verify_folder
from mdvalidator.families.digits.jsonread import parse_bytes
from mdvalidator.families.digits.master import StoreView
from mdvalidator.families.digits.model import STORE_FILE_UNREACHABLE, FolderView
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.family import FileResult, Files, Listing, Target
from mdvalidator.problem import Problem
from mdvalidator.reading import ReadError, ReadFailure

FILE_TOO_LARGE = rule(
    "MDV304",
    "store-file-too-large",
    "A store JSON file is larger than the size cap",
    """
master.json, info.json and aux.json are a few kilobytes. A file over the size cap
(`--max-file-size`, default 4 MiB) is not read, so a hostile store cannot exhaust memory.

Failing:  a 50 MB info.json
Passing:  the 1 KB info.json DIGITS writes
""",
)

FILE_UNREADABLE = rule(
    "MDV305",
    "store-file-unreadable",
    "A store file cannot be read",
    """
The file exists but reading it failed (permissions, a folder where a file belongs, an I/O
error). Nothing else can be checked in it.

Failing:  info.json is a folder
Passing:  info.json is a readable regular file
""",
)

SYMLINK_REFUSED = rule(
    "MDV330",
    "symlink-refused",
    "A symbolic link inside a store folder",
    """
A link can point anywhere on the server that hosts the store; mdvalidator does not follow it
and reports it instead. Store folders hold regular files and folders only.

Failing:  lenet/snapshot.caffemodel -> /home/me/jobs/x/snapshot_iter_100.caffemodel
Passing:  lenet/snapshot_iter_100.caffemodel is a regular file
""",
)


MASTER_NAME = "master.json"
AUX_NAME = "aux.json"


def join(folder: str, *names: str) -> str:
    return posixpath.join(folder, *names) if folder else posixpath.join(*names)


def read_problem(display: str, error: ReadError) -> Problem:
    rule = {
        ReadFailure.SYMLINK: SYMLINK_REFUSED,
        ReadFailure.TOO_LARGE: FILE_TOO_LARGE,
        ReadFailure.UNREACHABLE: STORE_FILE_UNREACHABLE,
    }.get(error.kind, FILE_UNREADABLE)
    return rule.problem(display, 0, 0, error.message)


def load_object(
    files: Files, target: Target, what: str, options: DigitsOptions, cap: int
) -> tuple[Mapping | None, list[Problem]]:
    try:
        data = files.read(target.location, cap)
    except ReadError as error:
        return None, [read_problem(target.display, error)]
    return checks.root_object(target.display, parse_bytes(data, options.max_depth), what)


def folder_view(
    files: Files, folder: str, names: Iterable[str], options: DigitsOptions, cap: int
) -> FolderView:
    """What the folder holds of ``names``, and the names its SHA256SUMS lists."""
    sums_name = options.checksums.file
    presence = files.present(folder, [*names, sums_name])
    checksum_names = None
    if sums_name in presence.files:
        try:
            checksum_names = parse_sums(files.read(join(folder, sums_name), cap)).names
        except ReadError:
            checksum_names = frozenset()
    unknown = {name: why for name, why in presence.unknown.items() if name != sums_name}
    return FolderView(
        files=presence.files,
        unknown=unknown,
        checksums=checksum_names,
        check_checksums=files.vouched_by_checksums,
    )


def _folder_problems(target: Target, listing: Listing, what: str) -> list[Problem]:
    """Links and special files next to the target (the target itself is reported when read)."""
    display = target.display
    if listing.error:
        return [FILE_UNREADABLE.problem(display, 0, 0, listing.error)]
    problems = [
        SYMLINK_REFUSED.problem(
            display, 0, 0, f"{what} holds a symbolic link {checks.show(name)} (not followed)"
        )
        for name in listing.symlinks
        if name != target.name
    ]
    problems.extend(
        FILE_UNREADABLE.problem(
            display, 0, 0, f"{what} holds {checks.show(name)}, neither a file nor a folder"
        )
        for name in listing.others
        if name != target.name
    )
    return problems


def _has_info(listing: Listing) -> bool:
    return INFO_NAME in listing.files or INFO_NAME in listing.symlinks


def store_view(files: Files, store: str, listed: Iterable[str]) -> StoreView:
    """Which children of the store hold an info.json (every folder seen, where the source
    lists folders; else each listed child, asked)."""
    listing = files.listing(store)
    if listing.complete:
        # an info.json that is itself a link counts: its own check reports the link
        models = frozenset(
            name for name in listing.folders if _has_info(files.listing(join(store, name)))
        )
        links = {name: "it is a symbolic link (not followed)" for name in listing.symlinks}
        return StoreView(with_info=models, unknown=links, all_models=models)
    with_info: set[str] = set()
    unknown: dict[str, str] = {}
    for name in listed:
        presence = files.present(join(store, name), [INFO_NAME])
        if INFO_NAME in presence.files:
            with_info.add(name)
        elif INFO_NAME in presence.unknown:
            unknown[name] = presence.unknown[INFO_NAME]
    return StoreView(with_info=frozenset(with_info), unknown=unknown)


def check_master(target: Target, files: Files, options: DigitsOptions, cap: int) -> FileResult:
    obj, problems = load_object(files, target, MASTER_NAME, options, cap)
    problems.extend(_folder_problems(target, files.listing(target.folder), "the store folder"))
    if obj is not None:
        problems.extend(master.check_master(target.display, obj, options))
        listed = master.safe_children(obj) or []
        view = store_view(files, target.folder, listed)
        problems.extend(master.check_master_layout(target.display, obj, view))
    return FileResult(problems=tuple(problems))


def check_info(target: Target, files: Files, options: DigitsOptions, cap: int) -> FileResult:
    obj, problems = load_object(files, target, INFO_NAME, options, cap)
    problems.extend(_folder_problems(target, files.listing(target.folder), "the model folder"))
    if obj is None:
        return FileResult(problems=tuple(problems))
    refs = model.file_refs(obj, options.info.section, options.info)
    view = folder_view(files, target.folder, [r.name for r in refs], options, cap)
    problems.extend(model.check_info(target.display, obj, options, view))
    return FileResult(problems=tuple(problems), facts=model_id(obj, target))


def model_id(obj: Mapping, target: Target) -> model.ModelId | None:
    """The job id an info.json declares (two folders of one store must not share one)."""
    value = obj.get("id")
    if not isinstance(value, Scalar) or not value.value:
        return None
    store = posixpath.dirname(target.folder)
    return model.ModelId(str(value.value), value.line, value.column, store)


def check_aux(target: Target, files: Files, options: DigitsOptions, cap: int) -> FileResult:
    obj, problems = load_object(files, target, AUX_NAME, options, cap)
    if obj is not None:
        refs = model.file_refs(obj, options.aux)
        view = folder_view(files, target.folder, [r.name for r in refs], options, cap)
        problems.extend(model.check_aux(target.display, obj, options, view))
    return FileResult(problems=tuple(problems))


def check_sums(target: Target, files: Files, cap: int) -> FileResult:
    try:
        data = files.read(target.location, cap)
    except ReadError as error:
        return FileResult(problems=(read_problem(target.display, error),))
    sums = parse_sums(data)
    problems = sums_problems(target.display, sums)
    verified, refs = verify_folder(target.display, files, target.folder, sums)
    problems.extend(verified)
    return FileResult(problems=tuple(problems), assets=tuple(refs))


RULES = (FILE_TOO_LARGE, FILE_UNREADABLE, SYMLINK_REFUSED)
