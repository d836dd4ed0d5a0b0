"""The one table of descriptor families: the built-in ones and those plugins install.

A family is a package that owns its parser, its rules and its rule-set vocabulary (see
:class:`mdvalidator.family.Family`). This table is where everything else learns which families
exist: the rule registry (:mod:`mdvalidator.registry`), the names a rule set's ``family`` and
``extends`` may take, and ``mdvalidator rules``. A family module is imported when it is first
asked for, so a run over cards never imports the DIGITS family's checks.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdvalidator.family import Family

# family name -> "module:attribute" holding its Family object. Each built-in family ships a
# built-in rule set of the same name (rules/<name>.toml).
BUILTIN: dict[str, str] = {
    "mindspore-hub": "mdvalidator.families.mindspore.family:FAMILY",
    "digits-model-store": "mdvalidator.families.digits.family:FAMILY",
}
BUILTIN_NAMES: tuple[str, ...] = tuple(BUILTIN)


def names() -> tuple[str, ...]:
    """Every family a rule set may name."""
    return BUILTIN_NAMES


@cache
def get_family(name: str) -> Family:
    """The family called ``name``; ``KeyError`` if there is none."""
    module_name, _, attribute = BUILTIN[name].partition(":")
    family: Family = getattr(importlib.import_module(module_name), attribute)
    return family


def all_families() -> tuple[Family, ...]:
    return tuple(get_family(name) for name in names())


__all__ = ["BUILTIN", "BUILTIN_NAMES", "all_families", "get_family", "names"]
