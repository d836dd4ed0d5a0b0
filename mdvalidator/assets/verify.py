"""Verify assets: download each distinct (url, sha256) once, in parallel, and judge the refs.

``verify_assets`` returns one :class:`AssetResult` per ref in the same order; ``asset_problems``
turns the results into MDV2xx problems. Network code lives in ``fetch``/``download``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mdvalidator.assets import rules as R
from mdvalidator.assets.cache import CacheEntry, ResultCache
from mdvalidator.assets.download import Progress, Validators, download
from mdvalidator.assets.fetch import FetchError
from mdvalidator.assets.mirror import hash_local, map_url
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.progress import DownloadProgress
from mdvalidator.assets.shard import in_shard
from mdvalidator.assets.sniff import format_warning
from mdvalidator.assets.watchdog import WATCHDOG
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem
from mdvalidator.sanitize import clean, redact_url

SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FAILED = {
    AssetStatus.BLOCKED: R.BLOCKED,
    AssetStatus.TOO_LARGE: R.TOO_LARGE,
}


def is_sha256(text: str) -> bool:
    return bool(SHA256.match(text))


@dataclass(frozen=True)
class Outcome:
    """What fetching one (url, expected) found, before it is applied to each ref naming it."""

    status: AssetStatus
    actual: str | None = None
    size: int = 0
    detail: str = ""
    reason: str = ""
    head: bytes = b""


def verify_assets(refs: Sequence[AssetRef], options: AssetOptions) -> list[AssetResult]:
    """One result per ref, same order. Offline, other-shard and malformed-digest refs are skipped
    (a malformed digest is still downloaded and hashed with ``options.fix``)."""
    results: list[AssetResult | None] = [None] * len(refs)
    jobs: dict[tuple[str, str], list[int]] = {}
    for index, ref in enumerate(refs):
        expected = ref.expected.strip().lower()
        if options.offline:
            results[index] = AssetResult(ref, AssetStatus.SKIPPED, detail="offline")
        elif options.shard is not None and not in_shard(ref, options.shard):
            results[index] = AssetResult(ref, AssetStatus.SKIPPED, detail="another shard")
        elif not is_sha256(expected) and not options.fix:
            results[index] = AssetResult(ref, AssetStatus.SKIPPED, detail="no valid sha256")
        else:
            jobs.setdefault((ref.url, expected), []).append(index)
    if jobs:
        outcomes = _run_jobs(list(jobs), options)
        for key, outcome in zip(jobs, outcomes, strict=True):
            for index in jobs[key]:
                results[index] = _result(refs[index], outcome)
    return [r for r in results if r is not None]


def _run_jobs(keys: list[tuple[str, str]], options: AssetOptions) -> list[Outcome]:
    cache = ResultCache(options.cache_dir) if options.use_cache else None
    progress = DownloadProgress(len(keys), options.progress)

    def one(key: tuple[str, str]) -> Outcome:
        try:
            return verify_one(key[0], key[1], options, cache, progress.tracker())
        finally:
            progress.finished()

    if options.jobs <= 1 or len(keys) == 1:
        try:
            return [one(key) for key in keys]
        finally:
            progress.close()
    pool = ThreadPoolExecutor(max_workers=min(options.jobs, len(keys)))
    try:
        return list(pool.map(one, keys))
    except KeyboardInterrupt:
        WATCHDOG.interrupt()  # downloads in other threads stop now instead of at their deadline
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        progress.close()


def verify_one(
    url: str,
    expected: str,
    options: AssetOptions,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Fetch (or look up) one asset and compare its sha256 with ``expected``."""
    target, folder = map_url(url, options.mirrors)
    try:
        if folder is not None:
            digest, size, head = hash_local(url, folder, target, options.max_size)
            return _judged(expected, digest, size, head, "from the mirror folder")
        entry = cache.get(target, expected) if cache and is_sha256(expected) else None
        known = None
        if entry is not None and entry.revalidatable:
            known = Validators(entry.etag, entry.last_modified, entry.length)
        got = download(target, options, known, progress)
        if got.not_modified and entry is not None:
            head = bytes.fromhex(entry.head)
            detail = "unchanged since verified (conditional request)"
            return Outcome(AssetStatus.CACHED, expected, entry.length, detail, head=head)
        outcome = _judged(expected, got.digest, got.size, got.head, "")
        if cache is not None and is_sha256(expected):
            if outcome.status is AssetStatus.VERIFIED:
                validators = got.validators
                cache.put(
                    CacheEntry(
                        target,
                        expected,
                        validators.etag,
                        validators.last_modified,
                        got.size,
                        got.head.hex(),
                    )
                )
            else:
                cache.drop(target, expected)
        return outcome
    except FetchError as error:
        return Outcome(error.status, detail=error.message, reason=error.reason)
    except Exception as exc:  # a bug must not hide the other assets' verdicts
        detail = f"{redact_url(url)}: internal error ({type(exc).__name__}: {clean(str(exc), 100)})"
        return Outcome(AssetStatus.UNREACHABLE, detail=detail, reason="internal")


def _judged(expected: str, digest: str | None, size: int, head: bytes, detail: str) -> Outcome:
    if not is_sha256(expected):
        detail = "asset-sha256 is not a sha256; computed for --fix"
        return Outcome(AssetStatus.SKIPPED, digest, size, detail, head=head)
    status = AssetStatus.VERIFIED if digest == expected else AssetStatus.MISMATCH
    return Outcome(status, digest, size, detail, head=head)


def _result(ref: AssetRef, outcome: Outcome) -> AssetResult:
    warning = format_warning(ref.file_format, outcome.head) if outcome.head else ""
    return AssetResult(
        ref=ref,
        status=outcome.status,
        actual=outcome.actual,
        bytes=outcome.size,
        detail=outcome.detail,
        reason=outcome.reason,
        format_warning=warning,
    )


def asset_problems(results: Sequence[AssetResult]) -> list[Problem]:
    """MDV2xx problems for the results that failed (and format warnings for any)."""
    problems: list[Problem] = []
    for result in results:
        ref = result.ref
        link = redact_url(ref.url)
        if result.status is AssetStatus.MISMATCH:
            message = (
                f"sha256 of {link} is {result.actual}, but asset-sha256 says {ref.expected}"
                f" ({result.bytes} bytes downloaded)"
            )
            line = ref.sha_line or ref.line
            problems.append(R.SHA256_MISMATCH.problem(ref.path, line, 1, message))
        elif result.status is AssetStatus.UNREACHABLE:
            rule = R.TIMEOUT if result.reason == "timeout" else R.UNREACHABLE
            message = f"cannot download asset: {result.detail or link}"
            problems.append(rule.problem(ref.path, ref.line, 1, message))
        elif result.status in _FAILED:
            message = f"asset not downloaded: {result.detail or link}"
            problems.append(_FAILED[result.status].problem(ref.path, ref.line, 1, message))
        if result.format_warning:
            message = f"{result.format_warning} ({link})"
            problems.append(R.FORMAT_MISMATCH.problem(ref.path, ref.line, 1, message))
    return problems
