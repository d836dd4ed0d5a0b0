"""Attack: a card built to exhaust the checker's memory while staying under the size cap (a
3.8 MB card with a long YAML list took 612 MB, 2.5 MB of headings 807 MB), or hiding text
behind NUL characters.

Defence: the header is built event by event with caps on values (20,000) and nesting (64),
the body is read up to 50,000 lines and 20,000 Markdown tokens, the size cap is 512 KiB by
default; each cap is one clear problem (MDV013) at the line where it was reached, and NUL
characters are reported at their lines (MDV014). Each row runs the real CLI with its address
space capped at 256 MiB (the old code died with MemoryError there) and checks the exit status,
the JSON status and the problems.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sec_support_parse import HEADER, ROOT, card_text, check, write_card

LIMIT = 256 * 1024 * 1024
HEAD = "# lenet\n\n---\n\n"  # the header's first entry is on line 5


def _header(entry: str) -> str:
    return HEAD + entry + "\n---\n\nbody\n"


def _body(body: str) -> str:
    return card_text(HEADER, body=body)


BODY_START = _body("").count("\n") + 1  # the line the body text starts on

# (id, card text, extra CLI arguments, problems expected as (rule, line))
ATTACKS: list[tuple[str, str | bytes, list[str], list[tuple[str, int]]]] = [
    (
        "control-real-card",
        (ROOT / "fixtures/cards/good/assets/mindspore/1.10/lenet_mnist.md").read_text("utf-8"),
        [],
        [],
    ),
    (
        "long-flow-list-3.8MB",
        _header("input-shape: [" + "1, " * 1_266_000 + "1]"),
        ["--max-file-size", "4M"],
        [("MDV013", 5)],
    ),
    (
        "long-block-list",
        _header("asset:\n" + "- 1\n" * 120_000),
        [],
        [("MDV013", 5 + 19_998)],  # the 20,001st value: header, key, list, 19,998 items
    ),
    (
        "many-keys",
        _header("".join(f"k{i}: v\n" for i in range(40_000))),
        [],
        [("MDV013", 5 + 9_999)],  # the header, then each key and its value count
    ),
    (
        "deep-nesting",
        _header("deep: " + "[" * 5000 + "x" + "]" * 5000),
        [],
        [("MDV013", 5)],
    ),
    (
        "headings-2.5MB",
        _body("# h\n" * 625_000),
        ["--max-file-size", "4M"],
        [("MDV013", BODY_START + 6_665)],  # 20,000 tokens: 4 before the body, 3 a heading
    ),
    (
        "headings-under-the-line-cap",
        _body("# h\n" * 45_000),
        [],
        [("MDV013", BODY_START + 6_665)],
    ),
    ("nested-containers", _body("- - - - - > > > > > x\n" * 20_000), [], [("MDV013", 0)]),
    # 50,000 lines given to markdown-it: 3 above the header, then the body from its blank line
    ("blank-lines", _body("\n" * 500_000), [], [("MDV013", BODY_START + 50_000 - 4)]),
    ("over-the-default-cap", _body("x" * 600_000), [], [("MDV007", 0)]),
    (
        "nul-characters",
        card_text(["model-name: le\x00net", *HEADER[1:]], body="one\x00\x00two\n"),
        [],
        [("MDV014", 5), ("MDV014", BODY_START)],
    ),
]


@pytest.mark.parametrize(
    ("text", "args", "expected"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS]
)
def test_hostile_input_is_one_clear_problem_in_bounded_memory(
    tmp_path: Path, text: str | bytes, args: list[str], expected: list[tuple[str, int]]
) -> None:
    write_card(tmp_path, text)
    run = check(tmp_path, "--offline", *args, "assets", limit_memory=LIMIT)
    assert "MemoryError" not in run.stderr and "Traceback" not in run.stderr, run.stderr[-500:]
    caps = [(rule, line) for rule, line in run.problems if rule in ("MDV007", "MDV013", "MDV014")]
    if not expected:
        assert (run.code, run.report["status"], run.problems) == (0, "pass", [])
        return
    assert (run.code, run.report["status"]) == (1, "fail"), run.stderr[-500:]
    if expected == [("MDV013", 0)]:  # somewhere in the body: one problem
        assert [rule for rule, _ in caps] == ["MDV013"] and caps[0][1] > BODY_START
        return
    assert caps == expected, run.problems[:10]
