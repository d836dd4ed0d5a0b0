"""Multi-connection downloads (``--connections``) against the real loopback fault server.

The ``parallel`` options ask for parts of 64 KiB over 4 connections, at most 8 parts ahead of
the hash. Every fault ends in the digest of the bytes the server serves as one file (the parts
were checked, or the download fell back to one stream) or in a failure: never in the digest of
pieces spliced together.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from asset_server import PART_SIZE

from mdvalidator.assets.cache import ResultCache
from mdvalidator.assets.download import download
from mdvalidator.assets.fetch import FetchError
from mdvalidator.assets.hashing import HEAD_SIZE
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.verify import fetch_digest, verify_assets
from mdvalidator.problem import AssetRef, AssetStatus

if TYPE_CHECKING:
    from conftest import AssetServer

ROOT = Path(__file__).resolve().parents[2]
BODY = random.Random(11).randbytes(16 * PART_SIZE + 123)  # 17 parts, the last one short
DIGEST = hashlib.sha256(BODY).hexdigest()
PARTS = [(start, min(start + PART_SIZE, len(BODY)) - 1) for start in range(0, len(BODY), PART_SIZE)]
FIFTH = 5 * PART_SIZE  # where the faulty part starts


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def part_ranges() -> list[str]:
    return [f"bytes={first}-{last}" for first, last in PARTS]


def workers_alive() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("part-worker")]


def test_parts_hash_in_order_to_the_whole_files_digest(
    server: AssetServer, parallel: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY, pace=0.002)
    result = download(server.url("/a.bin"), parallel)
    assert (result.digest, result.size, result.delimited) == (DIGEST, len(BODY), True)
    assert result.head == BODY[:HEAD_SIZE]
    assert sorted(server.ranges()) == sorted(part_ranges())  # each part asked for once
    assert server.ranges()[0] == "bytes=0-65535"  # the first request is the probe: part 0
    etag = server.seen[0].headers.get("If-Range")
    assert etag is None
    assert all(s.headers.get("If-Range") for s in server.seen[1:])
    assert all(s.headers["Accept-Encoding"] == "identity" for s in server.seen)
    assert 2 <= server.max_active <= 4  # several connections at once, never more than asked
    assert result.validators.length == len(BODY) and result.validators.etag
    assert workers_alive() == []


def test_small_asset_is_one_request(server: AssetServer, parallel: AssetOptions) -> None:
    server.route("/a.bin", body=BODY[:5000])
    result = download(server.url("/a.bin"), parallel)
    assert (result.digest, result.size) == (sha(BODY[:5000]), 5000)
    assert server.ranges() == ["bytes=0-65535"]


def test_one_connection_is_todays_single_stream(
    server: AssetServer, parallel: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY)
    result = download(server.url("/a.bin"), dataclasses.replace(parallel, connections=1))
    assert result.digest == DIGEST
    assert server.ranges() == [None]


def test_server_without_ranges_is_one_stream(server: AssetServer, parallel: AssetOptions) -> None:
    server.route("/a.bin", body=BODY, ignore_range=True)
    result = download(server.url("/a.bin"), parallel)
    assert result.digest == DIGEST and result.note == ""
    assert server.ranges() == ["bytes=0-65535"]  # answered with the whole file, hashed as it came


@pytest.mark.parametrize("validator", ["none", "last-modified"])
def test_validators_decide_between_parts_and_one_stream(
    server: AssetServer, parallel: AssetOptions, validator: str
) -> None:
    server.route("/a.bin", body=BODY, etag=False, last_modified=validator != "none")
    result = download(server.url("/a.bin"), parallel)
    assert result.digest == DIGEST and result.note == ""
    if validator == "none":  # nothing to keep the parts one file: one plain stream
        assert server.ranges() == ["bytes=0-65535", None]
    else:
        assert sorted(server.ranges()) == sorted(part_ranges())
        assert all(s.headers["If-Range"].endswith(" GMT") for s in server.seen[1:])


def test_empty_asset(server: AssetServer, parallel: AssetOptions) -> None:
    server.route("/a.bin", body=b"")
    result = download(server.url("/a.bin"), parallel)
    assert (result.digest, result.size) == (sha(b""), 0)
    assert server.ranges() == ["bytes=0-65535", None]  # 416, then the plain request


@pytest.mark.parametrize("reset", [False, True], ids=["close", "reset"])
def test_a_part_cut_mid_stream_is_resumed_alone(
    server: AssetServer, parallel: AssetOptions, reset: bool
) -> None:
    server.route(
        "/a.bin", body=BODY, part_fault="cut", fault_start=FIFTH, drop_at=1000, reset=reset
    )
    result = download(server.url("/a.bin"), parallel)
    assert result.digest == DIGEST and result.note == ""
    asked = server.ranges()
    assert len(asked) == len(PARTS) + 1
    for first, last in PARTS:  # every other part was asked for exactly once
        if first != FIFTH:
            assert asked.count(f"bytes={first}-{last}") == 1
    again = [r for r in asked if r not in part_ranges()]
    if reset:  # a reset may discard what was in flight: the whole part or its rest
        assert asked.count(f"bytes={FIFTH}-{FIFTH + PART_SIZE - 1}") + len(again) == 2
    else:  # a clean close keeps the first 1000 bytes: the rest of the part only
        assert again == [f"bytes={FIFTH + 1000}-{FIFTH + PART_SIZE - 1}"]
    resumed = [s for s in server.seen if s.headers.get("Range") in again]
    assert all(s.headers.get("If-Range") == server.seen[1].headers["If-Range"] for s in resumed)


def test_a_part_answered_503_is_retried_alone(server: AssetServer, parallel: AssetOptions) -> None:
    server.route("/a.bin", body=BODY, part_fault="status", fault_start=FIFTH, fault_times=2)
    result = download(server.url("/a.bin"), parallel)
    assert result.digest == DIGEST and result.note == ""
    asked = server.ranges()
    assert asked.count(f"bytes={FIFTH}-{FIFTH + PART_SIZE - 1}") == 3
    assert len(asked) == len(PARTS) + 2


def test_a_part_failing_for_good_fails_the_asset(
    server: AssetServer, parallel: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY, part_fault="status", fault_start=FIFTH, fault_times=99)
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), parallel)
    assert caught.value.status is AssetStatus.UNREACHABLE
    assert "HTTP 503" in caught.value.message and "attempts" in caught.value.message
    assert workers_alive() == []


def spliced(fault: str) -> bytes:
    """What a client that trusted a faulty answer for the fifth part would have hashed."""
    first, last = FIFTH, FIFTH + PART_SIZE - 1
    piece = {
        "whole": BODY[:PART_SIZE],
        "start": BODY[first + 1 : last + 1],
        "end": BODY[first:last],
        "extra": BODY[first : last + 1001],
    }[fault]
    return BODY[:first] + piece + BODY[last + 1 :]


# Each fault of one part's answer, and what must follow: one plain stream of the whole file.
LIES = ["whole", "start", "end", "total", "etag", "length", "extra"]


@pytest.mark.parametrize("fault", LIES)
def test_an_untrustworthy_part_means_one_stream_never_a_splice(
    server: AssetServer, parallel: AssetOptions, fault: str
) -> None:
    server.route("/a.bin", body=BODY, part_fault=fault, fault_start=FIFTH)
    result = download(server.url("/a.bin"), parallel)
    assert (result.digest, result.size) == (DIGEST, len(BODY))
    if fault in ("whole", "start", "end", "extra"):
        assert result.digest != sha(spliced(fault))
    assert server.ranges().count(None) == 1  # then the whole file, asked for without a range
    assert "downloaded again in one stream" in result.note
    assert workers_alive() == []


@pytest.mark.parametrize("honours_if_range", [True, False], ids=["if-range", "ignored"])
def test_an_asset_that_changes_between_parts_restarts_cleanly(
    server: AssetServer, parallel: AssetOptions, honours_if_range: bool
) -> None:
    new = random.Random(12).randbytes(len(BODY))
    server.route("/a.bin", versions=[BODY, new], ignore_if_range=not honours_if_range)
    result = download(server.url("/a.bin"), parallel)
    assert result.digest == sha(new)  # the file as it is now, whole
    assert result.digest != sha(BODY[:PART_SIZE] + new[PART_SIZE:])
    assert "changed between parts" in result.note or "whole file" in result.note
    assert server.ranges().count(None) == 1


def test_a_part_redirected_to_a_private_address_is_blocked(
    server: AssetServer, parallel: AssetOptions
) -> None:
    strict = dataclasses.replace(
        parallel, allow_private_network=False, allow_networks=("127.0.0.0/8",)
    )
    location = "http://169.254.169.254/latest/meta-data/"
    server.route(
        "/a.bin", body=BODY, part_fault="redirect", fault_start=FIFTH, fault_location=location
    )
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), strict)
    assert caught.value.status is AssetStatus.BLOCKED
    assert "169.254.169.254" in caught.value.message
    assert None not in server.ranges()  # no falling back to one stream after a blocked hop
    assert workers_alive() == []


def test_a_part_redirected_within_the_gate_is_followed(
    server: AssetServer, parallel: AssetOptions
) -> None:
    server.route("/mirror.bin", body=BODY)
    location = server.url("/mirror.bin")
    server.route(
        "/a.bin", body=BODY, part_fault="redirect", fault_start=FIFTH, fault_location=location
    )
    result = download(server.url("/a.bin"), parallel)
    assert result.digest == DIGEST and result.note == ""
    assert [s.path for s in server.seen].count("/mirror.bin") == 1


def test_the_size_cap_applies_to_the_announced_total(
    server: AssetServer, parallel: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY)
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), dataclasses.replace(parallel, max_size=len(BODY) - 1))
    assert caught.value.status is AssetStatus.TOO_LARGE
    assert len(server.seen) == 1


def test_the_deadline_covers_every_part(server: AssetServer, parallel: AssetOptions) -> None:
    server.route("/a.bin", body=BODY, part_fault="slow", fault_start=FIFTH, fault_delay=3)
    quick = dataclasses.replace(parallel, deadline=0.8, read_timeout=5)
    with pytest.raises(FetchError) as caught:
        download(server.url("/a.bin"), quick)
    assert caught.value.reason == "timeout"
    assert workers_alive() == []


def test_only_a_window_of_parts_runs_ahead_of_the_hash(
    server: AssetServer, parallel: AssetOptions
) -> None:
    # The fifth part stalls; the hash cannot pass it, so no part beyond the window (8 parts
    # from the fifth) is asked for until it has arrived.
    route = server.route("/a.bin", body=BODY, part_fault="slow", fault_start=FIFTH, fault_delay=0.6)
    result = download(server.url("/a.bin"), parallel)
    assert result.digest == DIGEST
    window = parallel.window_bytes // PART_SIZE
    for seen in server.seen:
        start = int(seen.headers["Range"].split("=")[1].split("-")[0])
        if start >= FIFTH + window * PART_SIZE:
            assert seen.at >= route.fault_done - 0.05, seen.headers["Range"]


def test_connections_are_kept_alive_between_parts(
    server: AssetServer, parallel: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY, keep_alive=True, pace=0.001)
    result = download(server.url("/a.bin"), parallel)
    assert result.digest == DIGEST
    assert len({s.client for s in server.seen}) <= parallel.connections
    assert len(server.seen) == len(PARTS)


def test_a_kept_connection_the_server_closed_is_reopened_without_a_retry(
    server: AssetServer, parallel: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY, keep_alive=True, close_idle=True)
    result = download(server.url("/a.bin"), dataclasses.replace(parallel, retries=0))
    assert result.digest == DIGEST
    assert sorted(server.ranges()) == sorted(part_ranges())


def test_the_cache_records_a_parallel_download_like_a_single_stream(
    server: AssetServer, parallel: AssetOptions
) -> None:
    route = server.route("/a.bin", body=BODY)
    cache = ResultCache(parallel.cache_dir)
    first = fetch_digest(server.url("/a.bin"), parallel, cache)
    entry = cache.get(server.url("/a.bin"))
    assert entry is not None and first.digest == DIGEST
    assert (entry.digest, entry.length, entry.final_url) == (
        DIGEST,
        len(BODY),
        server.url("/a.bin"),
    )
    assert entry.etag == server.seen[1].headers["If-Range"]  # the validator the parts used
    assert entry.last_modified and entry.head == BODY[:HEAD_SIZE].hex()
    sent = route.sent
    again = fetch_digest(server.url("/a.bin"), parallel, cache)
    assert (again.source, again.digest, route.sent) == ("cached", DIGEST, sent)
    assert server.seen[-1].headers.get("If-None-Match") == entry.etag


def refs(urls: list[str]) -> list[AssetRef]:
    return [AssetRef("card.md", 1, url, DIGEST, 2, "ckpt") for url in urls]


def test_connections_per_host_are_capped_across_assets(
    server: AssetServer, parallel: AssetOptions
) -> None:
    for name in ("a", "b", "c"):
        server.route(f"/{name}.bin", body=BODY, pace=0.003)
    capped = dataclasses.replace(parallel, jobs=3, max_host_connections=5)
    results = verify_assets(refs([server.url(f"/{n}.bin") for n in "abc"]), capped)
    assert [r.status for r in results] == [AssetStatus.VERIFIED] * 3
    assert 2 <= server.max_active <= 5


def test_connections_are_capped_across_hosts(server: AssetServer, parallel: AssetOptions) -> None:
    server.route("/a.bin", body=BODY, pace=0.003)
    stub = {"one.test": ["127.0.0.1"], "two.test": ["127.0.0.1"]}
    capped = dataclasses.replace(
        parallel, jobs=2, max_total_connections=3, resolver=lambda host, _port: stub[host]
    )
    urls = [server.url("/a.bin", host) for host in stub]
    results = verify_assets(refs(urls), capped)
    assert [r.status for r in results] == [AssetStatus.VERIFIED] * 2
    assert 2 <= server.max_active <= 3


def hash_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "mdvalidator", "hash", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


def test_hash_url_in_parts_through_the_cli(server: AssetServer) -> None:
    body = random.Random(13).randbytes(9 * 1024 * 1024)  # three parts of 4 MiB
    server.route("/big.bin", body=body)
    url = server.url("/big.bin")
    done = hash_cli("--allow-private-network", "--connections", "3", url)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{sha(body)}  {url}\n", "")
    assert sorted(server.ranges()) == [
        "bytes=0-4194303",
        "bytes=4194304-8388607",
        "bytes=8388608-9437183",
    ]
    refused = hash_cli("--allow-private-network", "--connections", "17", url)
    assert refused.returncode == 2 and "connections must be 1 to 16" in refused.stderr
