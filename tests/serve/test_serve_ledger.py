"""The ledger's contract, run against both stores: the SQLite file and a real Redis."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mdvalidator.serve.events import PullRequestRef
from mdvalidator.serve.ledger import DONE, FAILED, Ledger, Outcome, new_owner
from mdvalidator.serve.ledger_open import open_ledger

PR = PullRequestRef("gitee", "hub/models", 1)
OTHER = PullRequestRef("github", "o/r", 2, 55)


@pytest.fixture(params=["sqlite", "redis"])
def ledger(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Ledger]:
    queue = "sqlite" if request.param == "sqlite" else request.getfixturevalue("redis_url")
    store = open_ledger(data_dir, queue)
    yield store
    store.close()


def test_generations_claims_and_finish(ledger: Ledger) -> None:
    assert ledger.claim(PR, "me", 60) is None  # never accepted
    assert ledger.accept(PR) == 1
    assert ledger.accept(PR) == 2
    assert [r.key for r in ledger.pending()] == [PR.key]
    claim = ledger.claim(PR, "me", 60)
    assert claim is not None and claim.generation == 2 and not claim.force
    assert ledger.claim(PR, "you", 60) is None  # leased
    assert ledger.running() == 1
    newer = ledger.finish(PR, "me", claim.generation, Outcome(DONE, "a" * 40, "fail", 1.5))
    assert not newer and ledger.pending() == [] and ledger.running() == 0
    assert ledger.verdict_head(PR) == "a" * 40
    assert ledger.claim(PR, "you", 60) is None  # generation 2 is done
    record = ledger.recent()[0]
    assert (record.state, record.verdict, record.duration, record.generation, record.done) == (
        DONE,
        "fail",
        1.5,
        2,
        2,
    )


def test_events_during_a_job_make_it_run_again(ledger: Ledger) -> None:
    ledger.accept(PR)
    claim = ledger.claim(PR, "me", 60)
    assert claim is not None
    ledger.accept(PR)  # a push while checking
    assert ledger.finish(PR, "me", claim.generation, Outcome(DONE, "a" * 40, "pass"))
    assert ledger.recent()[0].state == "queued"
    again = ledger.claim(PR, "me", 60)
    assert again is not None and again.generation == 2 and again.verdict_head == "a" * 40


def test_a_failed_job_keeps_no_verdict_and_a_recheck_forces(ledger: Ledger) -> None:
    ledger.accept(OTHER)
    claim = ledger.claim(OTHER, "me", 60)
    assert claim is not None and claim.installation == 55
    ledger.finish(OTHER, "me", claim.generation, Outcome(FAILED, error="GitHub API error 403"))
    assert ledger.verdict_head(OTHER) == "" and ledger.recent()[0].error == "GitHub API error 403"
    ledger.accept(OTHER, force=True)
    forced = ledger.claim(OTHER, "me", 60)
    assert forced is not None and forced.force


def test_release_gives_the_lease_back_without_finishing(ledger: Ledger) -> None:
    ledger.accept(PR)
    claim = ledger.claim(PR, "me", 60)
    assert claim is not None
    ledger.release(PR, "someone-else")
    assert ledger.claim(PR, "you", 60) is None
    ledger.release(PR, "me")
    assert ledger.claim(PR, "you", 60) is not None


def _hold(queue: str, data_dir: str, owner_file: str) -> None:
    store = open_ledger(Path(data_dir), queue)
    owner = new_owner()
    assert store.claim(PR, owner, 600) is not None
    Path(owner_file).write_text(owner)
    os._exit(0)  # dies holding the lease, like a SIGKILLed worker


def test_a_lease_of_a_dead_process_is_taken_over_at_once(
    ledger: Ledger, data_dir: Path, request: pytest.FixtureRequest
) -> None:
    queue = "sqlite" if "sqlite" in request.node.name else request.getfixturevalue("redis_url")
    ledger.accept(PR)
    owner_file = data_dir / "owner"
    child = multiprocessing.get_context("fork").Process(
        target=_hold, args=(queue, str(data_dir), str(owner_file))
    )
    child.start()
    child.join(20)
    assert owner_file.read_text().split(":")[1] == str(child.pid)
    assert ledger.claim(PR, new_owner(), 60) is not None


def test_deliveries_counters_problems_and_slots(ledger: Ledger) -> None:
    assert ledger.first_delivery("github:abc")
    assert not ledger.first_delivery("github:abc")
    assert ledger.first_delivery("github:abd")
    ledger.add({"jobs_queued_total": 2, 'forge_api_calls_total|forge="gitee"': 3})
    ledger.add({"jobs_queued_total": 1})
    assert ledger.counters() == {
        "jobs_queued_total": 3.0,
        'forge_api_calls_total|forge="gitee"': 3.0,
    }
    ledger.note_problem("gitee reconciler", "Gitee API error 401")
    assert ledger.problems()["gitee reconciler"][0] == "Gitee API error 401"
    ledger.clear_problem("gitee reconciler")
    assert ledger.problems() == {}
    assert [ledger.take_slot("tok", 3, 60.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert ledger.take_slot("tok", 3, 60.0) > 0
    assert ledger.take_slot("other", 3, 60.0) == 0.0
