"""A report seen card by card: who published it, for which version, and how its assets fare.

The identity comes from the path, as the MindSpore Hub lays cards out:
``assets/<publisher>/<version>/<model>_<dataset>.md`` or, older,
``assets/<publisher>/<platform>/<version>/<model>_<model-version>_<dataset>.md`` (at any depth:
the real hub keeps them under ``mshub_res/assets/``). A DIGITS ``info.json`` is named by its
folder. Anything else keeps its file name as the model and leaves the rest blank.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from mdvalidator.audit.auditreport import AuditedAsset, AuditReport
from mdvalidator.audit.health import ATTENTION, Health, worst
from mdvalidator.audit.history import asset_key
from mdvalidator.problem import AssetStatus, Problem, Severity

# The bytes were hashed and matched (at the link, or at the end of its redirect).
VERIFIED_STATUSES = frozenset({AssetStatus.VERIFIED, AssetStatus.CACHED})


@dataclass(frozen=True)
class CardName:
    publisher: str = ""
    platform: str = ""
    version: str = ""
    model: str = ""
    translation: bool = False  # a *_cn.md card (Chinese)


def card_name(path: str) -> CardName:
    parts = PurePosixPath(path.replace("\\", "/")).parts
    name = parts[-1] if parts else path
    stem = name.rsplit(".", 1)[0]
    translation = stem.endswith("_cn")
    model = stem.split("_", 1)[0] or stem
    if name.endswith(".json") and len(parts) >= 2:
        return CardName(model=parts[-2])
    if "assets" in parts[:-1]:
        start = max(i for i, part in enumerate(parts[:-1]) if part == "assets")
        folders = parts[start + 1 : -1]
        if len(folders) == 2:
            return CardName(folders[0], "", folders[1], model, translation)
        if len(folders) == 3:
            return CardName(folders[0], folders[1], folders[2], model, translation)
    return CardName(model=model, translation=translation)


@dataclass(frozen=True)
class CardAsset:
    asset: AuditedAsset
    last_verified: str  # a date, "this run", or "" (never, as far as the history knows)


@dataclass(frozen=True)
class Card:
    path: str
    name: CardName
    assets: tuple[CardAsset, ...]
    problems: tuple[Problem, ...]

    @property
    def healths(self) -> tuple[Health, ...]:
        return tuple(sorted({a.asset.observed for a in self.assets}, key=lambda h: h.rank))

    @property
    def health(self) -> Health | None:
        return worst(list(self.healths))

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def failing(self) -> bool:
        """Worth a page of its own: an error, or an asset that needs a maintainer."""
        return self.errors > 0 or any(h in ATTENTION for h in self.healths)

    @property
    def last_verified(self) -> str:
        """When every asset of the card was last seen verified: the oldest of their dates."""
        dates = [a.last_verified for a in self.assets]
        if not dates or "" in dates:
            return ""
        real = [d for d in dates if d != THIS_RUN]
        return min(real) if real else THIS_RUN

    @property
    def page(self) -> str:
        """The card's page in the site: named by a digest of its path, never by the path."""
        return f"cards/{hashlib.sha256(self.path.encode()).hexdigest()[:16]}.html"


THIS_RUN = "this run"


def cards_of(report: AuditReport, verified_on: Mapping[str, str]) -> list[Card]:
    """Every file the report names, sorted by path; ``verified_on`` maps a history key to the
    date of the last run that verified that file."""
    assets: dict[str, list[CardAsset]] = {}
    for asset in report.assets:
        date = verified_on.get(asset_key(asset), "")
        if not date and asset.result.status in VERIFIED_STATUSES:
            date = THIS_RUN
        assets.setdefault(asset.result.ref.path, []).append(CardAsset(asset, date))
    problems: dict[str, list[Problem]] = {}
    for problem in report.problems:
        problems.setdefault(problem.path, []).append(problem)
    return [
        Card(
            path=path,
            name=card_name(path),
            assets=tuple(assets.get(path, ())),
            problems=tuple(sorted(problems.get(path, ()))),
        )
        for path in sorted(set(assets) | set(problems))
    ]
