"""MDV316-MDV319, MDV324, MDV325, MDV327, MDV328, MDV335: a model folder's info.json and
aux.json, and the files they name, against a view of the folder (pure checks).

Folder views are built by the I/O edges (``local`` for folders on disk, ``archive`` for
tarballs, ``remote`` for live stores) and handed in.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from collections.abc import Mapping as Names
from dataclasses import dataclass, field

from mdvalidator.document import Mapping, Scalar
from mdvalidator.families.digits.checks import (
    EMPTY_VALUE,
    MISSING_KEY,
    WRONG_TYPE,
    check_section,
    show,
    unsafe_name_reason,
)
from mdvalidator.families.digits.options import DigitsOptions, InfoOptions, SectionOptions
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.problem import Problem, Severity

LEGACY_MODEL_KEY = rule(
    "MDV316",
    "legacy-model-key",
    "The model definition uses the legacy `network file` key",
    """
DIGITS wrote `network file` for a month in 2016 before renaming it `model file`. Clients still
accept it, but tools written since look for `model file` only.

Failing:  "network file": "original.prototxt"
Passing:  "model file": "original.prototxt"
""",
    Severity.WARNING,
)

NO_SNAPSHOT = rule(
    "MDV317",
    "no-snapshot",
    "The model has no trained weights",
    """
DIGITS writes `"snapshot file": "no snapshots"` for a job that never saved weights; importing
it downloads a file of that name and fails.

Failing:  "snapshot file": "no snapshots"
Passing:  "snapshot file": "snapshot_iter_28140.caffemodel"
""",
)

STATUS_NOT_DONE = rule(
    "MDV318",
    "status-not-done",
    "The training job did not finish",
    """
A job published while Running, Aborted or in Error carries weights from an unfinished run.

Failing:  "status": "Aborted"
Passing:  "status": "Done"
""",
    Severity.WARNING,
)

WEIGHTS_EXTENSION = rule(
    "MDV319",
    "weights-extension",
    "The weights file does not match the framework",
    """
Caffe weights end in .caffemodel, Torch in .t7, TensorFlow snapshots are a .ckpt prefix. Import
dispatches on `framework`, so a mismatch loads the weights with the wrong framework.

Failing:  "framework": "torch", "snapshot file": "snapshot_iter_100.caffemodel"
Passing:  "framework": "torch", "snapshot file": "snapshot_30_Model.t7"
""",
)

REFERENCED_FILE_MISSING = rule(
    "MDV324",
    "referenced-file-missing",
    "A file that info.json or aux.json names is missing",
    """
Every `* file` value of info.json must sit next to it (for a TensorFlow snapshot prefix, its
`.index`, `.meta` and `.data-00000-of-00001` files), and so must aux.json's `logo`. DIGITS does
not check download status codes, so a missing file is imported as a 404 page.

Failing:  "snapshot file": "snapshot_iter_28140.caffemodel" with no such file
Passing:  the same, with snapshot_iter_28140.caffemodel in the folder
""",
)

UNSAFE_FILE_NAME = rule(
    "MDV325",
    "unsafe-file-name",
    "A file name in info.json or aux.json is not a plain name",
    """
DIGITS joins these names to its download folder unchecked, so `../x` writes outside it. A file
name must be one plain name at the folder's top level.

Failing:  "model file": "../../.bashrc"
Passing:  "model file": "original.prototxt"
""",
)

CHECKSUM_NOT_LISTED = rule(
    "MDV327",
    "checksum-not-listed",
    "A file named by info.json is not in SHA256SUMS",
    """
When a folder has a SHA256SUMS, every file the import downloads should be covered by it.

Failing:  SHA256SUMS lists deploy.prototxt only; info.json names the .caffemodel too
Passing:  SHA256SUMS lists every file info.json names
""",
)

CHECKSUMS_MISSING = rule(
    "MDV328",
    "checksums-missing",
    "A model folder has no SHA256SUMS",
    """
Only with `--require-checksums` (or `checksums.required = true` in the rule set): a store that
promises integrity needs a SHA256SUMS in every model folder (`mdvalidator store add` writes one).

