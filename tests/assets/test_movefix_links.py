"""--fix for moved assets rewrites only the link's characters, only for verified moves."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mdvalidator.assets.movefix import LinkFix, apply_moves
from mdvalidator.fixes import apply_fixes
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem, Report, Severity

SHA = hashlib.sha256(b"model").hexdigest()
OLD = "https://download.mindspore.cn/models/lenet.ckpt"
NEW = "https://download-mindspore.osinfra.cn/models/lenet.ckpt"


def card(link_line: str, eol: str = "\n") -> bytes:
    lines = [
        "# lenet",
        "",
        "---",
        "asset:",
        "  - file-format: ckpt",
        link_line,
        f"    asset-sha256: {SHA}",
        "---",
        f"body names {OLD} too",
    ]
    return eol.join(lines).encode("utf-8") + eol.encode()


def moved(path: Path, moved_to: str = NEW, line: int = 6) -> AssetResult:
    ref = AssetRef(str(path), line, OLD, SHA, 7)
    return AssetResult(ref, AssetStatus.UNREACHABLE, detail="moved", moved_to=moved_to)


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize(
    "line",
    [
        "    asset-link: {}",
        "    asset-link: <{}>",
        "    asset-link: < {} >",
        '    asset-link: "{}"  # moved in 2023',
        "    asset-link: '<{}>'",
        "    asset-link:   {}   # trailing",
        "  - asset-link: {}",
        "    asset-link\uff1a{}",
    ],
)
def test_only_the_link_changes(tmp_path: Path, line: str, eol: str) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(line.format(OLD), eol))
    [outcome] = apply_moves([moved(path)])
    assert outcome == LinkFix(str(path), 6, OLD, NEW)
    assert path.read_bytes() == card(line.format(NEW), eol)


def test_a_line_that_no_longer_holds_the_link_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    for text in (f"    asset-link: {OLD}x", f"    asset-link: {OLD[:-1]}", f"    other: {OLD}"):
        path.write_bytes(card(text))
        [outcome] = apply_moves([moved(path)])
        assert not outcome.fixed and "not fixed" in str(outcome)
        assert path.read_bytes() == card(text)


def test_unverified_or_unsafe_moves_are_not_written(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(f"    asset-link: {OLD}"))
    plain = AssetResult(AssetRef(str(path), 6, OLD, SHA, 7), AssetStatus.UNREACHABLE)
    assert apply_moves([plain]) == []
    [outcome] = apply_moves([moved(path, NEW + " #x")])
    assert not outcome.fixed
    assert path.read_bytes() == card(f"    asset-link: {OLD}")


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_bytes(card(f"    asset-link: {OLD}"))
    link = tmp_path / "lenet.md"
    os.symlink(real, link)
    [outcome] = apply_moves([moved(link)])
    assert not outcome.fixed and "symbolic link" in outcome.reason
    assert real.read_bytes() == card(f"    asset-link: {OLD}")


def test_fixers_report_mdv230_fixed_and_the_asset_verified(tmp_path: Path) -> None:
    path = tmp_path / "lenet.md"
    path.write_bytes(card(f"    asset-link: {OLD}"))
    problem = Problem(str(path), 6, 1, "MDV231", "asset-moved", Severity.ERROR, "moved: ...")
    report = Report(1, (problem,), (moved(path),))
    assert report.failed()
    after, lines = apply_fixes(report)
    assert lines == [
        f"{path}:6: fixed MDV231 asset-moved (asset-link set to {NEW})",
        "Fixed 1 problem (0 remaining).",
    ]
    [asset] = after.assets
    assert (asset.ref.url, asset.status, asset.moved_to) == (NEW, AssetStatus.VERIFIED, "")
    assert not after.failed()
