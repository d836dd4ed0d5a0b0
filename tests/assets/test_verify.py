"""verify_assets and asset_problems end to end against the loopback server."""

from __future__ import annotations

import copy
import dataclasses
import gzip
import hashlib
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.shard import in_shard
from mdvalidator.assets.verify import asset_problems, verify_assets
from mdvalidator.problem import AssetRef, AssetStatus, Severity
from mdvalidator.registry import all_rules

if TYPE_CHECKING:
    from conftest import AssetServer

BODY = random.Random(1).randbytes(2 * 1024 * 1024 + 7)
DIGEST = hashlib.sha256(BODY).hexdigest()
OTHER = hashlib.sha256(b"something else").hexdigest()


def ref(url: str, expected: str = DIGEST, fmt: str = "", path: str = "card.md") -> AssetRef:
    return AssetRef(path=path, line=10, url=url, expected=expected, sha_line=11, file_format=fmt)


# (route options, expected status, rule code or None); each a fault from the issue.
FAULTS: list[tuple[str, dict[str, Any], AssetStatus, str | None]] = [
    ("plain", {}, AssetStatus.VERIFIED, None),
    ("drop then resume", {"drops": 2, "drop_at": 1_000_000}, AssetStatus.VERIFIED, None),
    (
        "range ignored",
        {"drops": 1, "drop_at": 900_000, "ignore_range": True},
        AssetStatus.VERIFIED,
        None,
    ),
    (
        "etag changes",
        {"versions": [random.Random(2).randbytes(1000), BODY], "drops": 1, "drop_at": 500},
        AssetStatus.VERIFIED,
        None,
    ),
    (
        "etag changes to other bytes",
        {"versions": [BODY, random.Random(3).randbytes(1000)], "drops": 1, "drop_at": 1_000_000},
        AssetStatus.MISMATCH,
        "MDV201",
    ),
    (
        "5xx/429 burst",
        {"statuses": [500, 503, 429], "retry_after": "0"},
        AssetStatus.VERIFIED,
        None,
    ),
    ("endless 503", {"always_status": 503}, AssetStatus.UNREACHABLE, "MDV202"),
    ("length larger", {"length_delta": 10}, AssetStatus.UNREACHABLE, "MDV202"),
    ("length smaller", {"length_delta": -10}, AssetStatus.MISMATCH, "MDV201"),
    ("gzip body hashed raw", {"encoding": "gzip"}, AssetStatus.VERIFIED, None),
    ("404", {"status": 404, "always_status": 404}, AssetStatus.UNREACHABLE, "MDV202"),
    ("redirect loop", {"location": "/a.bin"}, AssetStatus.UNREACHABLE, "MDV202"),
    (
        "redirect to metadata",
        {"location": "http://169.254.169.254/"},
        AssetStatus.BLOCKED,
        "MDV203",
    ),
]


@pytest.mark.parametrize(
    ("route", "status", "code"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS]
)
def test_fault_verdicts(
    server: AssetServer,
    options: AssetOptions,
    route: dict[str, Any],
    status: AssetStatus,
    code: str | None,
) -> None:
    server.route("/a.bin", **{"body": BODY, **copy.deepcopy(route)})
    narrow = dataclasses.replace(
        options, allow_private_network=False, allow_networks=("127.0.0.1/32",)
    )
    [result] = verify_assets([ref(server.url("/a.bin"))], narrow)
    assert result.status is status, result.detail
    problems = asset_problems([result])
    assert [p.rule for p in problems] == ([code] if code else [])
    if status is AssetStatus.VERIFIED:
        assert result.actual == DIGEST and result.bytes == len(BODY)


def test_gzip_body_is_not_decoded(server: AssetServer, options: AssetOptions) -> None:
    packed = gzip.compress(BODY)
    server.route("/a.bin", body=packed, encoding="gzip")
    [result] = verify_assets([ref(server.url("/a.bin"))], options)
    assert result.status is AssetStatus.MISMATCH
    assert result.actual == hashlib.sha256(packed).hexdigest()


def test_slow_drip_is_a_timeout(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY[:500], drip=0.02)
    quick = dataclasses.replace(options, deadline=0.4)
    [result] = verify_assets([ref(server.url("/a.bin"))], quick)
    assert (result.status, result.reason) == (AssetStatus.UNREACHABLE, "timeout")
    assert [p.rule for p in asset_problems([result])] == ["MDV205"]


