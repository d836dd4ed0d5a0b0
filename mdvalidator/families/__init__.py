"""The one table of descriptor families: the built-in ones and those plugins install.

A family is a package that owns its parser, its rules and its rule-set vocabulary (see
:class:`mdvalidator.family.Family`). This table is where everything else learns which families
exist: the rule registry (:mod:`mdvalidator.registry`), the names a rule set's ``family`` and
``extends`` may take, and ``mdvalidator rules``. A family module is imported when it is first
asked for. Plugin packages add families through the ``mdvalidator.families`` entry points.
"""

from __future__ import annotations

import importlib
import importlib.resources
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mdvalidator.family import Family

    # The table holds families whose options are of different types: a family's options meet
    # only its own methods (``mdvalidator.family.bind`` pairs them), so the table need not know.
    AnyFamily = Family[Any]

# family name -> "module:attribute" holding its Family object. Each built-in family ships a
# built-in rule set of the same name (rules/<name>.toml).
BUILTIN: dict[str, str] = {
    "mindspore-hub": "mdvalidator.families.mindspore.family:FAMILY",
    "digits-model-store": "mdvalidator.families.digits.family:FAMILY",
}
BUILTIN_NAMES: tuple[str, ...] = tuple(BUILTIN)

# A plugin package declares its family in this entry-point group: the entry point's name is
# the family's name, its value "module:attribute" of the Family object. Installed families
# are looked up only when a rule set names one, or every rule is listed: a run over the
# built-in families never reads the installed packages' metadata (it costs start-up time).
ENTRY_POINT_GROUP = "mdvalidator.families"


@cache
def _plugins() -> dict[str, str]:
    from importlib.metadata import entry_points

    found: dict[str, str] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name not in BUILTIN:  # a plugin cannot take a built-in family's place
            found.setdefault(point.name, point.value)
    return found


def names() -> tuple[str, ...]:
    """Every family a rule set may name: the built-in ones, then the installed ones."""
    return (*BUILTIN_NAMES, *sorted(_plugins()))


def known(name: str) -> bool:
    return name in BUILTIN or name in _plugins()


@cache
def get_family(name: str) -> AnyFamily:
    """The family called ``name``; ``KeyError`` if there is none."""
    target = BUILTIN.get(name) or _plugins()[name]
    module_name, _, attribute = target.partition(":")
    family: AnyFamily = getattr(importlib.import_module(module_name), attribute)
    if getattr(family, "name", None) != name:
        raise KeyError(f"{target} is not the family {name!r}")
    return family


def all_families() -> tuple[AnyFamily, ...]:
    return tuple(get_family(name) for name in names())


def builtin_text(name: str) -> str:
    """The text of a built-in family's rule set (``rules/<name>.toml``, shipped in the wheel)."""
    filename = f"{name}.toml"
    try:
        return importlib.resources.files("mdvalidator.rules").joinpath(filename).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        # Running from a source tree without installing: rules/ sits beside the package.
        checkout = Path(__file__).resolve().parents[2] / "rules" / filename
        return checkout.read_text("utf-8")


__all__ = [
    "BUILTIN",
    "BUILTIN_NAMES",
    "ENTRY_POINT_GROUP",
    "all_families",
    "builtin_text",
    "get_family",
    "known",
    "names",
]
