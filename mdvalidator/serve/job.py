"""One job: read a pull request back from the forge, check it, publish the verdict.

A plain function over a :class:`~mdvalidator.serve.forge.Forge` client and a :class:`Checker`,
so it runs the same under a worker, in a test against a stand-in server, or twice in a row:
the comment is found again by its marker and edited, the labels are set to a target state, and
a head that already has a verdict is not published again unless a recheck was asked for. The
payload of the webhook is not consulted: which files changed, their bytes, the base commit's
settings and the head commit's file names all come from the API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from mdvalidator.problem import Report
from mdvalidator.serve.events import PullRequestRef
from mdvalidator.serve.forge import ADDED, LABEL_COLOR, OPEN, REMOVED, Forge
from mdvalidator.serve.forge_http import ForgeError
from mdvalidator.serve.ledger import CLOSED, DONE, FAILED, QUEUED, Claim

MAX_DESCRIPTORS = 1000  # a pull request changing more gets the rest reported, not checked


class Checker(Protocol):
    """The checker as a job sees it (``mdvalidator.serve.checking.EngineChecker``)."""

    settings_files: tuple[str, ...]

    def ruleset_paths(self, settings_files: Mapping[str, bytes], ref: str) -> list[str]: ...

    def descriptor_paths(
        self, paths: Sequence[str], settings_files: Mapping[str, bytes], ref: str
    ) -> list[str]: ...

    def strict(self, settings_files: Mapping[str, bytes], ref: str) -> bool: ...

    def check(
        self,
        files: Mapping[str, bytes],
        tree_paths: Sequence[str],
        settings_files: Mapping[str, bytes],
        ref: str,
        *,
        changed_settings: Sequence[str] = (),
        unreadable: Mapping[str, str] | None = None,
        previous: Mapping[str, bytes] | None = None,
    ) -> Report: ...


@dataclass(frozen=True)
class Labels:
    passed: str
    failed: str


@dataclass(frozen=True)
class JobResult:
    state: str  # ledger state: done, failed, closed, queued (superseded)
    head: str = ""
    verdict: str = ""  # "pass" / "fail" when one was published
    note: str = ""  # what was done, for the log and the status page
    error: str = ""
    requeue: bool = False  # the head moved while checking: look again
    checked: int = 0
    problems: int = 0


def _settings_at_base(
    forge: Forge, ref: PullRequestRef, base: str, checker: Checker, label: str
) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for name in checker.settings_files:
        data = forge.file_at(ref, name, base)
        if data:
            found[name] = data
    for path in checker.ruleset_paths(found, label):
        data = forge.file_at(ref, path, base)
        if data:
            found[path] = data
    return found


def run_job(
    forge: Forge, ref: PullRequestRef, claim: Claim, checker: Checker, labels: Labels
) -> JobResult:
    """Check and publish ``ref``; forge and settings failures come back as ``failed``."""
    from mdvalidator.config import ConfigError
    from mdvalidator.ruleset import RuleSetError

    try:
        return _run(forge, ref, claim, checker, labels)
    except ForgeError as exc:
        return JobResult(FAILED, error=str(exc))
    except (ConfigError, RuleSetError) as exc:
        return JobResult(FAILED, error=f"the base commit's settings cannot be used: {exc}")


def _run(
    forge: Forge, ref: PullRequestRef, claim: Claim, checker: Checker, labels: Labels
) -> JobResult:
    pull = forge.pull_request(ref)
    if pull.state != OPEN:
        return JobResult(CLOSED, pull.head_sha, note=f"the pull request is {pull.state}")
    if pull.head_sha == claim.verdict_head and not claim.force:
        return JobResult(DONE, pull.head_sha, note="this head already has its verdict")
    label = f"base {pull.base_sha[:12]}"
    changed = forge.changed_files(ref)
    settings = _settings_at_base(forge, ref, pull.base_sha, checker, label)
    present = [c.path for c in changed if c.status != REMOVED]
    trusted_names = {*checker.settings_files, *checker.ruleset_paths(settings, label)}
    changed_settings = sorted({c.path for c in changed} & trusted_names)
    wanted = checker.descriptor_paths(present, settings, label)
    files: dict[str, bytes] = {}
    unreadable: dict[str, str] = {}
    for path in wanted[MAX_DESCRIPTORS:]:
        unreadable[path] = (
            f"not checked: the pull request changes over {MAX_DESCRIPTORS} descriptors"
        )
    for path in wanted[:MAX_DESCRIPTORS]:
        data = forge.file_at(ref, path, pull.head_sha)
        if data is None:
            unreadable[path] = (
                "the forge API does not serve it as a file (a symbolic link, a submodule, "
                "or too large for its contents API)"
            )
        else:
            files[path] = data
    added = {c.path for c in changed if c.status == ADDED}
    previous: dict[str, bytes] = {}
    for path in sorted(set(files) - added):  # unchanged assets need no verifying again
        data = forge.file_at(ref, path, pull.base_sha)
        if data is not None:
            previous[path] = data
    tree = forge.tree_paths(ref, pull.head_sha) if files else []
    report = checker.check(
        files, tree, settings, label, changed_settings=changed_settings, unreadable=unreadable,
        previous=previous,
    )  # fmt: skip
    strict = checker.strict(settings, label)
    published = dataclasses.replace(report, claimed_pass=not report.failed(strict))
    latest = forge.pull_request(ref)
    if latest.state != OPEN:
        return JobResult(CLOSED, latest.head_sha, note=f"the pull request is {latest.state}")
    if latest.head_sha != pull.head_sha:
        return JobResult(QUEUED, pull.head_sha, note="the head moved while checking", requeue=True)
    done = forge.publish(ref, latest, published)
    verdict = "pass" if published.passed else "fail"
    add, remove = (
        (labels.passed, labels.failed) if published.passed else (labels.failed, labels.passed)
    )
    forge.set_labels(ref, latest, add, remove, LABEL_COLOR[verdict])
    return JobResult(
        DONE,
        pull.head_sha,
        verdict=verdict,
        note=done,
        checked=report.checked,
        problems=len(report.problems),
    )
