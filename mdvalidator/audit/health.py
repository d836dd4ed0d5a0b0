"""What became of an asset, in the words of an audit: its health and the evidence for it.

The JSON report's asset entries may carry two optional fields (absent in older reports):
``"health"``, one of :class:`Health`, and ``"evidence"``,
``{"http_status": int|null, "host": str, "attempts": int, "moved_to": str|null}``. A report
without them gets its health from ``status`` (:func:`derive_health`); an ``unreachable`` asset
is then ``flaky`` until the history shows it failed the same way run after run
(:mod:`mdvalidator.audit.classify`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mdvalidator.problem import AssetStatus


class Health(str, enum.Enum):
    VERIFIED = "verified"
    MISMATCH = "mismatch"
    DEAD = "dead"
    MOVED = "moved"
    FLAKY = "flaky"
    BLOCKED = "blocked"
    SKIPPED = "skipped"

    @property
    def rank(self) -> int:
        """Worst first: a card shows the worst health of its assets."""
        return WORST_FIRST.index(self)


# Bytes that differ from the promise come first (they may be an attack), then links that are
# gone for good, then links a hub refuses to fetch, then those that failed this time.
WORST_FIRST: tuple[Health, ...] = (
    Health.MISMATCH,
    Health.DEAD,
    Health.BLOCKED,
    Health.FLAKY,
    Health.MOVED,
    Health.SKIPPED,
    Health.VERIFIED,
)

# Failed downloads: the kinds the history turns into "dead" when they repeat.
NETWORK_FAILURES = frozenset({Health.DEAD, Health.FLAKY})
# What needs a maintainer: the dashboard gives each card with one of these a page of its own.
ATTENTION = frozenset({Health.MISMATCH, Health.DEAD, Health.BLOCKED, Health.FLAKY, Health.MOVED})

_FROM_STATUS = {
    AssetStatus.VERIFIED: Health.VERIFIED,
    AssetStatus.CACHED: Health.VERIFIED,
    AssetStatus.MISMATCH: Health.MISMATCH,
    AssetStatus.BLOCKED: Health.BLOCKED,
    AssetStatus.TOO_LARGE: Health.BLOCKED,
    AssetStatus.UNREACHABLE: Health.FLAKY,
    AssetStatus.SKIPPED: Health.SKIPPED,
}


def derive_health(status: AssetStatus) -> Health:
    """The health of an asset whose report says only its ``status``."""
    return _FROM_STATUS[status]


def worst(healths: list[Health]) -> Health | None:
    """The worst of ``healths`` (None for none)."""
    return min(healths, key=lambda h: h.rank) if healths else None


@dataclass(frozen=True)
class Evidence:
    """What the download saw: the last HTTP status, the host asked, how many attempts, and
    where a permanent redirect pointed."""

    http_status: int | None = None
    host: str = ""
    attempts: int = 0
    moved_to: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "http_status": self.http_status,
            "host": self.host,
            "attempts": self.attempts,
            "moved_to": self.moved_to,
        }
