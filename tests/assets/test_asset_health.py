"""Issue 12 point 2: every asset result says what the failure is (health) and why (evidence).

Each row is a real download from the loopback server (or a stub resolver for DNS and other
host names); the asserts are the health, the evidence and the first words of the message.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import random
import socket
from typing import TYPE_CHECKING, Any

import pytest
from asset_server import PART_SIZE

from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.verify import asset_problems, verify_assets
from mdvalidator.problem import AssetEvidence, AssetHealth, AssetRef, AssetStatus

if TYPE_CHECKING:
    from conftest import AssetServer

BODY = random.Random(12).randbytes(300_000)
DIGEST = hashlib.sha256(BODY).hexdigest()
HOST = "127.0.0.1"


def ref(url: str, expected: str = DIGEST) -> AssetRef:
    return AssetRef(path="card.md", line=10, url=url, expected=expected, sha_line=11)


def one(options: AssetOptions, url: str, expected: str = DIGEST) -> Any:
    [result] = verify_assets([ref(url, expected)], options)
    return result


# (id, route, status, health, http_status, attempts, the problem message's start or None)
ROWS: list[tuple[str, dict[str, Any], AssetStatus, AssetHealth, int | None, int, str | None]] = [
    ("plain", {}, AssetStatus.VERIFIED, AssetHealth.VERIFIED, 200, 1, None),
    (
        "5xx then fine",
        {"statuses": [500, 503, 429], "retry_after": "0"},
        AssetStatus.VERIFIED,
        AssetHealth.VERIFIED,
        200,
        4,
        None,
    ),
    (
        "dropped then resumed",
        {"drops": 1, "drop_at": 100_000},
        AssetStatus.VERIFIED,
        AssetHealth.VERIFIED,
        206,
        2,
        None,
    ),
    (
        "404",
        {"always_status": 404},
        AssetStatus.UNREACHABLE,
        AssetHealth.DEAD,
        404,
        1,
        f"the link is dead: 404 from host {HOST} after 1 attempt (",
    ),
    (
        "410",
        {"always_status": 410},
        AssetStatus.UNREACHABLE,
        AssetHealth.DEAD,
        410,
        1,
        f"the link is dead: 410 from host {HOST} after 1 attempt (",
    ),
    (
        "403 (not public)",
        {"always_status": 403},
        AssetStatus.UNREACHABLE,
        AssetHealth.DEAD,
        403,
        1,
        "the link is dead: 403 from host",
    ),
    (
        "endless 503",
        {"always_status": 503, "retry_after": "0"},
        AssetStatus.UNREACHABLE,
        AssetHealth.FLAKY,
        503,
        4,
        f"flaky: 503 from {HOST} after 4 attempts (",
    ),
    (
        "endless 429",
        {"always_status": 429, "retry_after": "0"},
        AssetStatus.UNREACHABLE,
        AssetHealth.FLAKY,
        429,
        4,
        f"flaky: 429 from {HOST} after 4 attempts",
    ),
    (
        "endless resets",
        {"drops": 99, "drop_at": 0, "reset": True},
        AssetStatus.UNREACHABLE,
        AssetHealth.FLAKY,
        200,
        4,
        f"flaky: connection dropped at {HOST} after 4 attempts",
    ),
    (
        "mismatch",
        {"body": b"other bytes"},
        AssetStatus.MISMATCH,
        AssetHealth.MISMATCH,
        200,
        1,
        None,
    ),
]


@pytest.mark.parametrize(
    ("route", "status", "health", "http_status", "attempts", "said"),
    [r[1:] for r in ROWS],
    ids=[r[0] for r in ROWS],
)
def test_health_and_evidence_of_each_fault(
    server: AssetServer,
    options: AssetOptions,
    route: dict[str, Any],
    status: AssetStatus,
    health: AssetHealth,
    http_status: int | None,
    attempts: int,
    said: str | None,
) -> None:
    server.route("/a.bin", **{"body": BODY, **copy.deepcopy(route)})
    narrow = dataclasses.replace(
        options, allow_private_network=False, allow_networks=("127.0.0.1/32",)
    )
    result = one(narrow, server.url("/a.bin"))
    assert (result.status, result.health) == (status, health), result.detail
    assert result.evidence == AssetEvidence(http_status, HOST, attempts, None)
    messages = [p.message for p in asset_problems([result])]
    if said is not None:
        assert messages[0].startswith(f"cannot download asset: {said}"), messages
    elif status is AssetStatus.VERIFIED:
        assert messages == []


def test_a_redirect_to_a_private_address_is_blocked_at_that_host(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", location="http://169.254.169.254/latest/", status=301)
    narrow = dataclasses.replace(
        options, allow_private_network=False, allow_networks=("127.0.0.1/32",)
    )
    result = one(narrow, server.url("/a.bin"))
    assert (result.status, result.health) == (AssetStatus.BLOCKED, AssetHealth.BLOCKED)
    assert result.evidence == AssetEvidence(None, "169.254.169.254", 1, None)


def test_too_large_is_blocked(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    result = one(dataclasses.replace(options, max_size=1000), server.url("/a.bin"))
    assert (result.status, result.health) == (AssetStatus.TOO_LARGE, AssetHealth.BLOCKED)
    assert result.evidence == AssetEvidence(200, HOST, 1, None)


def test_a_timeout_is_flaky(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY[:400], drip=0.02)
    result = one(dataclasses.replace(options, deadline=0.4), server.url("/a.bin"))
    assert (result.health, result.reason) == (AssetHealth.FLAKY, "timeout")
    assert result.evidence.http_status == 200  # the answer came; its bytes did not
    [problem] = asset_problems([result])
    assert problem.rule == "MDV205" and f"flaky: timed out at {HOST} after" in problem.message


def test_a_refused_connection_is_flaky(options: AssetOptions) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        result = one(options, f"http://127.0.0.1:{port}/a.bin")
    assert (result.status, result.health) == (AssetStatus.UNREACHABLE, AssetHealth.FLAKY)
    assert result.evidence == AssetEvidence(None, HOST, options.retries + 1, None)
    assert "flaky: connection refused at 127.0.0.1 after 4 attempts" in (
        asset_problems([result])[0].message
    )


@pytest.mark.parametrize(
    ("code", "health", "said"),
    [
        (socket.EAI_NONAME, AssetHealth.DEAD, "the link is dead: host gone.test does not resolve"),
        (socket.EAI_AGAIN, AssetHealth.FLAKY, "flaky: DNS lookup failed at gone.test after 1"),
    ],
    ids=["NXDOMAIN", "temporary failure"],
)
def test_dns(options: AssetOptions, code: int, health: AssetHealth, said: str) -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise socket.gaierror(code, "stub")

    result = one(dataclasses.replace(options, resolver=resolver), "https://gone.test/a.bin")
    assert (result.status, result.health) == (AssetStatus.UNREACHABLE, health)
    assert result.evidence == AssetEvidence(None, "gone.test", 1, None)
    assert said in asset_problems([result])[0].message


def test_a_name_without_addresses_is_dead(options: AssetOptions) -> None:
    result = one(dataclasses.replace(options, resolver=lambda h, p: []), "https://gone.test/a")
    assert result.health is AssetHealth.DEAD


@pytest.fixture
def hosts(options: AssetOptions) -> AssetOptions:
    """``options`` resolving old.test, new.test and cdn.test to the loopback server."""
    return dataclasses.replace(options, resolver=lambda host, port: ["127.0.0.1"])


def url(server: AssetServer, host: str, path: str) -> str:
    return server.url(path, host=host)


def test_a_permanent_redirect_to_another_host_is_moved(
    server: AssetServer, hosts: AssetOptions
) -> None:
    new = url(server, "new.test", "/new.bin")
    server.route("/old.bin", location=new, status=301)
    server.route("/new.bin", body=BODY)
    result = one(hosts, url(server, "old.test", "/old.bin"))
    assert (result.status, result.health) == (AssetStatus.VERIFIED, AssetHealth.MOVED)
    assert result.evidence == AssetEvidence(200, "new.test", 1, new)
    assert asset_problems([result]) == []  # verified: the run passes


@pytest.mark.parametrize(
    ("chain", "moved"),
    [
        ([("old.test", 308), ("new.test", 0)], "new.test"),
        ([("old.test", 301), ("new.test", 302), ("cdn.test", 0)], "new.test"),  # signed CDN URL
        ([("old.test", 302), ("new.test", 301), ("cdn.test", 0)], None),  # the link is right
        ([("old.test", 307), ("new.test", 0)], None),
        ([("old.test", 301), ("old.test", 0)], None),  # same host, another path
    ],
    ids=["308", "301 then 302", "302 then 301", "307", "same host"],
)
def test_only_leading_permanent_redirects_to_another_host_move_a_link(
    server: AssetServer, hosts: AssetOptions, chain: list[tuple[str, int]], moved: str | None
) -> None:
    links = [url(server, host, f"/hop{index}.bin") for index, (host, _) in enumerate(chain)]
    for index, (_, status) in enumerate(chain):
        if status:
            server.route(f"/hop{index}.bin", location=links[index + 1], status=status)
        else:
            server.route(f"/hop{index}.bin", body=BODY)
    result = one(hosts, links[0])
    assert result.status is AssetStatus.VERIFIED
    expected = next((link for link in links if moved and f"//{moved}:" in link), None)
    assert result.evidence.moved_to == expected
    assert result.health is (AssetHealth.MOVED if moved else AssetHealth.VERIFIED)


@pytest.mark.parametrize(
    ("target", "status", "health"),
    [
        ({"always_status": 404}, AssetStatus.UNREACHABLE, AssetHealth.DEAD),
        ({"body": b"not the asset"}, AssetStatus.MISMATCH, AssetHealth.MISMATCH),
    ],
    ids=["moved then 404", "moved, other bytes"],
)
def test_a_moved_link_that_fails_keeps_its_failure_and_says_where_it_went(
    server: AssetServer,
    hosts: AssetOptions,
    target: dict[str, Any],
    status: AssetStatus,
    health: AssetHealth,
) -> None:
    new = url(server, "new.test", "/new.bin")
    server.route("/old.bin", location=new, status=301)
    server.route("/new.bin", **target)
    result = one(hosts, url(server, "old.test", "/old.bin"))
    assert (result.status, result.health) == (status, health)
    assert result.evidence.moved_to == new and result.evidence.host == "new.test"


def test_moved_to_is_redacted(server: AssetServer, hosts: AssetOptions) -> None:
    new = url(server, "new.test", "/new.bin?token=s3cr3t")
    server.route("/old.bin", location=new, status=301)
    server.route("/new.bin", body=BODY)
    result = one(hosts, url(server, "old.test", "/old.bin"))
    assert result.health is AssetHealth.MOVED
    assert "s3cr3t" not in (result.evidence.moved_to or "") and "token=" in (
        result.evidence.moved_to or ""
    )


def test_parts_count_their_retries(server: AssetServer, parallel: AssetOptions) -> None:
    server.route("/a.bin", body=BODY, part_fault="status", fault_start=2 * PART_SIZE, fault_times=2)
    result = one(parallel, server.url("/a.bin"))
    assert (result.status, result.health) == (AssetStatus.VERIFIED, AssetHealth.VERIFIED)
    assert result.evidence == AssetEvidence(206, HOST, 3, None)


def test_a_part_that_is_gone_fails_the_asset_as_dead(
    server: AssetServer, parallel: AssetOptions
) -> None:
    route = server.route("/a.bin", body=BODY, part_fault="redirect", fault_start=PART_SIZE)
    route.fault_location = server.url("/gone.bin")  # not a route: 404
    result = one(parallel, server.url("/a.bin"))
    assert (result.status, result.health) == (AssetStatus.UNREACHABLE, AssetHealth.DEAD)
    assert result.evidence.http_status == 404


def test_skipped_and_offline_results_carry_untried_evidence(
    server: AssetServer, options: AssetOptions
) -> None:
    results = verify_assets(
        [ref(server.url("/a.bin"), expected="not-a-digest")], dataclasses.replace(options)
    )
    assert [(r.health, r.evidence) for r in results] == [
        (AssetHealth.SKIPPED, AssetEvidence(None, HOST, 0, None))
    ]
    assert server.seen == []
    offline = verify_assets([ref(server.url("/a.bin"))], dataclasses.replace(options, offline=True))
    assert offline[0].health is AssetHealth.SKIPPED and offline[0].evidence.attempts == 0


def test_a_cached_asset_is_verified_with_the_304_as_evidence(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY)
    first = one(options, server.url("/a.bin"))
    again = one(options, server.url("/a.bin"))
    assert first.status is AssetStatus.VERIFIED and again.status is AssetStatus.CACHED
    assert again.health is AssetHealth.VERIFIED
    assert again.evidence == AssetEvidence(304, HOST, 1, None)
