"""What a card rule module declares, and what its check is given.

Each module of ``rules/`` defines its rules (identity and doc), the ``[card]`` keys it reads
(:class:`~.keys.Key`) and its check, and puts them together in one :class:`CardRules` named
``CHECK``; the family finds the modules, so adding a rule is adding a module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from mdvalidator.families.mindspore.card import AssetCard
from mdvalidator.families.mindspore.keys import Key
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.place import CardPlace
from mdvalidator.family import FileResult, Files, OnlineContext, Target
from mdvalidator.problem import Problem
from mdvalidator.rule import Rule
from mdvalidator.sanitize import clean


@dataclass(frozen=True)
class Subject:
    """One parsed card, where it lives, and whether it is a translation of another card."""

    card: AssetCard
    place: CardPlace
    translation: bool


Check = Callable[[Subject, CardOptions], Iterable[Problem]]
Together = Callable[[Sequence[tuple[Target, FileResult]], Files, CardOptions], Iterable[Problem]]
# A network check over the cards of a run (read and parsed again: the per-file check keeps
# nothing for it, so the offline lint path pays nothing).
Online = Callable[[Sequence[Subject], OnlineContext, CardOptions], Iterable[Problem]]


@dataclass(frozen=True)
class CardRules:
    """A rule module: its rules, the ``[card]`` keys it reads, and its check of one card (or,
    ``together``, of the cards of one run together, e.g. the names in one folder; or,
    ``online``, a network check of the cards of a run, run after asset verification when the
    run asks for it: ``--check-conf``)."""

    rules: tuple[Rule, ...]
    keys: tuple[Key[object], ...] = ()
    check: Check | None = None
    translations: bool = False  # also checks translated cards (*_cn.md)
    together: Together | None = None
    online: Online | None = None


def show(text: str, limit: int = 80) -> str:
    """A value quoted for a message (cleaned and shortened; reporters escape further)."""
    return "'" + clean(text, limit) + "'"


__all__ = ["CardRules", "Check", "Online", "Subject", "Together", "show"]
