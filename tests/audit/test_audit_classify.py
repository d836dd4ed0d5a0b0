"""classify_with_history: dead only after N runs that failed the same way; flaky since a date."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mdvalidator.audit.auditreport import AuditedAsset, AuditReport
from mdvalidator.audit.classify import audit_run, classify_with_history
from mdvalidator.audit.health import Evidence, Health
from mdvalidator.audit.history import HistoryRecord, link_key, outcome_of
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus

URL = "https://download.example.org/a.ckpt"
SHA = "a" * 64
KEY = link_key(URL, SHA)


def asset(
    status: AssetStatus,
    health: Health | None = None,
    http: int | None = None,
    url: str = URL,
) -> AuditedAsset:
    evidence = Evidence(http_status=http, host="download.example.org", attempts=1)
    return AuditedAsset(
        result=AssetResult(AssetRef("assets/p/1.0/a_b.md", 30, url, SHA), status),
        health=health,
        evidence=evidence if http is not None else None,
    )


def report(*assets: AuditedAsset) -> AuditReport:
    return AuditReport(checked=1, problems=(), assets=assets)


def runs(*outcomes: str | None) -> list[HistoryRecord]:
    """Earlier runs, oldest first, one a week from 2024-04-01; None: the file was not listed."""
    return [
        HistoryRecord(date=f"2024-04-{1 + 7 * i:02d}", outcomes={} if o is None else {KEY: o})
        for i, o in enumerate(outcomes)
    ]


def classified(
    one: AuditedAsset, history: Sequence[HistoryRecord], dead_after: int = 2
) -> AuditedAsset:
    (result,) = classify_with_history(report(one), history, dead_after, "2024-05-06").assets
    return result


def test_a_first_failure_is_flaky_since_today() -> None:
    found = classified(asset(AssetStatus.UNREACHABLE), [])
    assert (found.health, found.since) == (Health.FLAKY, "2024-05-06")


def test_the_same_failure_twice_in_a_row_is_dead_since_the_first() -> None:
    found = classified(asset(AssetStatus.UNREACHABLE), runs("verified", "flaky"))
    assert (found.health, found.since) == (Health.DEAD, "2024-04-08")


def test_a_404_is_dead_only_after_n_runs_of_404() -> None:
    now = asset(AssetStatus.UNREACHABLE, Health.DEAD, http=404)
    assert classified(now, runs("dead:404"), dead_after=3).health is Health.FLAKY
    found = classified(now, runs("dead:404", "dead:404"), dead_after=3)
    assert (found.health, found.since) == (Health.DEAD, "2024-04-01")
    assert classified(now, [], dead_after=1).health is Health.DEAD


def test_failing_differently_each_time_stays_flaky_since_the_streak_began() -> None:
    now = asset(AssetStatus.UNREACHABLE, Health.FLAKY, http=503)
    found = classified(now, runs("verified", "dead:404", "flaky:429", "flaky"), dead_after=2)
    assert (found.health, found.since) == (Health.FLAKY, "2024-04-08")


def test_a_verified_run_breaks_the_streak() -> None:
    now = asset(AssetStatus.UNREACHABLE, Health.DEAD, http=404)
    found = classified(now, runs("dead:404", "dead:404", "verified"), dead_after=2)
    assert (found.health, found.since) == (Health.FLAKY, "2024-05-06")


def test_runs_that_skipped_or_did_not_list_the_file_do_not_count() -> None:
    now = asset(AssetStatus.UNREACHABLE, Health.DEAD, http=410)
    found = classified(now, runs("dead:410", "skipped", None), dead_after=2)
    assert (found.health, found.since) == (Health.DEAD, "2024-04-01")


def test_another_file_s_history_is_not_this_one_s() -> None:
    other = asset(AssetStatus.UNREACHABLE, url="https://download.example.org/b.ckpt")
    assert classified(other, runs("flaky", "flaky")).health is Health.FLAKY


@pytest.mark.parametrize(
    ("status", "health"),
    [
        (AssetStatus.VERIFIED, Health.VERIFIED),
        (AssetStatus.CACHED, Health.VERIFIED),
        (AssetStatus.MISMATCH, Health.MISMATCH),
        (AssetStatus.BLOCKED, Health.BLOCKED),
        (AssetStatus.TOO_LARGE, Health.BLOCKED),
        (AssetStatus.SKIPPED, Health.SKIPPED),
    ],
)
def test_what_is_not_a_failed_download_keeps_its_health(
    status: AssetStatus, health: Health
) -> None:
    found = classified(asset(status), runs("flaky", "flaky", "flaky"))
    assert (found.health, found.since) == (health, None)


def test_moved_is_kept_as_the_report_says() -> None:
    now = asset(AssetStatus.UNREACHABLE, Health.MOVED, http=301)
    assert classified(now, runs("moved:301", "moved:301")).health is Health.MOVED


def test_the_record_keeps_what_was_observed_and_counts_what_was_reported() -> None:
    now = report(
        asset(AssetStatus.UNREACHABLE, Health.DEAD, http=404),
        asset(AssetStatus.VERIFIED, url="https://download.example.org/c.ckpt"),
    )
    run = audit_run(now, runs("dead:404"), "2024-05-06")
    assert run.record.outcomes[KEY] == "dead:404"  # what this run saw, not "dead" from history
    assert run.record.counts["dead"] == 1 and run.record.counts["verified"] == 1
    assert run.record.date == "2024-05-06"
    # the next run, fed this record, finds the streak
    again = audit_run(now, [*runs("dead:404"), run.record], "2024-05-13")
    assert again.report.assets[0].since == "2024-04-01"


def test_outcomes_name_the_http_status_when_the_report_has_one() -> None:
    assert outcome_of(asset(AssetStatus.UNREACHABLE)) == "flaky"
    assert outcome_of(asset(AssetStatus.UNREACHABLE, Health.DEAD, http=404)) == "dead:404"
    assert outcome_of(asset(AssetStatus.VERIFIED, Health.VERIFIED, http=200)) == "verified"


def test_dead_after_must_be_positive() -> None:
    with pytest.raises(ValueError, match="1 or more"):
        classify_with_history(report(), [], dead_after=0)
