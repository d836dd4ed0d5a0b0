"""Attack class: a server that lies to a multi-connection download (issue 12, point 1).

A card's asset is downloaded in 4 MiB parts over several connections (the default
``--connections 8``); a hostile or broken server answers one part wrongly: it cuts it, answers
the range with the whole file, lies in Content-Range or Content-Length, sends more than the
range, changes the file (its ETag) between parts, or redirects one part to a private address.

Each row runs the real CLI against the loopback server twice: once with the card claiming the
digest of the whole file as served, once claiming the digest a client would get by splicing
the faulty answer in. Never a false pass: the spliced digest is never the one reported, its card
fails; the honest card passes when the server serves the whole file honestly in the end (the
parts were checked, or the download fell back to one stream), and a blocked hop fails.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sec_support_assets import Lab, lab_for

PART = 4 * 1024 * 1024  # the part size of the command line
SIZE = 2 * PART + 1000  # three parts, the last one short
AT = PART  # the faulty part: the second


def sha(*pieces: bytes | memoryview) -> str:
    """The sha256 of the pieces one after the other (memoryviews: no copies of the bodies)."""
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()


@dataclass(frozen=True)
class Files:
    """The file as it is (``body``) and after it changed (``new``); each starts like a
    checkpoint (a protobuf field key), so no format warning. Made per test module, not kept
    for the whole session."""

    body: bytes
    new: bytes

    def splice(self, piece: slice) -> str:
        """The digest of the file with the faulty part replaced by ``body[piece]``."""
        b = memoryview(self.body)
        return sha(b[:AT], b[piece], b[AT + PART :])


@pytest.fixture(scope="module")
def files() -> Files:
    return Files(
        b"\x0a" + random.Random(21).randbytes(SIZE - 1),
        b"\x0a" + random.Random(22).randbytes(SIZE - 1),
    )


@dataclass(frozen=True)
class Row:
    name: str
    route: dict[str, Any]
    # What trusting the faulty answer would have hashed (its digest), if anything.
    spliced: Callable[[Files], str] | None
    changed: bool = False  # the server serves ``new`` in the end
    args: tuple[str, ...] = ()
    blocked: bool = False


def cut(f: Files) -> str:
    return f.splice(slice(AT, AT + 1000))


def old_then_new(f: Files) -> str:
    return sha(memoryview(f.body)[:PART], memoryview(f.new)[PART:])


PRIVATE = ("--allow-networks", "127.0.0.0/8")
ROWS = [
    Row("part cut mid-stream", {"part_fault": "cut", "drop_at": 1000}, cut),
    Row("part cut by a TCP reset", {"part_fault": "cut", "drop_at": 1000, "reset": True}, cut),
    Row("200 with the whole file to one range", {"part_fault": "whole"},
        lambda f: f.splice(slice(0, PART))),
    Row("200 to every range", {"ignore_range": True}, None),
    Row("Content-Range starts later than asked", {"part_fault": "start"},
        lambda f: f.splice(slice(AT + 1, AT + PART))),
    Row("Content-Range ends earlier than asked", {"part_fault": "end"},
        lambda f: f.splice(slice(AT, AT + PART - 1))),
    Row("Content-Range names another total", {"part_fault": "total"}, None),
    Row("Content-Length longer than the range", {"part_fault": "length"}, None),
    Row("more bytes than the range (chunked)", {"part_fault": "extra"},
        lambda f: f.splice(slice(AT, AT + PART + 1000))),
    Row("another ETag on one part", {"part_fault": "etag"}, None),
    Row("file changed between parts, If-Range honoured", {}, old_then_new, changed=True),
    Row("file changed between parts, If-Range ignored", {"ignore_if_range": True}, old_then_new,
        changed=True),
    Row("a 503 on one part", {"part_fault": "status"}, None),
    Row("one part redirected to the metadata address",
        {"part_fault": "redirect", "fault_location": "http://169.254.169.254/latest/meta-data/"},
        None, args=PRIVATE, blocked=True),
    Row("one part redirected to a private address",
        {"part_fault": "redirect", "fault_location": "http://10.0.0.1/a.ckpt"},
        None, args=PRIVATE, blocked=True),
]  # fmt: skip


@pytest.fixture
def lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Lab]:
    with lab_for(tmp_path, monkeypatch, capsys) as running:
        yield running


def serve(lab: Lab, row: Row, files: Files) -> str:
    route = dict(row.route)
    if row.changed:
        route["versions"] = [files.body, files.new]
    else:
        route["body"] = files.body
    if "part_fault" in route:
        route["fault_start"] = AT
    lab.server.route("/a.ckpt", **route)
    return lab.url("/a.ckpt")


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_a_lying_server_never_gets_a_false_pass(lab: Lab, files: Files, row: Row) -> None:
    served = files.new if row.changed else files.body
    spliced = row.spliced(files) if row.spliced is not None else None
    claims = [sha(served)] + ([spliced] if spliced is not None else [])
    if row.changed:
        claims.append(sha(files.body))  # the card of the file as it was when the download began
    for claim in claims:
        lab.server.seen.clear()
        lab.card([(serve(lab, row, files), claim)])
        verdict = lab.check(*row.args, "--no-cache", private=not row.blocked)
        [asset] = verdict.report["assets"]
        asked = [str(s.headers.get("Range")) for s in lab.server.seen]
        if not row.route.get("ignore_range"):  # the parts path ran, the faulty part was asked
            assert any(r.startswith(f"bytes={AT}-") for r in asked), asked
        assert spliced is None or asset["actual"] != spliced
        if row.blocked:
            assert (verdict.code, verdict.status, asset["status"]) == (1, "fail", "blocked")
            assert verdict.rules == ["MDV203"] and asset["actual"] is None
            assert None not in [s.headers.get("Range") for s in lab.server.seen]  # no retry
        elif claim == sha(served):
            assert (verdict.code, verdict.status, asset["status"]) == (0, "pass", "verified")
            assert asset["actual"] == claim and asset["bytes"] == len(served)
        else:
            assert (verdict.code, verdict.status, asset["status"]) == (1, "fail", "mismatch")
            assert asset["actual"] == sha(served)
            assert verdict.rules == ["MDV201"]


def test_the_parts_really_are_fetched_over_several_connections(lab: Lab, files: Files) -> None:
    lab.server.route("/a.ckpt", body=files.body, pace=0.001)
    lab.card([(lab.url("/a.ckpt"), sha(files.body))])
    verdict = lab.check("--no-cache")
    assert (verdict.code, verdict.asset_statuses) == (0, ["verified"])
    ranges = sorted(str(s.headers.get("Range")) for s in lab.server.seen)
    assert ranges == sorted(
        f"bytes={start}-{min(start + PART, SIZE) - 1}" for start in range(0, SIZE, PART)
    )
    assert lab.server.max_active >= 2
    one = lab.check("--no-cache", "--connections", "1")
    assert one.asset_statuses == ["verified"]
    assert lab.server.seen[-1].headers.get("Range") is None