Failing:  lenet/ holds info.json and weights only
Passing:  lenet/SHA256SUMS lists every file
""",
)

STORE_FILE_UNREACHABLE = rule(
    "MDV335",
    "store-file-unreachable",
    "A file of a live store could not be fetched",
    """
A network error, a block by the safe fetcher, a truncated body or a server error while
fetching a child's info.json, aux.json or a referenced file.

Failing:  lenet/info.json answers 500
Passing:  lenet/info.json answers 200 with valid JSON
""",
)


SNAPSHOT_KEY = "snapshot file"
FRAMEWORK_KEY = "framework"
STATUS_KEY = "status"


@dataclass(frozen=True)
class FolderView:
    """What is known about the folder next to a checked file.

    ``files`` are regular files known to be there; ``unknown`` maps names that could not be
    looked at (a live store's network error) to the reason; every other name is missing.
    ``checksums`` holds the names SHA256SUMS lists, or ``None`` when the folder has none.
    """

    files: frozenset[str] = frozenset()
    unknown: Names[str, str] = field(default_factory=dict)
    checksums: frozenset[str] | None = None
    check_checksums: bool = True


@dataclass(frozen=True)
class ModelId:
    """The job id an info.json declares, where, and the store folder it belongs to."""

    value: str
    line: int
    column: int
    store: str


@dataclass(frozen=True)
class FileRef:
    """A file that a key of info.json or aux.json names, at the value's position."""

    key: str
    name: str
    line: int
    column: int


def _string_member(obj: Mapping, key: str) -> tuple[Scalar, str] | None:
    """The value of ``key`` when it is a string (the value, and its text)."""
    value = obj.get(key)
    if not isinstance(value, Scalar) or not isinstance(value.value, str):
        return None
    return value, value.value


def _names_a_file(key: str, section: SectionOptions) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in section.file_keys)


def framework_of(obj: Mapping, info: InfoOptions) -> str | None:
    found = _string_member(obj, FRAMEWORK_KEY)
    if found is None or found[1] not in info.frameworks:
        return None
    return found[1]


def file_refs(
    obj: Mapping, section: SectionOptions, info: InfoOptions | None = None
) -> list[FileRef]:
    """Every file the document names (TensorFlow prefixes expanded), plain names only."""
    refs: list[FileRef] = []
    framework = framework_of(obj, info) if info else None
    checkpoint = info.frameworks[framework].checkpoint_files if info and framework else ()
    weights = info.frameworks[framework].weights if info and framework else ()
    for key, _ in obj.pairs:
        if not _names_a_file(key.text, section):
            continue
        found = _string_member(obj, key.text)
        if found is None:
            continue
        value, name = found
        if not name.strip() or unsafe_name_reason(name):
            continue
        if info and key.text == SNAPSHOT_KEY and name in info.no_snapshot:
            continue
        names = [name]
        if key.text == SNAPSHOT_KEY and checkpoint and name.endswith(weights):
            names = [name + suffix for suffix in checkpoint]
        refs.extend(FileRef(key.text, n, value.line, value.column) for n in names)
    return refs


def _file_key_problems(path: str, obj: Mapping, section: SectionOptions) -> list[Problem]:
    """Values naming files: plain names. A declared field's type and emptiness are its own
    checks' (``check_section``); an undeclared file key is checked here."""
    problems: list[Problem] = []
    for key, value in obj.pairs:
        name_key = key.text
        if not _names_a_file(name_key, section):
            continue
        spec = section.fields.get(name_key)
        at = (path, value.line, value.column)
        if not (isinstance(value, Scalar) and isinstance(value.value, str)):
            if spec is None:
                problems.append(
                    WRONG_TYPE.problem(*at, f"{name_key!r} must be a file name (a string)")
                )
            continue
        name = value.value
        if not name:
            declared_empty = spec is not None and spec.non_empty
            if name_key not in section.may_be_empty and not declared_empty:
                problems.append(EMPTY_VALUE.problem(*at, f"{name_key!r} names no file"))
            continue
        reason = unsafe_name_reason(name)
        if reason:
            problems.append(
                UNSAFE_FILE_NAME.problem(*at, f"{name_key!r} is {show(name)}: {reason}")
            )
    return problems


