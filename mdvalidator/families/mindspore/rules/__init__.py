"""The card family's rules: one module per rule or small group of rules, found here by name.

Each module defines its rules (identity and doc), the ``[card]`` keys it reads and its check,
as one :class:`~mdvalidator.families.mindspore.rulekit.CardRules` named ``CHECK``. Adding a
rule is adding a module (and its entry in ``rules/mindspore-hub.toml``, and its tests).
"""

from __future__ import annotations

import importlib
import pkgutil

from mdvalidator.families.mindspore.rulekit import CardRules


def _modules() -> tuple[CardRules, ...]:
    found: list[CardRules] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        check = getattr(importlib.import_module(f"{__name__}.{info.name}"), "CHECK", None)
        if not isinstance(check, CardRules):
            raise TypeError(f"{__name__}.{info.name} defines no CHECK = CardRules(...)")
        found.append(check)
    return tuple(found)


CHECKS: tuple[CardRules, ...] = _modules()

__all__ = ["CHECKS"]
