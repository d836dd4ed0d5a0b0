"""Attack: characters that YAML counts as line breaks but the rest of the world does not
(U+0085 NEL, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR) placed before the assets, so
that every line reported after them is shifted: a mismatch annotated on the wrong line, and
``--fix`` writing asset 1's digest onto asset 2's line.

Defence: the parser converts libyaml's positions once into ``\\n`` lines of the file. Each row
runs the real CLI against a loopback server (asset 1 matches its digest, asset 2 does not) and
checks the reported lines, the asset lines and the bytes ``--fix`` writes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sec_support_parse import (
    EVIL,
    GOOD,
    GOOD_SHA,
    HEADER,
    card_text,
    check,
    file_server,
    write_card,
)

EVIL_SHA = hashlib.sha256(EVIL).hexdigest()
WRONG_SHA = "0" * 64

# (id, the header line placed before the assets, problems expected from it: rule -> its line
# relative to that line)
ATTACKS: list[tuple[str, str, dict[str, int]]] = [
    ("control-no-break", 'author: "MindSpore team"', {}),
    ("nel-in-quoted-value", 'author: "MindSpore\x85team"', {}),
    ("line-separator-in-quoted-value", 'author: "MindSpore\u2028team"', {}),
    ("paragraph-separators-in-quoted-value", 'author: "Mind\u2029Spore\u2029\u2029team"', {}),
    # In a comment, YAML ends the comment at the break: what follows is read as a key.
    ("line-separator-ends-a-comment", "# note\u2028author: MindSpore team", {}),
    # In a plain value, the break makes the rest a line without ':' (a YAML error at its line).
    ("nel-in-plain-value", "author: MindSpore\x85team", {"MDV004": 0}),
]


def _assets(good: str, evil: str) -> str:
    return (
        "asset:\n\n-\n"
        f"    file-format: ckpt\n    asset-link: {good}\n    asset-sha256: {GOOD_SHA}\n"
        f"-\n    file-format: ckpt\n    asset-link: {evil}\n    asset-sha256: {WRONG_SHA}"
    )


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


@pytest.mark.parametrize(
    ("entry", "expected"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS]
)
def test_positions_are_lines_of_the_file(
    tmp_path: Path, entry: str, expected: dict[str, int]
) -> None:
    header = [h for h in HEADER if not h.startswith("author:")]
    with file_server({"/one.ckpt": GOOD, "/two.ckpt": EVIL}) as server:
        good, evil = server.url("/one.ckpt"), server.url("/two.ckpt")
        text = card_text([entry, *header, _assets(good, evil)], body="## Usage:\n")
        card = write_card(tmp_path, text)
        before = card.read_bytes()
        run = check(tmp_path, "--allow-private-network", "--no-cache", "assets")
        assert run.code == 1
        entry_line = _line(text, entry[:6])
        one, two = _line(text, good), _line(text, evil)
        sha_two = two + 1
        # The assets at their link lines; the mismatch at asset 2's digest line.
        assert run.assets == [(one, good, "verified"), (two, evil, "mismatch")]
        wanted = {("MDV201", sha_two)} | {(rule, entry_line + d) for rule, d in expected.items()}
        assert wanted <= set(run.problems), run.problems
        # A problem found after all of them (the body's heading) is on its own line too.
        assert ("MDV141", _line(text, "## Usage:")) in run.problems
        fixed = check(tmp_path, "--allow-private-network", "--no-cache", "--fix", "assets")
    lines = before.split(b"\n")
    lines[sha_two - 1] = lines[sha_two - 1].replace(WRONG_SHA.encode(), EVIL_SHA.encode())
    assert card.read_bytes() == b"\n".join(lines), fixed.stderr