def check_files_present(
    path: str, refs: Iterable[FileRef], folder: FolderView, checksum_name: str
) -> list[Problem]:
    problems: list[Problem] = []
    for ref in refs:
        at = (path, ref.line, ref.column)
        if ref.name in folder.unknown:
            problems.append(
                STORE_FILE_UNREACHABLE.problem(
                    *at, f"{show(ref.name)} ({ref.key}): {folder.unknown[ref.name]}"
                )
            )
        elif ref.name not in folder.files:
            problems.append(
                REFERENCED_FILE_MISSING.problem(
                    *at, f"{ref.key!r} names {show(ref.name)}, which is not in the folder"
                )
            )
        elif (
            folder.check_checksums
            and folder.checksums is not None
            and ref.name not in folder.checksums
        ):
            problems.append(
                CHECKSUM_NOT_LISTED.problem(
                    *at, f"{show(ref.name)} ({ref.key}) is not listed in {checksum_name}"
                )
            )
    return problems


def check_info(
    path: str, obj: Mapping, options: DigitsOptions, folder: FolderView
) -> list[Problem]:
    info = options.info
    framework = framework_of(obj, info)
    extra = info.frameworks[framework].required if framework else ()
    problems = check_section(path, obj, info.section, extra)
    problems.extend(_model_definition(path, obj, info))
    problems.extend(_snapshot(path, obj, info, framework))
    status = _string_member(obj, STATUS_KEY)
    if status and status[1] and status[1] != info.done_status:
        value = status[0]
        problems.append(
            STATUS_NOT_DONE.problem(
                path,
                value.line,
                value.column,
                f"status is {show(status[1])}, not {info.done_status!r}",
            )
        )
    problems.extend(_file_key_problems(path, obj, info.section))
    refs = file_refs(obj, info.section, info)
    problems.extend(check_files_present(path, refs, folder, options.checksums.file))
    if folder.check_checksums and folder.checksums is None and options.checksums.required:
        problems.append(
            CHECKSUMS_MISSING.problem(
                path, 0, 0, f"the model folder has no {options.checksums.file}"
            )
        )
    return problems


def _model_definition(path: str, obj: Mapping, info: InfoOptions) -> list[Problem]:
    if not info.model_keys:
        return []
    current, *legacy = info.model_keys
    if obj.get(current) is not None:
        return []
    for key in legacy:
        written = obj.key(key)
        if written is not None:
            return [
                LEGACY_MODEL_KEY.problem(
                    path, written.line, written.column, f"{key!r} is the legacy name of {current!r}"
                )
            ]
    names = " or ".join(repr(k) for k in info.model_keys)
    return [MISSING_KEY.problem(path, obj.line, obj.column, f"missing model definition: {names}")]


def _snapshot(path: str, obj: Mapping, info: InfoOptions, framework: str | None) -> list[Problem]:
    found = _string_member(obj, SNAPSHOT_KEY)
    if found is None:
        return []
    value, name = found
    at = (path, value.line, value.column)
    if name in info.no_snapshot:
        return [NO_SNAPSHOT.problem(*at, f"{SNAPSHOT_KEY!r} is {name!r}: the job saved no weights")]
    weights = info.frameworks[framework].weights if framework else ()
    if weights and name.strip() and not name.endswith(weights):
        expected = " or ".join(weights)
        return [
            WEIGHTS_EXTENSION.problem(
                *at, f"{framework} weights end in {expected}, not {show(name)}"
            )
        ]
    return []


def check_aux(path: str, obj: Mapping, options: DigitsOptions, folder: FolderView) -> list[Problem]:
    problems = check_section(path, obj, options.aux)
    problems.extend(_file_key_problems(path, obj, options.aux))
    refs = file_refs(obj, options.aux)
    view = FolderView(folder.files, folder.unknown, None, check_checksums=False)
    problems.extend(check_files_present(path, refs, view, options.checksums.file))
    return problems


RULES = (
    LEGACY_MODEL_KEY,
    NO_SNAPSHOT,
    STATUS_NOT_DONE,
    WEIGHTS_EXTENSION,
    REFERENCED_FILE_MISSING,
    UNSAFE_FILE_NAME,
    CHECKSUM_NOT_LISTED,
    CHECKSUMS_MISSING,
    STORE_FILE_UNREACHABLE,
)
