"""Attack class: ``--fix`` writes only verified facts, and keeps the file's identity
(issue 9, point 7; the line check of point 6).

Each row runs the real ``mdvalidator check --fix`` on a card against the loopback server and
asserts what is on disk afterwards: the card's bytes, mode and owner, and the line the CLI
prints for each edit. Refusals leave every byte alone; accepted fixes make the next run pass.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sec_support_assets import Lab, lab_for

GOOD = b"\x0a\x05lenet" + bytes(range(256)) * 40
GOOD_SHA = hashlib.sha256(GOOD).hexdigest()
WRONG_SHA = hashlib.sha256(b"what the card claimed").hexdigest()


@pytest.fixture
def lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Lab]:
    with lab_for(tmp_path, monkeypatch, capsys) as running:
        yield running


def serve(lab: Lab, **route: object) -> str:
    lab.server.route("/m.ckpt", body=GOOD, **route)
    return lab.url("/m.ckpt")


def close_delimited(lab: Lab) -> Path:
    return lab.card([(serve(lab, close_delimited=True), WRONG_SHA)])


def truncated_close_delimited(lab: Lab) -> Path:
    # The connection closes after 1,000 bytes and nothing says the body was longer.
    return lab.card([(serve(lab, close_delimited=True, drops=1, drop_at=1000), WRONG_SHA)])


def read_only(lab: Lab) -> Path:
    card = lab.card([(serve(lab), WRONG_SHA)])
    card.chmod(0o444)
    return card


def symbolic_link(lab: Lab) -> Path:
    card = lab.card([(serve(lab), WRONG_SHA)])
    real = card.with_name("real.txt")
    card.rename(real)
    card.symlink_to(real.name)
    return card


def hard_link(lab: Lab) -> Path:
    card = lab.card([(serve(lab), WRONG_SHA)])
    os.link(card, lab.root / "elsewhere.md")
    return card


# (name, setup returning the card, words of the "not fixed" line)
REFUSED: list[tuple[str, Callable[[Lab], Path], str]] = [
    ("close-delimited body", close_delimited, "no end of the download"),
    ("truncated close-delimited body", truncated_close_delimited, "no end of the download"),
    ("read-only card", read_only, "read-only"),
    ("hard link", hard_link, "hard links"),
]


@pytest.mark.parametrize(("setup", "words"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_fix_refuses_and_leaves_every_byte(
    lab: Lab, setup: Callable[[Lab], Path], words: str
) -> None:
    card = setup(lab)
    before, mode = card.read_bytes(), os.lstat(card).st_mode
    verdict = lab.check("--fix", str(card))
    assert verdict.code == 1 and verdict.asset_statuses == ["mismatch"]
    assert "not fixed" in verdict.stderr and words in verdict.stderr
    assert "asset-sha256 set to" not in verdict.stderr
    assert card.read_bytes() == before and os.lstat(card).st_mode == mode
    assert sorted(p.name for p in card.parent.iterdir() if p.name.startswith(".")) == []


def test_a_symbolic_link_is_neither_verified_nor_rewritten(lab: Lab) -> None:
    card = symbolic_link(lab)
    target = card.resolve()
    before = target.read_bytes()
    verdict = lab.check("--fix", str(card))
    assert verdict.code == 1 and verdict.asset_statuses == [] and lab.server.seen == []
    assert card.is_symlink() and target.read_bytes() == before  # fix.py refuses links too


def test_a_truncated_download_yields_a_digest_that_is_not_the_files(lab: Lab) -> None:
    truncated_close_delimited(lab)
    [asset] = lab.check().report["assets"]
    assert asset["actual"] == hashlib.sha256(GOOD[:1000]).hexdigest() != GOOD_SHA
    assert asset["bytes"] == 1000  # this is why such a digest is never written


def refixed(lab: Lab, card: Path) -> str:
    fixed = lab.check("--fix")
    assert "not fixed" not in fixed.stderr, fixed.stderr
    again = lab.check()
    assert (again.code, again.status) == (0, "pass"), again.report
    assert again.asset_statuses == ["cached"]  # the digest --fix wrote is the one remembered
    return card.read_text("utf-8")


def test_a_chunked_body_is_a_fact(lab: Lab) -> None:
    card = lab.card([(serve(lab, chunked=True), WRONG_SHA)])
    text = refixed(lab, card)
    assert text == card.read_text("utf-8") and f"    asset-sha256: {GOOD_SHA}\n" in text


@pytest.mark.parametrize("empty", ["", "''", "  # to do"])
def test_an_empty_digest_is_filled_in_place(lab: Lab, empty: str) -> None:
    card = lab.card([(serve(lab), empty)])
    before = card.read_text("utf-8")
    text = refixed(lab, card)
    header = text.split("\n---\n")[1]
    assert header.count("asset-sha256") == 1  # no second key (MDV005 before the fix)
    filled = {"": GOOD_SHA, "''": f"'{GOOD_SHA}'", "  # to do": f"  {GOOD_SHA} # to do"}[empty]
    assert text == before.replace(f"asset-sha256: {empty}".rstrip(), f"asset-sha256: {filled}")


def test_a_missing_digest_is_added_under_the_link(lab: Lab) -> None:
    url = serve(lab)
    card = lab.card([(url, None)])
    text = refixed(lab, card)
    assert f"    asset-link: {url}\n    asset-sha256: {GOOD_SHA}\n" in text


def test_fix_reuses_the_digest_it_already_computed(lab: Lab) -> None:
    route = lab.server.route("/m.ckpt", body=GOOD)
    lab.card([(lab.url("/m.ckpt"), WRONG_SHA)])
    assert lab.check().asset_statuses == ["mismatch"]
    sent = route.sent
    fixed = lab.check("--fix")
    assert "asset-sha256 set to" in fixed.stderr
    assert route.sent == sent  # --fix downloaded nothing: the server said "unchanged"


def test_mode_is_kept(lab: Lab) -> None:
    card = lab.card([(serve(lab), WRONG_SHA)])
    card.chmod(0o640)
    refixed(lab, card)
    assert card.stat().st_mode & 0o7777 == 0o640


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_owner_and_group_are_kept(lab: Lab) -> None:
    card = lab.card([(serve(lab), WRONG_SHA)])
    os.chown(card, 4321, 8765)
    refixed(lab, card)
    assert (card.stat().st_uid, card.stat().st_gid) == (4321, 8765)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_a_digest_never_lands_on_another_assets_line(lab: Lab, separator: str) -> None:
    # libyaml counts these as line breaks; four of them shift every later line by exactly one
    # asset item, so a miscounted line would name the next asset's digest line, which holds the
    # same (copy-pasted) wrong digest.
    first, second = b"\x0a\x01first" * 50, b"\x0a\x02second" * 50
    lab.server.route("/first.ckpt", body=first)
    lab.server.route("/second.ckpt", body=second)
    author = f'author: "Mind{separator}Spore{separator}te{separator}a{separator}m"'
    card = lab.card(
        [(lab.url("/first.ckpt"), WRONG_SHA), (lab.url("/second.ckpt"), WRONG_SHA)],
        replace={"author: MindSpore team": author},
    )
    verdict = lab.check("--fix")
    lines = card.read_text("utf-8").split("\n")
    digests = [line.split(":", 1)[1].strip() for line in lines if "asset-sha256:" in line]
    real = [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]
    # Each asset's line holds its old value or its own digest: never the other asset's.
    assert len(digests) == 2
    assert digests[0] in (WRONG_SHA, real[0]) and digests[1] in (WRONG_SHA, real[1])
    # An asset is reported verified (fixed, ruff style) exactly when its own digest was written.
    expected = ["mismatch" if d == WRONG_SHA else "verified" for d in digests]
    assert verdict.asset_statuses == expected
    for digest, line in zip(digests, ("first", "second"), strict=True):
        if digest == WRONG_SHA:  # refused: the CLI said why
            assert "not fixed" in verdict.stderr, line
