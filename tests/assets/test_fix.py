"""--fix rewrites only the digest's characters; every other byte, CRLF included, is kept; it
writes only verified facts, at lines that still hold the asset, and keeps the file's identity."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mdvalidator.assets.fix import FixOutcome, apply_fixes
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus

NEW = hashlib.sha256(b"new").hexdigest()
OLD = hashlib.sha256(b"old").hexdigest()
URL = "https://download.example/lenet.ckpt"


def card(lines: list[str], eol: str = "\n") -> bytes:
    return eol.join(lines).encode("utf-8") + eol.encode()


CARD = [
    "# lenet",
    "",
    "---",
    "model-name: lenet",
    "",
    "asset:",
    "  -",
    "    file-format: ckpt",
    "    asset-link: <https://download.example/lenet.ckpt>",
    f"    asset-sha256: {OLD}",
    "",
    "---",
    "",
    "body with asset-sha256: " + OLD,
]


def mismatch(path: Path, sha_line: int, expected: str = OLD, line: int = 9) -> AssetResult:
    ref = AssetRef(str(path), line, URL, expected, sha_line)
    return AssetResult(ref, AssetStatus.MISMATCH, actual=NEW, bytes=3)


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_replaces_only_the_digest(tmp_path: Path, eol: str) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(CARD, eol))
    outcomes = apply_fixes([mismatch(path, 10)])
    expected = card([*CARD[:9], f"    asset-sha256: {NEW}", *CARD[10:]], eol)
    assert path.read_bytes() == expected
    assert [str(o) for o in outcomes] == [f"{path}:10: asset-sha256 set to {NEW} (was {OLD})"]
    assert outcomes == [FixOutcome(str(path), 10, "MDV201", OLD, NEW, asset_line=9)]


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        (f'    asset-sha256: "{OLD}"', f'    asset-sha256: "{NEW}"'),
        (f"    asset-sha256: '{OLD}'  # checked", f"    asset-sha256: '{NEW}'  # checked"),
        (f"    asset-sha256:   {OLD}   ", f"    asset-sha256:   {NEW}   "),
        (f"  - asset-sha256: {OLD}", f"  - asset-sha256: {NEW}"),
        (f"    asset-sha256\uff1a{OLD}", f"    asset-sha256\uff1a{NEW}"),
        (f"    asset-sha256: {OLD.upper()}", f"    asset-sha256: {NEW}"),
    ],
)
def test_keeps_quotes_spacing_and_comments(tmp_path: Path, line: str, fixed: str) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card([*CARD[:9], line, *CARD[10:]]))
    apply_fixes([mismatch(path, 10)])
    assert path.read_bytes() == card([*CARD[:9], fixed, *CARD[10:]])


@pytest.mark.parametrize("bad", ["1234abcd", "", "''"])
def test_malformed_digest_computed_for_fix(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card([*CARD[:9], f"    asset-sha256: {bad}", *CARD[10:]], "\r\n"))
    ref = AssetRef(str(path), 9, URL, bad.strip("'"), 10)
    result = AssetResult(ref, AssetStatus.SKIPPED, actual=NEW, bytes=3)
    apply_fixes([result])
    fixed_line = f"    asset-sha256: {NEW}" if bad != "''" else f"    asset-sha256: '{NEW}'"
    assert path.read_bytes() == card([*CARD[:9], fixed_line, *CARD[10:]], "\r\n")


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_missing_digest_line_is_inserted_after_the_link(tmp_path: Path, eol: str) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card([*CARD[:9], *CARD[10:]], eol))
    ref = AssetRef(str(path), 9, URL, "", 9)
    [outcome] = apply_fixes([AssetResult(ref, AssetStatus.SKIPPED, actual=NEW, bytes=3)])
    assert path.read_bytes() == card([*CARD[:9], f"    asset-sha256: {NEW}", *CARD[10:]], eol)
    assert str(outcome) == f"{path}:10: asset-sha256 set to {NEW} (was missing)"
    assert (outcome.rule, outcome.line, outcome.inserted) == ("MDV121", 9, True)


def test_changed_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    other = hashlib.sha256(b"someone edited it").hexdigest()
    original = card([*CARD[:9], f"    asset-sha256: {other}", *CARD[10:]])
    path.write_bytes(original)
    [outcome] = apply_fixes([mismatch(path, 10)])
    assert "not fixed" in str(outcome) and not outcome.fixed
    assert path.read_bytes() == original


def test_other_statuses_are_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(CARD))
    ref = AssetRef(str(path), 9, URL, OLD, 10)
    results = [
        AssetResult(ref, AssetStatus.VERIFIED, actual=OLD),
        AssetResult(ref, AssetStatus.UNREACHABLE),
        AssetResult(ref, AssetStatus.SKIPPED, detail="offline"),
    ]
    assert apply_fixes(results) == []
    assert path.read_bytes() == card(CARD)


def test_two_assets_in_one_card_and_mode_kept(tmp_path: Path) -> None:
    second = [
        "  -",
        "    file-format: mindir",
        "    asset-link: https://download.example/lenet.mindir",
        f"    asset-sha256: {OLD}",
    ]
    lines = [*CARD[:10], *second, *CARD[10:]]
    path = tmp_path / "lenet.md"
    path.write_bytes(card(lines))
    path.chmod(0o640)
    second_ref = AssetRef(str(path), 13, "https://download.example/lenet.mindir", OLD, 14)
    apply_fixes([mismatch(path, 10), AssetResult(second_ref, AssetStatus.MISMATCH, actual=NEW)])
    fixed = [
        *CARD[:9],
        f"    asset-sha256: {NEW}",
        *second[:3],
        f"    asset-sha256: {NEW}",
        *CARD[10:],
    ]
    assert path.read_bytes() == card(fixed)
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet.md"]


@pytest.mark.parametrize(
    ("empty", "filled"),
    [
        ("    asset-sha256:", f"    asset-sha256: {NEW}"),
        ("    asset-sha256: ", f"    asset-sha256: {NEW}"),
        ("    asset-sha256:   # todo", f"    asset-sha256:   {NEW} # todo"),
        ("    asset-sha256: ''", f"    asset-sha256: '{NEW}'"),
    ],
)
def test_an_empty_digest_is_filled_in_place(tmp_path: Path, empty: str, filled: str) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card([*CARD[:9], empty, *CARD[10:]], "\r\n"))
    ref = AssetRef(str(path), 9, URL, "", 10)
    [outcome] = apply_fixes([AssetResult(ref, AssetStatus.SKIPPED, actual=NEW)])
    assert path.read_bytes() == card([*CARD[:9], filled, *CARD[10:]], "\r\n")
    assert str(outcome) == f"{path}:10: asset-sha256 set to {NEW} (was empty)"
    assert (outcome.rule, outcome.line) == ("MDV121", 10)


def test_a_digest_of_a_body_without_a_length_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(CARD))
    ref = AssetRef(str(path), 9, URL, OLD, 10)
    result = AssetResult(ref, AssetStatus.MISMATCH, actual=NEW, delimited=False)
    [outcome] = apply_fixes([result])
    assert not outcome.fixed and "cut-short" in outcome.reason
    assert path.read_bytes() == card(CARD)


def test_the_line_must_still_hold_the_assets_link(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(CARD))
    ref = AssetRef(str(path), 9, "https://download.example/other.ckpt", OLD, 10)
    [outcome] = apply_fixes([AssetResult(ref, AssetStatus.MISMATCH, actual=NEW)])
    assert not outcome.fixed and "does not hold this asset's link" in outcome.reason
    assert path.read_bytes() == card(CARD)


def test_a_read_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(CARD))
    path.chmod(0o444)
    [outcome] = apply_fixes([mismatch(path, 10)])
    assert not outcome.fixed and "read-only" in outcome.reason
    assert path.read_bytes() == card(CARD) and path.stat().st_mode & 0o777 == 0o444


def test_links_are_refused_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_bytes(card(CARD))
    link = tmp_path / "lenet.md"
    link.symlink_to(real)
    [outcome] = apply_fixes([mismatch(link, 10)])
    assert not outcome.fixed and "symbolic link" in outcome.reason
    assert link.is_symlink() and real.read_bytes() == card(CARD)
    hard = tmp_path / "hard.md"
    os.link(real, hard)
    [outcome] = apply_fixes([mismatch(hard, 10)])
    assert not outcome.fixed and "hard links" in outcome.reason
    assert real.read_bytes() == card(CARD)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_owner_and_group_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(CARD))
    os.chown(path, 1234, 5678)
    path.chmod(0o664)
    [outcome] = apply_fixes([mismatch(path, 10)])
    assert outcome.fixed
    info = path.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (1234, 5678, 0o664)
