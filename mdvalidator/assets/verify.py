"""Verify assets: fetch each distinct link once, in parallel, and judge every ref naming it.

``verify_assets`` returns one :class:`AssetResult` per ref in the same order; ``asset_problems``
turns the results into MDV2xx problems. Network code lives in ``fetch``/``download``.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mdvalidator.assets import rules as R
from mdvalidator.assets.cache import CacheEntry, CacheRead, ResultCache
from mdvalidator.assets.download import Downloaded, Progress, Validators, download
from mdvalidator.assets.fetch import FetchError, checked_link
from mdvalidator.assets.mirror import hash_local, map_url
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.progress import DownloadProgress
from mdvalidator.assets.shard import in_shard
from mdvalidator.assets.sniff import format_warning
from mdvalidator.assets.watchdog import WATCHDOG
from mdvalidator.digests import is_sha256
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem
from mdvalidator.sanitize import clean, redact_url
from mdvalidator.urls import LinkError, parse_link

_FAILED = {
    AssetStatus.BLOCKED: R.BLOCKED,
    AssetStatus.TOO_LARGE: R.TOO_LARGE,
}


@dataclass(frozen=True)
class Fetched:
    """What fetching one link found: the digest of its bytes (or why there is none)."""

    status: AssetStatus | None = None  # None: got a digest; else the failure's status
    digest: str | None = None
    size: int = 0
    head: bytes = b""
    delimited: bool = True
    source: str = "downloaded"  # "downloaded", "cached" (server said unchanged) or "mirror"
    detail: str = ""
    reason: str = ""
    note: str = ""  # e.g. a cache entry that did not authenticate


@dataclass(frozen=True)
class Outcome:
    """What one link's :class:`Fetched` means for one expected digest."""

    status: AssetStatus
    actual: str | None = None
    size: int = 0
    detail: str = ""
    reason: str = ""
    head: bytes = b""
    delimited: bool = True


def verify_assets(refs: Sequence[AssetRef], options: AssetOptions) -> list[AssetResult]:
    """One result per ref, same order. Offline, other-shard and malformed-digest refs are skipped
    (a malformed digest is still downloaded and hashed with ``options.fix``). Each distinct link
    is fetched once, however many refs (and expected digests) name it."""
    results: list[AssetResult | None] = [None] * len(refs)
    jobs: dict[str, list[int]] = {}
    for index, ref in enumerate(refs):
        expected = ref.expected.strip().lower()
        if options.offline:
            results[index] = AssetResult(ref, AssetStatus.SKIPPED, detail="offline")
        elif options.shard is not None and not in_shard(ref, options.shard):
            results[index] = AssetResult(ref, AssetStatus.SKIPPED, detail="another shard")
        elif not is_sha256(expected) and not options.fix:
            results[index] = AssetResult(ref, AssetStatus.SKIPPED, detail="no valid sha256")
        else:
            try:
                url = checked_link(ref.url).url
            except FetchError as error:
                results[index] = AssetResult(
                    ref, error.status, detail=error.message, reason=error.reason
                )
                continue
            jobs.setdefault(url, []).append(index)
    if jobs:
        fetched = _run_jobs(list(jobs), options)
        for url, found in zip(jobs, fetched, strict=True):
            for index in jobs[url]:
                ref = refs[index]
                results[index] = _result(ref, judge(ref.expected.strip().lower(), found))
    return [r for r in results if r is not None]


def _run_jobs(urls: list[str], options: AssetOptions) -> list[Fetched]:
    cache = ResultCache(options.cache_dir) if options.use_cache else None
    progress = DownloadProgress(len(urls), options.progress)

    def one(url: str) -> Fetched:
        try:
            return fetch_digest(url, options, cache, progress.tracker())
        finally:
            progress.finished()

    if options.jobs <= 1 or len(urls) == 1:
        try:
            return [one(url) for url in urls]
        finally:
            progress.close()
    pool = ThreadPoolExecutor(max_workers=min(options.jobs, len(urls)))
    try:
        return list(pool.map(one, urls))
    except KeyboardInterrupt:
        WATCHDOG.interrupt()  # downloads in other threads stop now instead of at their deadline
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        progress.close()


