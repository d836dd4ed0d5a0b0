"""Attack: a key given twice, so that mdvalidator verifies one value while YAML loaders (the
hub's, every ``yaml.safe_load``) use the other.

Defence: a duplicate key is an error (MDV005) and an asset item holding one, or a card whose
``asset`` key is repeated, gives no asset to verify: it is absent from the report's assets,
nothing is downloaded for it, and the run fails. Each row runs the real CLI online against a
loopback server serving the promised file at /good.ckpt and other bytes at /evil.ckpt.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sec_support_parse import (
    EVIL,
    EVIL_SHA,
    GOOD,
    GOOD_SHA,
    HEADER,
    card_text,
    check,
    file_server,
    write_card,
)

GOOD_LINK = "asset-link: {good}"
EVIL_LINK = "asset-link: {evil}"


def _asset(*lines: str) -> str:
    return "-\n" + "\n".join(f"    {line}" for line in lines)


ITEM = _asset("file-format: ckpt", GOOD_LINK, f"asset-sha256: {GOOD_SHA}")

# (id, header entries after the common ones, verified asset links expected, problems that
# must be among the findings as (rule, text of the line they point at, which such line))
ATTACKS: list[tuple[str, list[str], list[str], list[tuple[str, str, int]]]] = [
    (
        "control-clean-item",
        ["asset:\n\n" + ITEM],
        ["/good.ckpt"],
        [],
    ),
    (
        "asset-link-twice",
        [
            "asset:\n\n"
            + _asset("file-format: ckpt", GOOD_LINK, EVIL_LINK, f"asset-sha256: {GOOD_SHA}")
        ],
        [],
        [("MDV005", EVIL_LINK, 0)],
    ),
    (
        "asset-sha256-twice",
        [
            "asset:\n\n"
            + _asset(
                "file-format: ckpt",
                EVIL_LINK,
                f"asset-sha256: {EVIL_SHA}",
                f"asset-sha256: {GOOD_SHA}",
            )
        ],
        [],
        [("MDV005", f"asset-sha256: {GOOD_SHA}", 0)],
    ),
    (
        "file-format-twice",
        [
            "asset:\n\n"
            + _asset(
                "file-format: ckpt", "file-format: onnx", GOOD_LINK, f"asset-sha256: {GOOD_SHA}"
            )
        ],
        [],
        [("MDV005", "file-format: onnx", 0)],
    ),
    (
        "asset-key-twice",
        [
            "asset:\n\n" + ITEM,
            "asset:\n\n" + _asset("file-format: ckpt", EVIL_LINK, f"asset-sha256: {EVIL_SHA}"),
        ],
        [],
        [("MDV005", "asset:", 1)],
    ),
    (
        "twice-in-a-recovered-header",
        [
            "evaluation: top1: 76.5",
            "asset:\n\n"
            + _asset("file-format: ckpt", GOOD_LINK, EVIL_LINK, f"asset-sha256: {GOOD_SHA}"),
        ],
        [],
        [("MDV004", "evaluation: top1: 76.5", 0), ("MDV005", EVIL_LINK, 0)],
    ),
    (
        "one-bad-item-beside-a-clean-one",
        [
            "asset:\n\n"
            + _asset("file-format: ckpt", EVIL_LINK, GOOD_LINK, f"asset-sha256: {GOOD_SHA}")
            + "\n"
            + ITEM,
        ],
        ["/good.ckpt"],
        [("MDV005", GOOD_LINK, 0)],
    ),
]


def _line_of(text: str, wanted: str, occurrence: int) -> int:
    lines = text.split("\n")
    hits = [number for number, line in enumerate(lines, start=1) if line.strip() == wanted]
    return hits[occurrence]


@pytest.mark.parametrize(
    ("entries", "verified", "expected"),
    [a[1:] for a in ATTACKS],
    ids=[a[0] for a in ATTACKS],
)
def test_a_duplicated_key_is_never_verified(
    tmp_path: Path,
    entries: list[str],
    verified: list[str],
    expected: list[tuple[str, str, int]],
) -> None:
    with file_server({"/good.ckpt": GOOD, "/evil.ckpt": EVIL}) as server:
        links = {"good": server.url("/good.ckpt"), "evil": server.url("/evil.ckpt")}
        text = card_text([*HEADER, *(e.format(**links) for e in entries)])
        write_card(tmp_path, text)
        run = check(tmp_path, "--allow-private-network", "--no-cache", "assets")
    assert [(url.rsplit("/", 1)[1], status) for _, url, status in run.assets] == [
        (path.lstrip("/"), "verified") for path in verified
    ], run.report
    # Only what is listed was fetched: nothing of a duplicated item reached the network.
    assert sorted(set(server.requested)) == sorted(verified)
    for rule, line_text, occurrence in expected:
        wanted = line_text.format(**links)
        assert (rule, _line_of(text, wanted, occurrence)) in run.problems, run.problems
    if expected:
        assert (run.code, run.report["status"]) == (1, "fail"), run.stderr
    else:
        assert (run.code, run.report["status"], run.problems) == (0, "pass", []), run.report
