"""Issue 12 point 3: a mismatch names what the link served instead (MDV230), never a pass.

Each kind is served by the loopback server and verified for real; the bytes the sniffer sees
are the ones kept while the download streamed (one request per asset, counted).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mdvalidator.assets.fix import apply_fixes
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.served import served_instead
from mdvalidator.assets.verify import asset_problems, verify_assets
from mdvalidator.problem import AssetHealth, AssetRef, AssetStatus

if TYPE_CHECKING:
    from conftest import AssetServer

MODEL = b"\x0a\x20" + random.Random(30).randbytes(200_000)
DIGEST = hashlib.sha256(MODEL).hexdigest()
LFS_OF_MODEL = (
    f"version https://git-lfs.github.com/spec/v1\noid sha256:{DIGEST}\nsize {len(MODEL)}\n"
).encode()
LFS_OF_OTHER = (
    b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"7" * 64 + b"\nsize 1234\n"
)
HTML = (
    b"\n  <!DOCTYPE html>\n<html><head><title>Access  Denied</title></head><body>no</body></html>"
)
BIG_HTML = b"<html lang=en>" + b"<p>filler</p>" * 40_000  # larger than one part
JSON = b'{"code": "NoSuchKey", "message": "The specified key does not exist."}'
XML = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code></Error>'


def ref(url: str, fmt: str = "ckpt", expected: str = DIGEST) -> AssetRef:
    return AssetRef(
        path="card.md", line=10, url=url, expected=expected, sha_line=11, file_format=fmt
    )


# (id, body, a phrase the message must hold)
KINDS = [
    ("empty body", b"", "serves an empty body, not the asset"),
    ("LFS pointer of the model", LFS_OF_MODEL, "a Git LFS pointer (oid sha256:"),
    ("LFS pointer of another file", LFS_OF_OTHER, "not the file it points to"),
    ("HTML page", HTML, "an HTML page (titled 'Access Denied')"),
    ("HTML larger than a part", BIG_HTML, "an HTML page"),
    ("JSON error", JSON, "a JSON error body (message: 'The specified key does not exist.'"),
    ("XML error", XML, "an XML error document ('NoSuchKey')"),
]


@pytest.mark.parametrize("connections", [1, 4], ids=["one stream", "parts"])
@pytest.mark.parametrize(("body", "phrase"), [k[1:] for k in KINDS], ids=[k[0] for k in KINDS])
def test_each_kind_is_named_in_a_failing_mdv230(
    server: AssetServer, parallel: AssetOptions, body: bytes, phrase: str, connections: int
) -> None:
    server.route("/m.ckpt", body=body)
    options = dataclasses.replace(parallel, connections=connections)
    [result] = verify_assets([ref(server.url("/m.ckpt"))], options)
    assert (result.status, result.health) == (AssetStatus.MISMATCH, AssetHealth.MISMATCH)
    assert result.actual == hashlib.sha256(body).hexdigest()
    [problem] = asset_problems([result])  # no MDV201 beside it, no MDV206 format warning
    assert (problem.rule, problem.line) == ("MDV230", 10), problem
    assert phrase in problem.message and DIGEST in problem.message
    assert len([s for s in server.seen if s.method == "GET"]) >= 1
    if body is BIG_HTML and connections == 4:
        assert len(server.seen) > 2  # it did go in parts


def test_an_lfs_pointer_naming_the_cards_digest_says_the_card_is_right(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/m.ckpt", body=LFS_OF_MODEL)
    [result] = verify_assets([ref(server.url("/m.ckpt"))], options)
    [problem] = asset_problems([result])
    assert "the pointer names this asset-sha256, so the card is right" in problem.message
    assert "media.githubusercontent.com" in problem.message


def test_fix_does_not_write_a_placeholders_digest(
    server: AssetServer, options: AssetOptions, tmp_path: Path
) -> None:
    server.route("/m.ckpt", body=HTML)
    link = server.url("/m.ckpt")
    card = tmp_path / "card.md"
    before = f"---\nasset-link: {link}\nasset-sha256: {DIGEST}\n---\n".encode()
    card.write_bytes(before)
    placed = AssetRef(str(card), 2, link, DIGEST, 3, "ckpt")
    [result] = verify_assets([placed], dataclasses.replace(options, fix=True))
    [outcome] = apply_fixes([result])
    assert not outcome.fixed and outcome.rule == "MDV230"
    assert "serves an HTML page" in outcome.reason and "fix the link" in outcome.reason
    assert card.read_bytes() == before


@pytest.mark.parametrize(
    "body", [HTML, LFS_OF_OTHER, b"", JSON], ids=["html", "lfs", "empty", "json"]
)
def test_a_body_that_hashes_right_passes_whatever_it_looks_like(
    server: AssetServer, options: AssetOptions, body: bytes
) -> None:
    server.route("/m.ckpt", body=body)
    expected = hashlib.sha256(body).hexdigest()
    [result] = verify_assets([ref(server.url("/m.ckpt"), fmt="", expected=expected)], options)
    assert result.status is AssetStatus.VERIFIED and not result.served
    assert [p.rule for p in asset_problems([result])] == []


def test_other_wrong_bytes_stay_a_plain_mismatch(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/m.ckpt", body=MODEL[:-1])  # cut short by a byte: a model, not a placeholder
    [result] = verify_assets([ref(server.url("/m.ckpt"))], options)
    assert result.status is AssetStatus.MISMATCH and result.served == ""
    assert [p.rule for p in asset_problems([result])] == ["MDV201"]


def test_a_json_asset_is_not_called_an_error_body(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/vocab.json", body=JSON)
    [result] = verify_assets([ref(server.url("/vocab.json"), fmt="json")], options)
    assert result.status is AssetStatus.MISMATCH and result.served == ""
    assert "MDV201" in [p.rule for p in asset_problems([result])]


@pytest.mark.parametrize(
    ("head", "size", "found"),
    [
        (b"\xef\xbb\xbf<html>", 6, "an HTML page"),
        (b"<HTML\n>", 7, "an HTML page"),
        (b"<htmlx>", 7, ""),  # not an html tag
        (b"<!doctype xml>", 14, ""),
        (b'{"error": {"code": 404, "message": "Not Found"}}', 47, "error: 'Not Found'"),
        (b'{"weights": [1, 2]}', 19, ""),  # JSON, but no error's keys
        (b'{"message": "cut', 5000, ""),  # not all of it was kept: not judged
        (b"[1, 2]", 6, ""),
        (b"version https://git-lfs.github.com/spec/v1\n", 44, "a Git LFS pointer"),
        (b"version https://hawser.github.com/spec/v1\noid sha256:" + b"a" * 64, 120, "oid"),
        (b"version https://git-lfs.github.com/spec/v2\n", 44, ""),
        (b"\x00" * 10, 10, ""),
        (b"", 0, "an empty body"),
        (b"{" * 5000, 5000, ""),  # deep nesting in a short body: no crash
    ],
)
def test_served_instead_units(head: bytes, size: int, found: str) -> None:
    said = served_instead(head, size, DIGEST)
    assert (found in said) if found else said == "", said


def test_card_text_from_the_server_is_cleaned() -> None:
    hostile = "<html><title>\x1b[31mred\u202e\x07 ::error::x</title>".encode()
    said = served_instead(hostile, len(hostile), DIGEST)
    assert said.startswith("an HTML page (titled") and "red" in said
    assert not any(c in said for c in "\x1b\x07\u202e")
