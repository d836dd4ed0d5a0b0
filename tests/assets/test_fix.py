"""--fix rewrites only the digest's characters; every other byte, CRLF included, is kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mdvalidator.assets.fix import apply_fixes
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus

NEW = hashlib.sha256(b"new").hexdigest()
OLD = hashlib.sha256(b"old").hexdigest()


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
    ref = AssetRef(str(path), line, "https://download.example/lenet.ckpt", expected, sha_line)
    return AssetResult(ref, AssetStatus.MISMATCH, actual=NEW, bytes=3)


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_replaces_only_the_digest(tmp_path: Path, eol: str) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(CARD, eol))
    messages = apply_fixes([mismatch(path, 10)])
    expected = card([*CARD[:9], f"    asset-sha256: {NEW}", *CARD[10:]], eol)
    assert path.read_bytes() == expected
    assert messages == [f"{path}:10: asset-sha256 set to {NEW} (was {OLD})"]


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
    ref = AssetRef(str(path), 9, "https://x/y", bad.strip("'"), 10)
    result = AssetResult(ref, AssetStatus.SKIPPED, actual=NEW, bytes=3)
    apply_fixes([result])
    fixed_line = f"    asset-sha256: {NEW}" if bad != "''" else f"    asset-sha256: '{NEW}'"
    assert path.read_bytes() == card([*CARD[:9], fixed_line, *CARD[10:]], "\r\n")


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_missing_digest_line_is_inserted_after_the_link(tmp_path: Path, eol: str) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card([*CARD[:9], *CARD[10:]], eol))
    ref = AssetRef(str(path), 9, "https://x/y", "", 9)
    messages = apply_fixes([AssetResult(ref, AssetStatus.SKIPPED, actual=NEW, bytes=3)])
    assert path.read_bytes() == card([*CARD[:9], f"    asset-sha256: {NEW}", *CARD[10:]], eol)
    assert messages == [f"{path}:10: asset-sha256 set to {NEW} (was missing)"]


def test_changed_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    other = hashlib.sha256(b"someone edited it").hexdigest()
    original = card([*CARD[:9], f"    asset-sha256: {other}", *CARD[10:]])
    path.write_bytes(original)
    [message] = apply_fixes([mismatch(path, 10)])
    assert "not fixed" in message
    assert path.read_bytes() == original


def test_other_statuses_are_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(CARD))
    ref = AssetRef(str(path), 9, "https://x/y", OLD, 10)
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
    apply_fixes([mismatch(path, 10), mismatch(path, 14, line=13)])
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