def fetch_digest(
    url: str,
    options: AssetOptions,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> Fetched:
    """The sha256 of what ``url`` serves: from its mirror, from the cache once the server says
    the bytes are unchanged since, or downloaded (and then remembered, match or not)."""
    try:
        target, folder = map_url(url, _mirrors(options.mirrors))
        if folder is not None:
            digest, size, head = hash_local(url, folder, target, options.max_size)
            return Fetched(digest=digest, size=size, head=head, source="mirror")
        target = checked_link(target).url
        read = cache.read(target) if cache is not None else CacheRead(None)
        entry = read.entry
        if entry is not None and entry.length > options.max_size:
            entry = None  # the size cap applies to cached assets too: fetch and refuse it
        known = None
        if entry is not None and entry.revalidatable:
            known = Validators(entry.etag, entry.last_modified, entry.length)
        got = download(target, options, known, progress)
        if got.not_modified and entry is not None:
            if got.url == entry.final_url:
                return Fetched(
                    digest=entry.digest,
                    size=entry.length,
                    head=bytes.fromhex(entry.head),
                    delimited=entry.delimited,
                    source="cached",
                    note=read.note,
                )
            # "Not modified" from another place than the one the bytes came from proves nothing.
            got = download(target, options, None, progress)
        if cache is not None:
            _remember(cache, target, got)
        return Fetched(
            digest=got.digest,
            size=got.size,
            head=got.head,
            delimited=got.delimited,
            note=read.note,
        )
    except FetchError as error:
        return Fetched(error.status, detail=error.message, reason=error.reason)
    except Exception as exc:  # a bug must not hide the other assets' verdicts
        detail = f"{redact_url(url)}: internal error ({type(exc).__name__}: {clean(str(exc), 100)})"
        return Fetched(AssetStatus.UNREACHABLE, detail=detail, reason="internal")


def _remember(cache: ResultCache, target: str, got: Downloaded) -> None:
    validators = got.validators
    if got.digest is None or not (validators.etag or validators.last_modified):
        cache.drop(target)  # nothing could revalidate it
        return
    cache.put(
        CacheEntry(
            url=target,
            final_url=got.url,
            digest=got.digest,
            length=got.size,
            etag=validators.etag,
            last_modified=validators.last_modified,
            delimited=got.delimited,
            head=got.head.hex(),
        )
    )


def _mirrors(mirrors: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Mirror prefixes in the normalised form links are compared in (as given if unreadable)."""
    normalised = []
    for prefix, target in mirrors:
        try:
            link = parse_link(prefix)
        except LinkError:
            normalised.append((prefix, target))
            continue
        text = link.url
        if link.target == "/" and not prefix.endswith("/"):
            text = text[:-1]  # "https://host" keeps its length: TARGET + the rest, as written
        normalised.append((text, target))
    return normalised


def judge(expected: str, fetched: Fetched) -> Outcome:
    """The verdict on ``expected`` given what the link's bytes hash to."""
    if fetched.status is not None:
        return Outcome(fetched.status, detail=fetched.detail, reason=fetched.reason)
    notes = []
    if fetched.source == "cached":
        notes.append("unchanged since last downloaded (conditional request)")
    elif fetched.source == "mirror":
        notes.append("from the mirror folder")
    if not fetched.delimited:
        notes.append("the server marked no end of the body, so a cut-short download looks whole")
    if fetched.note:
        notes.append(fetched.note + "; downloaded again")
    if not is_sha256(expected):
        notes.insert(0, "asset-sha256 is not a sha256; computed for --fix")
        status = AssetStatus.SKIPPED
    elif fetched.digest != expected:
        status = AssetStatus.MISMATCH
    else:
        status = AssetStatus.CACHED if fetched.source == "cached" else AssetStatus.VERIFIED
    return Outcome(
        status,
        fetched.digest,
        fetched.size,
        "; ".join(notes),
        head=fetched.head,
        delimited=fetched.delimited,
    )


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
        delimited=outcome.delimited,
    )


def asset_problems(results: Sequence[AssetResult]) -> list[Problem]:
    """MDV2xx problems for the results that failed (and format warnings for any)."""
    problems: list[Problem] = []
    for result in results:
        ref = result.ref
        link = redact_url(ref.url)
        if result.status is AssetStatus.MISMATCH:
            how = f"; {result.detail}" if result.detail else " downloaded"
            message = (
                f"sha256 of {link} is {result.actual}, but asset-sha256 says {ref.expected}"
                f" ({result.bytes} bytes{how})"
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
