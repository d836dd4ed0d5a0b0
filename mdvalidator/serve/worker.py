"""The worker side: run one task (claim, job, finish), recover lost work, reconcile.

:class:`Worker.handle` is what a Huey task calls. It claims the pull request in the ledger
(nothing to do when another worker holds it or its latest generation is done), runs
:func:`mdvalidator.serve.job.run_job`, records the outcome and the counts, and queues the pull
request again when newer events arrived meanwhile. A job interrupted by shutdown gives its lease
back and is queued again. The forge clients are made once per process (after the fork).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from typing import Any

from mdvalidator.sanitize import clean
from mdvalidator.serve.checking import EngineChecker
from mdvalidator.serve.events import PullRequestRef
from mdvalidator.serve.forge import Forge
from mdvalidator.serve.forge_http import ForgeError
from mdvalidator.serve.job import JobResult, Labels, run_job
from mdvalidator.serve.ledger import FAILED, Ledger, Outcome, new_owner
from mdvalidator.serve.logs import log
from mdvalidator.serve.metrics import counter_key, job_duration_counts
from mdvalidator.serve.queue import TaskQueue
from mdvalidator.serve.settings import ServeSettings

LEASE_SECONDS = 900.0  # a job taking longer loses its lease (another worker may start over)


def rate_pace(ledger: Ledger, rate: float) -> Any:
    """The forge sessions' pacing: ``rate`` requests a second per token, shared by every
    process through the ledger (0: unlimited)."""
    if rate <= 0:
        return lambda bucket: 0.0
    limit, window = (int(rate), 1.0) if rate >= 1 else (1, 1.0 / rate)
    return lambda bucket: ledger.take_slot(bucket, limit, window)


def make_forges(settings: ServeSettings, ledger: Ledger) -> dict[str, Forge]:
    from mdvalidator.serve.gitee import GiteeClient
    from mdvalidator.serve.github import GithubClient

    pace = rate_pace(ledger, settings.api_rate)
    forges: dict[str, Forge] = {}
    if settings.gitee is not None:
        forges["gitee"] = GiteeClient(settings.gitee, pace)
    if settings.github is not None:
        interval = min(1.0, 1.0 / settings.api_rate) if settings.api_rate > 0 else 0.0
        forges["github"] = GithubClient(settings.github, pace, write_interval=interval)
    return forges


class Worker:
    """Runs tasks in this process; ``queue`` is set once the task queue exists."""

    def __init__(self, settings: ServeSettings, ledger: Ledger) -> None:
        self.settings = settings
        self.ledger = ledger
        self.queue: TaskQueue | None = None
        self.checker = EngineChecker(settings.check_args)
        self.labels = Labels(settings.label_pass, settings.label_fail)
        self._forges: dict[str, Forge] = {}
        self._pid = 0
        self._owner = ""

    def forges(self) -> dict[str, Forge]:
        if self._pid != os.getpid():  # made after the fork, one set per process
            self._forges = make_forges(self.settings, self.ledger)
            self._owner = new_owner()
            self._pid = os.getpid()
        return self._forges

    def _requeue(self, ref: PullRequestRef) -> None:
        if self.queue is not None:
            self.queue.enqueue(ref)

    def handle(self, ref: PullRequestRef) -> None:
        forges = self.forges()
        forge = forges.get(ref.forge)
        if forge is None:
            log("job-refused", logging.WARNING, pull=ref.shown, reason="forge not configured")
            return
        claim = self.ledger.claim(ref, self._owner, LEASE_SECONDS)
        if claim is None:
            log("job-skipped", pull=ref.shown, reason="done already, or another worker has it")
            return
        if not ref.installation and claim.installation:
            ref = dataclasses.replace(ref, installation=claim.installation)
        start = time.perf_counter()
        try:
            result = run_job(forge, ref, claim, self.checker, self.labels)
        except Exception as exc:  # a bug of ours: report it on the pull request's row
            logging.getLogger("mdvalidator.serve").exception("job crashed")
            result = JobResult(FAILED, error=f"internal error: {type(exc).__name__}: {exc}")
        except BaseException:  # interrupted (shutdown): give the lease back, queue it again
            self.ledger.release(ref, self._owner)
            self._requeue(ref)
            log("job-interrupted", logging.WARNING, pull=ref.shown)
            raise
        seconds = time.perf_counter() - start
        error = clean(result.error, 600)
        outcome = Outcome(result.state, result.head, result.verdict, round(seconds, 3), error)
        newer = self.ledger.finish(ref, self._owner, claim.generation, outcome)
        counts = forge.drain_counts()
        if result.state == FAILED:
            counts[counter_key("jobs_failed_total")] = 1.0
        else:
            verdict = result.verdict or "none"
            counts[counter_key("jobs_done_total", verdict=verdict)] = 1.0
        counts.update(job_duration_counts(seconds))
        self.ledger.add(counts)
        log(
            "job", logging.WARNING if error else logging.INFO, pull=ref.shown,
            state=result.state, head=result.head[:12], verdict=result.verdict,
            note=result.note, error=error, checked=result.checked, problems=result.problems,
            seconds=round(seconds, 3),
        )  # fmt: skip
        if result.requeue:
            self.ledger.accept(ref)
        if newer or result.requeue:
            self._requeue(ref)


def recover(ledger: Ledger, queue: TaskQueue) -> int:
    """Queue every pull request with outstanding work (its task may have been lost)."""
    pending = ledger.pending()
    for ref in pending:
        queue.enqueue(ref)
    return len(pending)


def reconcile_once(forges: dict[str, Forge], ledger: Ledger, queue: TaskQueue) -> int:
    """Queue every open pull request whose head has no verdict yet; returns how many."""
    outstanding = {ref.key for ref in ledger.pending()}
    queued = 0
    for name, forge in forges.items():
        scope = f"{name} reconciler"
        try:
            pulls = forge.open_pulls()
        except ForgeError as exc:
            ledger.note_problem(scope, str(exc))
            log("reconcile-error", logging.WARNING, forge=name, error=str(exc))
            continue
        ledger.clear_problem(scope)
        for pull in pulls:
            if ledger.verdict_head(pull.ref) == pull.head_sha:
                continue
            if pull.ref.key not in outstanding:
                ledger.accept(pull.ref)
            queue.enqueue(pull.ref)
            queued += 1
        ledger.add(forge.drain_counts())
    ledger.add({counter_key("reconcile_runs_total"): 1.0, counter_key("jobs_queued_total"): queued})
    log("reconcile", queued=queued)
    return queued
