"""The audit history: one JSON line per run, oldest first.

    {"version": 1, "date": "2024-05-06T03:00:00Z",
     "counts": {"cards": 2874, "assets": 2915, "verified": 2890, "dead": 3, ...},
     "assets": {"9f2c51d0a3b4e6f7a8c1": "verified:4194304", "0c4e...": "dead:404", ...}}

``assets`` maps each file (link and expected sha256, hashed by :func:`link_key`: the history
holds no URL, and stays about 35 bytes an asset, 45 a verified one) to what that run observed: a
:class:`~mdvalidator.audit.health.Health` before the history was applied, with the HTTP status
when the report had one (``dead:404``, ``flaky:503``). Two runs "failed the same way" when
they observed the same outcome. ``counts`` are the run's headline numbers after
classification (the dashboard charts them).

A verified file carries the number of bytes that hashed to its digest (``verified:4194304``;
a verified outcome never carries an HTTP status, so the suffix is unambiguous): a later run
that gets a body much shorter names it (:mod:`mdvalidator.audit.classify`). Lines written
before sizes were recorded (a bare ``verified``) still load; they only give no size. A size
is a positive decimal below 2**53 without leading zeros; anything else is an error at its line.

Reading tolerates one thing, and says so: a last line cut short (no newline, not JSON), which
only an interrupted writer that did not use :func:`mdvalidator.audit.files.append_history`
leaves. Anything else wrong is an error at its line.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from mdvalidator.audit.auditreport import DATE, AuditedAsset, AuditReport
from mdvalidator.audit.health import Health
from mdvalidator.problem import AssetStatus, Severity

HISTORY_VERSION = 1
COUNT_KEYS = (
    "cards",
    "assets",
    *(h.value for h in Health),
    "bytes_verified",
    "errors",
)
_OUTCOME = re.compile(
    r"^(?:(?:" + "|".join(h.value for h in Health) + r")(?::[1-5]\d\d)?|verified:[1-9]\d{0,15})$"
)
_KEY = re.compile(r"^[0-9a-f]{20}$")
_MAX_COUNT = 2**53


class HistoryError(Exception):
    """The history file is not one mdvalidator wrote (the message names the line)."""


@dataclass(frozen=True)
class HistoryRecord:
    date: str
    counts: Mapping[str, int] = field(default_factory=dict)
    outcomes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryRead:
    records: tuple[HistoryRecord, ...]
    lines: tuple[str, ...]  # the valid lines as written (kept as they are when appending)
    warnings: tuple[str, ...] = ()


def link_key(url: str, expected: str) -> str:
    """The history's name for a file: 80 bits of sha256(url NUL expected)."""
    return hashlib.sha256(f"{url}\0{expected}".encode()).hexdigest()[:20]


def asset_key(asset: AuditedAsset) -> str:
    return link_key(*asset.link)


def outcome_of(asset: AuditedAsset) -> str:
    """What one run observed of an asset, as the history records it: a verified file with the
    bytes that hashed to its digest, a failure with its HTTP status."""
    health = asset.observed
    if health is Health.VERIFIED:
        size = asset.result.bytes
        verified = asset.result.status in (AssetStatus.VERIFIED, AssetStatus.CACHED)
        # A report is untrusted: a size the history could not read back is left out.
        return f"verified:{size}" if verified and 0 < size < _MAX_COUNT else health.value
    status = asset.evidence.http_status if asset.evidence is not None else None
    return f"{health.value}:{status}" if status is not None else health.value


def outcome_health(outcome: str) -> Health:
    return Health(outcome.split(":", 1)[0])


def verified_size(outcome: str) -> int | None:
    """The bytes a verified outcome records (None: not verified, or recorded without them)."""
    health, _, size = outcome.partition(":")
    return int(size) if health == Health.VERIFIED.value and size else None


