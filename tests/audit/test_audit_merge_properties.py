"""Properties of merge_reports, over generated runs (hypothesis).

A "run" is a set of assets with the outcome the download found, and problems; its shards are
what `--shard I/N` reports (every asset listed, those of other slices skipped; every problem of
the files, asset problems only where the asset was verified). Merging the shards, in any order,
with repeats, gives the unsharded run; merging a merge changes nothing.
"""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from mdvalidator.assets.shard import in_shard
from mdvalidator.audit.auditreport import AuditedAsset, AuditReport, audit_report_object
from mdvalidator.audit.merge import merge_reports
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem, Severity

OUTCOMES = [s for s in AssetStatus if s is not AssetStatus.SKIPPED]


@st.composite
def runs(draw: st.DrawFn) -> tuple[AuditReport, int]:
    count = draw(st.integers(min_value=1, max_value=6))
    assets = []
    problems = []
    for index in range(draw(st.integers(min_value=0, max_value=25))):
        path = f"assets/p{index % 4}/1.{index % 3}/m{index % 7}_d.md"
        url = f"https://download.example.org/{draw(st.integers(0, 12))}.ckpt"
        expected = hashlib.sha256(url.encode()).hexdigest()
        ref = AssetRef(path, 10 + index, url, expected)
        status = draw(st.sampled_from(OUTCOMES))
        actual = expected if status in (AssetStatus.VERIFIED, AssetStatus.CACHED) else None
        assets.append(AuditedAsset(AssetResult(ref, status, actual=actual, bytes=index)))
        if status is not AssetStatus.VERIFIED:
            problems.append(
                Problem(path, ref.line, 1, "MDV202", "asset-unreachable", Severity.ERROR, "x")
            )
    for index in range(draw(st.integers(min_value=0, max_value=5))):
        problems.append(
            Problem(f"assets/p0/1.0/m{index}_d.md", index, 0, "MDV102", "r", Severity.WARNING, "w")
        )
    checked = len({a.result.ref.path for a in assets} | {p.path for p in problems})
    whole = AuditReport(
        checked=checked, problems=tuple(sorted(set(problems))), assets=tuple(assets)
    )
    return whole, count


def shard_of(whole: AuditReport, index: int, count: int) -> AuditReport:
    """What `--shard index/count` reports of ``whole``."""
    assets = []
    asset_problems = set()
    for asset in whole.assets:
        if in_shard(asset.result.ref, (index, count)):
            assets.append(asset)
            if asset.result.status is not AssetStatus.VERIFIED:
                ref = asset.result.ref
                asset_problems.add((ref.path, ref.line))
        else:
            skipped = AssetResult(asset.result.ref, AssetStatus.SKIPPED)
            assets.append(AuditedAsset(skipped))
    problems = tuple(
        p for p in whole.problems if p.rule != "MDV202" or (p.path, p.line) in asset_problems
    )
    return AuditReport(checked=whole.checked, problems=problems, assets=tuple(assets))


@settings(max_examples=200, deadline=None)
@given(runs(), st.randoms(use_true_random=False))
def test_merging_the_shards_in_any_order_gives_the_whole_run(
    run: tuple[AuditReport, int], random: object
) -> None:
    whole, count = run
    shards = [shard_of(whole, i, count) for i in range(1, count + 1)]
    shards += [shards[0]]  # a repeat
    random.shuffle(shards)  # type: ignore[attr-defined]
    merged = merge_reports(shards, shards=count).report
    assert audit_report_object(merged) == audit_report_object(merge_reports([whole]).report)
    assert merged.failed() == whole.failed()


@settings(max_examples=100, deadline=None)
@given(runs())
def test_merge_is_idempotent(run: tuple[AuditReport, int]) -> None:
    whole, count = run
    shards = [shard_of(whole, i, count) for i in range(1, count + 1)]
    once = merge_reports(shards).report
    assert audit_report_object(merge_reports([once]).report) == audit_report_object(once)
    assert audit_report_object(merge_reports([once, *shards]).report) == audit_report_object(once)


@settings(max_examples=100, deadline=None)
@given(runs())
def test_a_merge_never_passes_what_a_shard_failed(run: tuple[AuditReport, int]) -> None:
    whole, count = run
    shards = [shard_of(whole, i, count) for i in range(1, count + 1)]
    failed = {a.key for s in shards for a in s.assets if a.failed}
    merged = merge_reports(shards).report
    assert failed <= {a.key for a in merged.assets if a.failed}
    if failed:
        assert merged.failed()
