"""The records that flow out of every stage: problems and asset verdicts.

All are frozen: a stage that wants to change a problem makes a new one (``dataclasses.replace``).
Positions are 1-based; line 0 means "the whole file".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """How bad a problem is; ordered so that ``max()`` gives the worst."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``"warning"`` -> ``Severity.WARNING``; raises ``ValueError`` naming the choices."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


@dataclass(frozen=True, order=True)
class Problem:
    """One finding at one place. Ordered by path, line, column, then rule code."""

    path: str
    line: int
    column: int
    rule: str
    name: str
    severity: Severity
    message: str


class AssetStatus(str, enum.Enum):
    """Outcome of verifying one asset (the JSON contract's ``status`` values)."""

    VERIFIED = "verified"
    MISMATCH = "mismatch"
    UNREACHABLE = "unreachable"
    BLOCKED = "blocked"
    TOO_LARGE = "too-large"
    SKIPPED = "skipped"
    CACHED = "cached"


class AssetHealth(str, enum.Enum):
    """What an asset result means for the link (the JSON contract's ``health`` values).

    ``dead``: the server or DNS says the file is not there (404, 410, another final 4xx, a
    host name that does not exist); ``moved``: verified, but the link redirects permanently to
    another host; ``flaky``: a failure that may pass on another run (5xx, 429, timeouts,
    dropped or refused connections); ``blocked``: refused by the address gate or the size cap.
    """

    VERIFIED = "verified"
    MISMATCH = "mismatch"
    DEAD = "dead"
    MOVED = "moved"
    FLAKY = "flaky"
    BLOCKED = "blocked"
    SKIPPED = "skipped"


# The health a status has whatever the evidence (UNREACHABLE needs it: dead or flaky), and the
# healths each status may have (a report read back must not claim a failed asset is healthy).
HEALTH_OF_STATUS: dict[AssetStatus, AssetHealth] = {
    AssetStatus.VERIFIED: AssetHealth.VERIFIED,
    AssetStatus.CACHED: AssetHealth.VERIFIED,
    AssetStatus.MISMATCH: AssetHealth.MISMATCH,
    AssetStatus.BLOCKED: AssetHealth.BLOCKED,
    AssetStatus.TOO_LARGE: AssetHealth.BLOCKED,
    AssetStatus.SKIPPED: AssetHealth.SKIPPED,
}
HEALTHS_OF_STATUS: dict[AssetStatus, frozenset[AssetHealth]] = {
    **{status: frozenset({health}) for status, health in HEALTH_OF_STATUS.items()},
    AssetStatus.VERIFIED: frozenset({AssetHealth.VERIFIED, AssetHealth.MOVED}),
    AssetStatus.CACHED: frozenset({AssetHealth.VERIFIED, AssetHealth.MOVED}),
    AssetStatus.UNREACHABLE: frozenset({AssetHealth.DEAD, AssetHealth.FLAKY}),
}


@dataclass(frozen=True)
class AssetEvidence:
    """What the attempts at one asset met: the last HTTP status answered (None: no answer),
    the host that answered (or failed to), how many requests were made, and where permanent
    redirects (301/308) to another host lead (None: the link is where the file is)."""

    http_status: int | None
    host: str
    attempts: int
    moved_to: str | None = None


# An asset in one of these states was not shown to be the file its descriptor promises: never
# a pass, whatever became of the problem that reported it.
FAILING_ASSETS = frozenset(
    {AssetStatus.MISMATCH, AssetStatus.BLOCKED, AssetStatus.UNREACHABLE, AssetStatus.TOO_LARGE}
)


@dataclass(frozen=True, order=True)
class AssetRef:
    """An asset a descriptor promises: where it is declared, its link and its sha256.

    ``line`` is the line of the link; ``sha_line`` the line of the digest (a mismatch is
    reported there). ``expected`` is lower-case hex, possibly malformed (then not fetched).
    """

    path: str
    line: int
    url: str
    expected: str
    sha_line: int = 0
    file_format: str = ""
    name: str = ""  # the file the descriptor names (a SHA256SUMS entry), when not the link's


@dataclass(frozen=True)
class AssetResult:
    """What verification found for one :class:`AssetRef`."""

    ref: AssetRef
    status: AssetStatus
    actual: str | None = None
    bytes: int = 0
    detail: str = ""
    # Added by asset verification: why it failed in one word ("timeout", "http", "dns", ...),
    # and a note when the first bytes disagree with the declared file-format.
    reason: str = ""
    format_warning: str = ""
    # False when the server marked no end of the body (no Content-Length, not chunked): a
    # download cut short looks complete, so ``actual`` is not a fact --fix may write.
    delimited: bool = True
    # Added by asset verification (point 2 of issue 12): what the result means for the link,
    # and the evidence. ``health`` is filled from ``status`` when the status alone decides it.
    health: AssetHealth | None = None
    evidence: AssetEvidence | None = None
    # On a mismatch: what the bytes plainly are instead of the asset (a Git LFS pointer, an
    # HTML or JSON page, an empty body), as a phrase for messages; empty when not recognised.
    served: str = ""
    # A declared move (a rule set's [asset-moves]) whose bytes hashed to ``ref.expected`` in
    # this run: the link that --fix may write instead of ``ref.url``. Never read from a report
    # (``evidence.moved_to`` is where a permanent redirect led, verified or not).
    moved_to: str = ""

    def __post_init__(self) -> None:
        if self.health is None and self.status in HEALTH_OF_STATUS:
            object.__setattr__(self, "health", HEALTH_OF_STATUS[self.status])


@dataclass(frozen=True)
class Report:
    """Everything a run found: the engine's return value, the reporters' and publishers' input.

    A report read back from its JSON (``mdvalidator.reporters.json_report.load_report``) also
    keeps what its own ``status`` claimed: that claim can make the verdict stricter (``fail``
    with warnings only: the run was ``--strict``), never laxer. A report that says ``pass``
    but lists errors or failed assets fails, and ``contradicts_itself``.
    """

    checked: int
    problems: tuple[Problem, ...]
    assets: tuple[AssetResult, ...] = ()
    claimed_pass: bool | None = None  # a loaded report's own status; None: made here

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity is severity)

    def problems_failed(self, strict: bool = False) -> bool:
        """True when any problem is an error (or, with ``strict``, a warning)."""
        floor = Severity.WARNING if strict else Severity.ERROR
        return any(p.severity >= floor for p in self.problems)

    def failed_assets(self) -> int:
        """How many assets were not shown to be the files their descriptors promise."""
        return sum(1 for result in self.assets if result.status in FAILING_ASSETS)

    def failed(self, strict: bool = False) -> bool:
        """The verdict: an error (a warning, with ``strict``) or an asset that failed
        verification, whatever became of the problem that reported it (an ignored or
        suppressed MDV2xx still fails the run); or a loaded report that said ``fail``."""
        return (
            self.problems_failed(strict) or self.failed_assets() > 0 or self.claimed_pass is False
        )

    @property
    def passed(self) -> bool:
        return not self.failed()

    @property
    def contradicts_itself(self) -> bool:
        """It says ``pass`` but lists errors or failed assets (a forged or broken report)."""
        return self.claimed_pass is True and self.failed()