def health_counts(report: AuditReport) -> dict[str, int]:
    """The headline numbers of a report: cards, assets, each health, bytes verified, errors.

    Bytes count each file whose digest matched once, however many cards name it; a size no
    history line could hold (a forged report's) counts for nothing, so the run's line always
    loads again."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    counts["cards"] = report.checked
    counts["assets"] = len(report.assets)
    verified: dict[tuple[str, str], int] = {}
    for asset in report.assets:
        health = asset.observed
        counts[health.value] += 1
        if asset.result.status in (AssetStatus.VERIFIED, AssetStatus.CACHED):
            verified[asset.link] = max(verified.get(asset.link, 0), asset.result.bytes)
    total = sum(size for size in verified.values() if size < _MAX_COUNT)
    counts["bytes_verified"] = min(total, _MAX_COUNT - 1)
    counts["errors"] = sum(1 for p in report.problems if p.severity is Severity.ERROR)
    return counts


def outcomes(report: AuditReport) -> dict[str, str]:
    """Each file's outcome in ``report``; a file several cards name keeps its worst."""
    found: dict[str, AuditedAsset] = {}
    for asset in report.assets:
        key = asset_key(asset)
        held = found.get(key)
        if held is None or asset.observed.rank < held.observed.rank:
            found[key] = asset
    return {key: outcome_of(asset) for key, asset in sorted(found.items())}


def record_line(record: HistoryRecord) -> str:
    """One line of the history file, newline included."""
    data = {
        "version": HISTORY_VERSION,
        "date": record.date,
        "counts": dict(record.counts),
        "assets": dict(record.outcomes),
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True) + "\n"


def parse_history(text: str, name: str = "history") -> HistoryRead:
    """The records of a history file's text; :class:`HistoryError` at the first bad line."""
    records: list[HistoryRecord] = []
    lines: list[str] = []
    warnings: list[str] = []
    raw_lines = text.split("\n")
    complete = raw_lines[:-1]  # the text after the last newline is "" or a line cut short
    tail = raw_lines[-1]
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        records.append(_record(line, f"{name}:{number}"))
        lines.append(line)
    if tail.strip():
        where = f"{name}:{len(raw_lines)}"
        try:
            records.append(_record(tail, where))
            lines.append(tail)
        except HistoryError:
            warnings.append(
                f"{where}: the last line is cut short (an interrupted write?); it is ignored"
                " and will be dropped on the next append"
            )
    return HistoryRead(records=tuple(records), lines=tuple(lines), warnings=tuple(warnings))


def _record(line: str, where: str) -> HistoryRecord:
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        raise HistoryError(f"{where}: not a JSON object") from None
    if not isinstance(data, dict):
        raise HistoryError(f"{where}: not a JSON object")
    if data.get("version") != HISTORY_VERSION:
        raise HistoryError(f"{where}: not a version {HISTORY_VERSION} mdvalidator history record")
    date = data.get("date")
    if not (isinstance(date, str) and DATE.match(date)):
        raise HistoryError(f"{where}: date: not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
    return HistoryRecord(
        date=date,
        counts=_counts(data.get("counts", {}), where),
        outcomes=_outcomes(data.get("assets", {}), where),
    )


def _counts(value: object, where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise HistoryError(f"{where}: counts: not an object")
    counts = {}
    for key in COUNT_KEYS:
        number = value.get(key, 0)
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number < _MAX_COUNT:
            raise HistoryError(f"{where}: counts.{key}: not a count")
        counts[key] = number
    return counts


def _outcomes(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise HistoryError(f"{where}: assets: not an object")
    for key, outcome in value.items():
        if not _KEY.match(key):
            raise HistoryError(f"{where}: assets: {key[:40]!r} is not an asset key")
        if not (isinstance(outcome, str) and _OUTCOME.match(outcome)):
            raise HistoryError(
                f"{where}: assets.{key}: not an outcome (e.g. verified, verified:4096, dead:404)"
            )
        size = verified_size(outcome)
        if size is not None and size >= _MAX_COUNT:
            raise HistoryError(f"{where}: assets.{key}: {size} is not a size (at most 2**53-1)")
    return dict(value)


def last_verified_size(records: Sequence[HistoryRecord], key: str) -> tuple[str, int] | None:
    """The date of the last run that verified the file ``key``, and the bytes it saw then
    (None: no run verified it, or the last one to did not record its size)."""
    for record in reversed(records):
        outcome = record.outcomes.get(key)
        if outcome is not None and outcome_health(outcome) is Health.VERIFIED:
            size = verified_size(outcome)
            return None if size is None else (record.date, size)
    return None


def last_verified(records: Iterable[HistoryRecord]) -> dict[str, str]:
    """Each file's date of the last run that verified it."""
    dates: dict[str, str] = {}
    for record in records:
        for key, outcome in record.outcomes.items():
            if outcome_health(outcome) is Health.VERIFIED:
                dates[key] = record.date
    return dates