def test_too_large(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    small = dataclasses.replace(options, max_size=1024)
    [result] = verify_assets([ref(server.url("/a.bin"))], small)
    assert result.status is AssetStatus.TOO_LARGE
    [problem] = asset_problems([result])
    assert problem.rule == "MDV204" and "--max-asset-size" in problem.message


def test_unresolvable_host(options: AssetOptions) -> None:
    def nowhere(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    [result] = verify_assets(
        [ref("https://nowhere.test/a")], dataclasses.replace(options, resolver=nowhere)
    )
    assert (result.status, result.reason) == (AssetStatus.UNREACHABLE, "dns")
    assert "cannot resolve" in asset_problems([result])[0].message


def test_mismatch_problem_names_both_digests_at_the_sha_line(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY)
    results = verify_assets([ref(server.url("/a.bin"), OTHER)], options)
    [problem] = asset_problems(results)
    assert (problem.rule, problem.name, problem.line) == ("MDV201", "asset-sha256-mismatch", 11)
    assert DIGEST in problem.message and OTHER in problem.message
    assert problem.severity is Severity.ERROR


def test_results_keep_order_and_identical_downloads_happen_once(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY)
    server.route("/b.bin", body=b"bbb")
    refs = [
        ref(server.url("/a.bin"), path="one.md"),
        ref(server.url("/b.bin"), hashlib.sha256(b"bbb").hexdigest()),
        ref(server.url("/a.bin"), path="two.md"),
        ref(server.url("/a.bin"), OTHER, path="three.md"),
    ]
    results = verify_assets(refs, options)
    assert [r.ref for r in results] == refs
    assert [r.status for r in results] == [
        AssetStatus.VERIFIED,
        AssetStatus.VERIFIED,
        AssetStatus.VERIFIED,
        AssetStatus.MISMATCH,
    ]
    gets = [s.path for s in server.seen]
    assert gets.count("/a.bin") == 1  # once per distinct link, whatever digests the cards expect
    assert gets.count("/b.bin") == 1
    assert results[3].actual == DIGEST


def test_offline_skips_everything(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    results = verify_assets([ref(server.url("/a.bin"))], dataclasses.replace(options, offline=True))
    assert [r.status for r in results] == [AssetStatus.SKIPPED]
    assert server.seen == [] and asset_problems(results) == []


@pytest.mark.parametrize("expected", ["", "abc123", "z" * 64, DIGEST[:63]])
def test_malformed_digest_is_skipped_unless_fixing(
    server: AssetServer, options: AssetOptions, expected: str
) -> None:
    server.route("/a.bin", body=BODY)
    [skipped] = verify_assets([ref(server.url("/a.bin"), expected)], options)
    assert skipped.status is AssetStatus.SKIPPED and server.seen == []
    [computed] = verify_assets(
        [ref(server.url("/a.bin"), expected)], dataclasses.replace(options, fix=True)
    )
    assert (computed.status, computed.actual) == (AssetStatus.SKIPPED, DIGEST)
    assert asset_problems([computed]) == []


def test_shards_split_the_assets_deterministically(options: AssetOptions) -> None:
    refs = [
        ref(f"https://hub.example/{i}.ckpt", hashlib.sha256(b"%d" % i).hexdigest())
        for i in range(60)
    ]
    owners = [[i for i in range(1, 5) if in_shard(r, (i, 4))] for r in refs]
    assert all(len(o) == 1 for o in owners)
    assert {o[0] for o in owners} == {1, 2, 3, 4}
    assert owners == [[i for i in range(1, 5) if in_shard(r, (i, 4))] for r in refs]
    offline_shard = dataclasses.replace(options, shard=(2, 4), offline=False, fix=False)
    chosen = [r for r in refs if in_shard(r, (2, 4))]
    others = verify_assets([r for r in refs if not in_shard(r, (2, 4))], offline_shard)
    assert all(r.detail == "another shard" for r in others) and chosen


def test_format_signature_disagreement_is_a_warning(
    server: AssetServer, options: AssetOptions
) -> None:
    page = b"<!DOCTYPE html><html><body>Not found</body></html>"
    server.route("/model.ms", body=page)
    [result] = verify_assets(
        [ref(server.url("/model.ms"), hashlib.sha256(page).hexdigest(), fmt="mslite")], options
    )
    assert result.status is AssetStatus.VERIFIED
    [problem] = asset_problems([result])
    assert (problem.rule, problem.severity) == ("MDV206", Severity.WARNING)
    assert "HTML" in problem.message


def test_url_mirror(server: AssetServer, options: AssetOptions) -> None:
    server.route("/mirror/models/a.bin", body=BODY)
    mirrored = dataclasses.replace(
        options, mirrors=(("https://hub.example/", server.url("/mirror/")),)
    )
    [result] = verify_assets([ref("https://hub.example/models/a.bin")], mirrored)
    assert result.status is AssetStatus.VERIFIED
    assert server.seen[0].path == "/mirror/models/a.bin"


def test_folder_mirror_and_symlink_escape(tmp_path: Path, options: AssetOptions) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "models").mkdir(parents=True)
    (mirror / "models" / "a.bin").write_bytes(BODY)
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"secret")
    (mirror / "models" / "link.bin").symlink_to(secret)
    (mirror / "models" / "inside.bin").symlink_to(mirror / "models" / "a.bin")
    mirrored = dataclasses.replace(options, mirrors=(("https://hub.example/", str(mirror)),))
    results = verify_assets(
        [
            ref("https://hub.example/models/a.bin"),
            ref("https://hub.example/models/inside.bin"),
            ref("https://hub.example/models/link.bin", hashlib.sha256(b"secret").hexdigest()),
            ref(
                "https://hub.example/models/../../secret.bin", hashlib.sha256(b"secret").hexdigest()
            ),
            ref("https://hub.example/models/missing.bin"),
        ],
        mirrored,
    )
    # ".." segments are removed before the mirror is consulted: hub.example/secret.bin is not in
    # the mirror folder (and the file beside it is never read).
    assert [r.status for r in results] == [
        AssetStatus.VERIFIED,
        AssetStatus.VERIFIED,
        AssetStatus.BLOCKED,
        AssetStatus.UNREACHABLE,
        AssetStatus.UNREACHABLE,
    ]
    assert results[3].actual is None and "not in the mirror folder" in results[3].detail


def test_rules_are_registered_with_docs() -> None:
    codes = {r.code: r for r in all_rules() if r.code.startswith("MDV2")}
    assert sorted(codes) == [
        "MDV201",
        "MDV202",
        "MDV203",
        "MDV204",
        "MDV205",
        "MDV206",
        "MDV230",
        "MDV231",
    ]
    assert all(r.doc and r.summary and r.family == "assets" for r in codes.values())
