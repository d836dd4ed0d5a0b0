"""MDV320-MDV323: master.json's children, and the store folder around it (pure checks)."""

from __future__ import annotations

from collections.abc import Mapping as Names
from dataclasses import dataclass, field

from mdvalidator.document import Mapping, Scalar, Sequence
from mdvalidator.families.digits.checks import INFO_NAME, check_section, show, unsafe_name_reason
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.problem import Problem, Severity

UNSAFE_CHILD_NAME = rule(
    "MDV320",
    "unsafe-child-name",
    "A `children` entry is not one plain folder name",
    """
DIGITS builds URLs and local paths from the child names without checks. Each entry must be a
single folder name: no `/` or `\\`, not `.` or `..`, not absolute, no NUL or control characters.

Failing:  "children": ["../../etc", "models/lenet"]
Passing:  "children": ["lenet"]
""",
)

DUPLICATE_CHILD = rule(
    "MDV321",
    "duplicate-child",
    "A `children` entry is listed twice",
    """
The store would show the model twice, with two ids for one folder.

Failing:  "children": ["lenet", "lenet"]
Passing:  "children": ["lenet"]
""",
)

CHILD_MISSING = rule(
    "MDV322",
    "child-missing",
    "A listed child folder or its info.json is missing",
    """
Without `<child>/info.json` DIGITS shows an empty row that cannot be imported.

Failing:  "children": ["lenet"] with no lenet/info.json
Passing:  "children": ["lenet"] with lenet/info.json
""",
)

CHILD_NOT_LISTED = rule(
    "MDV323",
    "child-not-listed",
    "A model folder is not listed in master.json",
    """
A folder holding an info.json that `children` does not name is invisible in the store; it was
usually added without updating master.json. Reported at the `children` key.

Failing:  folders lenet/ and alexnet/, "children": ["lenet"]
Passing:  folders lenet/ and alexnet/, "children": ["lenet", "alexnet"]
""",
    Severity.WARNING,
)


CHILDREN_KEY = "children"


def children(obj: Mapping) -> list[Scalar]:
    """The string entries of ``children`` (empty if the key is missing or malformed)."""
    value = obj.get(CHILDREN_KEY)
    if not isinstance(value, Sequence):
        return []
    return [i for i in value.items if isinstance(i, Scalar) and isinstance(i.value, str)]


def safe_children(obj: Mapping) -> list[str] | None:
    """Child names that are safe to look up, without repeats, in order; ``None`` when
    ``children`` is missing or not a list."""
    if not isinstance(obj.get(CHILDREN_KEY), Sequence):
        return None
    names: list[str] = []
    for item in children(obj):
        name = str(item.value)
        if unsafe_name_reason(name) is None and name not in names:
            names.append(name)
    return names


def check_master(path: str, obj: Mapping, options: DigitsOptions) -> list[Problem]:
    problems = check_section(path, obj, options.master)
    seen: dict[str, int] = {}
    for item in children(obj):
        name = str(item.value)
        at = (path, item.line, item.column)
        reason = unsafe_name_reason(name)
        if reason:
            problems.append(
                UNSAFE_CHILD_NAME.problem(*at, f"child {show(name)} is unsafe: {reason}")
            )
        elif name in seen:
            problems.append(
                DUPLICATE_CHILD.problem(
                    *at, f"child {show(name)} is already listed at line {seen[name]}"
                )
            )
        else:
            seen[name] = item.line
    return problems


@dataclass(frozen=True)
class StoreView:
    """The store folder around master.json: which children hold an info.json."""

    with_info: frozenset[str]
    # names whose state is unknown (e.g. a live store's fetch failed), with the reason
    unknown: Names[str, str] = field(default_factory=dict)
    # folders seen that hold an info.json (local stores only; ``None`` when not listable)
    all_models: frozenset[str] | None = None


def check_master_layout(path: str, obj: Mapping, store: StoreView) -> list[Problem]:
    """Each listed child has an info.json; every model folder is listed."""
    member = obj.key(CHILDREN_KEY)
    if member is None or not isinstance(obj.get(CHILDREN_KEY), Sequence):
        return []  # reported as a missing key or a wrong type
    problems: list[Problem] = []
    listed = set()
    for item in children(obj):
        name = str(item.value)
        if unsafe_name_reason(name) is not None or name in listed:
            continue
        listed.add(name)
        if name in store.with_info or name in store.unknown:
            continue
        problems.append(
            CHILD_MISSING.problem(
                path, item.line, item.column, f"child {show(name)} has no {INFO_NAME}"
            )
        )
    if store.all_models is not None:
        for name in sorted(store.all_models - listed):
            problems.append(
                CHILD_NOT_LISTED.problem(
                    path,
                    member.line,
                    member.column,
                    f"folder {show(name)} holds an {INFO_NAME} but is not in 'children'",
                )
            )
    return problems


RULES = (UNSAFE_CHILD_NAME, DUPLICATE_CHILD, CHILD_MISSING, CHILD_NOT_LISTED)
