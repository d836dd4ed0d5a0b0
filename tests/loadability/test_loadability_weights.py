"""The asset mindspore_hub.load takes as weights, and the suffixes its downloader keeps."""

from __future__ import annotations

import pytest

from mdvalidator.loadability import codes as C
from mdvalidator.loadability.card_values import from_plain
from mdvalidator.loadability.findings import card_findings
from mdvalidator.loadability.weights import (
    AssetValue,
    downloader_suffix,
    loader_choice,
    suffix_accepted,
)


def assets(*formats: str) -> tuple[AssetValue, ...]:
    return tuple(
        AssetValue(i, fmt, f"https://h/m{i}.{fmt.lower()}", 10 + 4 * i)
        for i, fmt in enumerate(formats)
    )


@pytest.mark.parametrize(
    ("formats", "index", "is_ckpt"),
    [
        (("ckpt",), 0, True),
        (("ckpt", "ckpt"), 1, True),  # the LAST ckpt
        (("ckpt", "mindir", "ckpt", "air"), 2, True),
        (("mindir", "CKPT"), 1, True),  # any case
        (("Ckpt", "mindir"), 0, True),
        (("mindir", "air"), 0, False),  # none: the first
        (("onnx",), 0, False),
        ((" ckpt",), 0, False),  # compared exactly, after lower()
    ],
)
def test_loader_choice(formats: tuple[str, ...], index: int, is_ckpt: bool) -> None:
    choice = loader_choice(assets(*formats))
    assert choice is not None
    assert (choice.asset.index, choice.is_ckpt) == (index, is_ckpt)


def test_no_assets_no_choice() -> None:
    assert loader_choice(()) is None


@pytest.mark.parametrize(
    ("link", "suffix", "accepted"),
    [
        ("https://h/a/resnet.ckpt", ".ckpt", True),
        ("<https://h/a/resnet.ckpt>", ".ckpt", True),
        ("https://h/a/resnet.air", ".air", True),
        ("https://h/a/resnet.onnx", ".onnx", True),
        ("https://h/a/resnet.CKPT", ".CKPT", False),  # case-sensitive
        ("https://h/a/resnet.ckpt?download=true", ".ckpt?download=true", False),
        ("https://h/a/resnet.mindir", ".mindir", False),
        ("https://h/a/resnet.ms", ".ms", False),
        ("https://h/a/resnet", "", False),
        ("https://h/a/.ckpt", "", False),  # a leading dot is not a suffix
        ("https://h/a.ckpt/", "", False),
        ("https://h/a/model.tar.ckpt", ".ckpt", True),
    ],
)
def test_downloader_suffix(link: str, suffix: str, accepted: bool) -> None:
    assert downloader_suffix(link) == suffix
    assert suffix_accepted(link) is accepted


def card(items: list[dict[str, str]]) -> list[tuple[str, str, int]]:
    lines = {"asset": 30}
    for i in range(len(items)):
        lines[f"asset[{i}]"] = 31 + 4 * i
        lines[f"asset[{i}].asset-link"] = 32 + 4 * i
    values = from_plain({"asset": items}, lines)
    return [(f.name, f.severity.label, f.line) for f in card_findings(values)]


def test_no_ckpt_asset_warns_naming_the_asset_taken() -> None:
    values = from_plain(
        {"asset": [{"file-format": "mindir", "asset-link": "https://h/m.mindir"}]},
        {"asset[0]": 31},
    )
    (finding,) = card_findings(values)
    assert finding.check is C.WEIGHTS_CHOICE
    assert finding.line == 31
    assert "takes asset 1 (file-format 'mindir')" in finding.message
    assert "load_checkpoint" in finding.message
    assert "deletes a file with suffix '.mindir'" in finding.message


def test_no_ckpt_air_asset_is_kept_by_the_downloader() -> None:
    values = from_plain({"asset": [{"file-format": "air", "asset-link": "https://h/m.air"}]})
    (finding,) = card_findings(values)
    assert finding.check is C.WEIGHTS_CHOICE
    assert "suffix" not in finding.message


def test_ckpt_with_refused_suffix_warns_at_its_link() -> None:
    items = [
        {"file-format": "ckpt", "asset-link": "https://h/a.ckpt"},
        {"file-format": "ckpt", "asset-link": "<https://h/b.ckpt?raw=true>"},
    ]
    assert card(items) == [("loader-weights-suffix", "warning", 36)]


def test_only_the_picked_ckpt_is_judged() -> None:
    items = [
        {"file-format": "ckpt", "asset-link": "https://h/a.CKPT"},  # never downloaded
        {"file-format": "ckpt", "asset-link": "https://h/b.ckpt"},
    ]
    assert card(items) == []


def test_good_and_empty_cards_say_nothing() -> None:
    assert card([{"file-format": "ckpt", "asset-link": "https://h/a.ckpt"}]) == []
    assert card([]) == []
    assert card_findings(from_plain({})) == []
