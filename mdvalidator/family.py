"""Descriptor families: what the engine needs from each kind of descriptor.

A family (MindSpore Hub cards, the DIGITS Model Store) validates its own section of a rule-set
TOML and checks the files that rule set applies to. The engine knows families only through
this protocol and the table in :mod:`mdvalidator.families`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mdvalidator.problem import AssetRef, Problem
from mdvalidator.rule import Rule

if TYPE_CHECKING:
    from mdvalidator.ruleset import RuleSet


@dataclass(frozen=True)
class Target:
    """One file to check: where it is on disk and how reports name it (posix, as given)."""

    path: Path
    display: str
    explicit: bool = False


@dataclass(frozen=True)
class Disable:
    """An inline suppression: codes (prefixes; empty = all) silenced on lines first..last."""

    codes: tuple[str, ...]
    first_line: int
    last_line: int


@dataclass(frozen=True)
class FileResult:
    """What checking one file found: problems, assets to verify, inline suppressions."""

    problems: tuple[Problem, ...] = ()
    assets: tuple[AssetRef, ...] = ()
    disables: tuple[Disable, ...] = ()
    # Facts other files' checks may need (e.g. a card's path and declared version).
    facts: Mapping[str, Any] = field(default_factory=dict)


# The default size cap of a descriptor. The largest real MindSpore Hub card is 77 KiB
# (mindspore/2.5/opensora_hpcai.md, 1,200 lines; the median is 2.3 KiB) and DIGITS JSON
# files are a few KiB: 512 KiB leaves 6x headroom and keeps a hostile file's cost small.
DEFAULT_MAX_FILE_SIZE = 512 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps that protect the checker from hostile files."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE


class Family(Protocol):
    """The engine's view of a descriptor family."""

    name: str
    rules: tuple[Rule, ...]

    def load_options(self, data: Mapping[str, Any]) -> Any:
        """Validate the family's part of a rule set; raise ``marshmallow.ValidationError``."""

    def check_file(self, target: Target, ruleset: RuleSet, limits: Limits) -> FileResult:
        """Read, parse and check one file. Never raises for bad input: problems instead."""

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], ruleset: RuleSet
    ) -> list[Problem]:
        """Checks across files of one rule set (names colliding by case, translations, ...)."""
