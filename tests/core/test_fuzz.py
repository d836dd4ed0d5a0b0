"""Hostile input: random bytes and mutated real cards give problems, never an exception.

Three properties, over inputs hypothesis makes up:
- the parser and the card family's ``check_file`` survive any bytes, and no check crashes
  (a crash would surface as MDV011 internal-error, which the family uses to contain bugs);
- real cards mutated the ways hostile or careless pull requests mutate them (byte flips,
  deleted or repeated lines, stray ``---``, tabs, mixed line ends, BOM, NUL, invalid UTF-8,
  huge lines, deep nesting, alias bombs, bidi and control characters) go through the whole
  engine into a Report whose problems are well-formed and print safely;
- the parser's fast path (header interior not Markdown-parsed) equals the whole-card parse.
A file over the size cap is reported (MDV007) without being read.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdvalidator.engine import RunOptions, run
from mdvalidator.families.mindspore import card as card_module
from mdvalidator.families.mindspore.card import decode, parse_card
from mdvalidator.family import Limits, Target
from mdvalidator.problem import Problem, Report
from mdvalidator.registry import rules_by_code
from mdvalidator.ruleset import builtin_ruleset, load_rulesets
from mdvalidator.sources.filesystem import LOCAL_FILES, FolderWalk

SEEDS = Path(__file__).resolve().parent / "fuzz_seeds"
SEED_PATHS = sorted(p.relative_to(SEEDS).as_posix() for p in SEEDS.rglob("*.md"))
SEED_BYTES = {path: (SEEDS / path).read_bytes() for path in SEED_PATHS}
CARD_RULES = builtin_ruleset("mindspore-hub")
RULESETS = load_rulesets()
RULES = rules_by_code()
# A message must never carry a raw control character (newlines included: one problem, one
# line) nor a bidi or invisible formatting character.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]"
)
# MDV_FUZZ_EXAMPLES=5000 for a deeper hunt than the default run's.
FUZZ = settings(
    max_examples=int(os.environ.get("MDV_FUZZ_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Lines that change how Markdown or YAML reads the lines around them.
TRICKY_LINES = [
    "---",
    "--- ",
    "   ---",
    "\t---",
    "----------",
    "- - -",
    "-",
    "--",
    "***",
    "===",
    "```",
    "```yaml",
    "~~~",
    "    ---",
    "> ---",
    "- ---",
    "<div>",
    "<!--",
    "-->",
    "[ref]: /url 'title",
    "'",
    "# heading:",
    "Setext heading",
    "asset:",
    "  - file-format: ckpt",
    "key: value: other",
    "dup: 1",
    "dup: 2",
    "? complex",
    "<<: *anchor",
    "tagged: !custom value",
    "mindspore-version: 1.10",
    "update-time: 2023-2-17",
    "fine-tunable: yes",
    "asset-sha256: fae4983f",
    "asset_sha256: 0",
    "<!-- mdvalidator: disable=MDV1 -->",
    "<!-- mdvalidator: disable -->",
    'model = "mindspore/1.0/other_card"',
]
WEIRD_TEXT = [
    "\u202etxt.exe",
    "\u2066isolated\u2069",
    "zero\u200bwidth",
    "\x1b[31mred\x1b[0m",
    "line\u2028separator",
    "para\u2029graph",
    "bell\x07",
    "nul\x00byte",
    "del\x7f",
    "c1\x85\x9b",
    "e\u0301\u0301\u0301",
    "\ufeffbom",
    "\U0001f600",
    "::error::injected",
    "%0A%0D",
    "@mention",
]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _at(items: list[bytes], index: int) -> int:
    return index % (len(items) + 1)


def _billion_laughs(depth: int) -> bytes:
    rows = ['l0: &l0 "lol"']
    rows += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, depth)]
    return "\n".join(rows).encode()


def _deep_flow(depth: int) -> bytes:
    return b"deep: " + b"[" * depth + b"x" + b"]" * depth


def _deep_block(depth: int) -> bytes:
    return b"\n".join(b"  " * n + b"k%d:" % n for n in range(depth)) + b" leaf"


Mutation = Callable[[bytes], bytes]


def _insert_line(index: int, line: bytes) -> Mutation:
    def apply(data: bytes) -> bytes:
        lines = _lines(data)
        lines.insert(_at(lines, index), line)
        return b"\n".join(lines)

    return apply


def _delete_line(index: int) -> Mutation:
    def apply(data: bytes) -> bytes:
        lines = _lines(data)
        if lines:
            del lines[index % len(lines)]
        return b"\n".join(lines)

    return apply


def _repeat_line(index: int, times: int) -> Mutation:
    def apply(data: bytes) -> bytes:
        lines = _lines(data)
        at = index % len(lines)
        lines[at:at] = [lines[at]] * times
        return b"\n".join(lines)

    return apply


def _flip_byte(index: int, value: int) -> Mutation:
    def apply(data: bytes) -> bytes:
        if not data:
            return bytes([value])
        at = index % len(data)
        return data[:at] + bytes([data[at] ^ value or value]) + data[at + 1 :]

    return apply


def _splice(index: int, blob: bytes) -> Mutation:
    def apply(data: bytes) -> bytes:
        at = index % (len(data) + 1)
        return data[:at] + blob + data[at:]

    return apply


def _line_ends(style: bytes, every: int) -> Mutation:
    """Every ``every``-th line end becomes ``style`` (CRLF or a lone CR): mixed line ends."""

    def apply(data: bytes) -> bytes:
        lines = _lines(data)
        out = [lines[0]]
        for number, line in enumerate(lines[1:]):
            out += [style if number % every == 0 else b"\n", line]
        return b"".join(out)

    return apply


def _with_bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def _tabs_for_indent(data: bytes) -> bytes:
    return data.replace(b"    ", b"\t")


positions = st.integers(min_value=0, max_value=10_000)
mutations: st.SearchStrategy[Mutation] = st.one_of(
    st.builds(_flip_byte, positions, st.integers(1, 255)),
    st.builds(_delete_line, positions),
    st.builds(_repeat_line, positions, st.integers(1, 3)),
    st.builds(_insert_line, positions, st.sampled_from([t.encode() for t in TRICKY_LINES])),
    st.builds(
        _insert_line,
        positions,
        st.builds(
            lambda key, text: f"{key}: {text}".encode(),
            st.sampled_from(
                ["summary", "model-name", "asset-link", "used-for", "train-dataset", "license"]
            ),
            st.sampled_from(WEIRD_TEXT),
        ),
    ),
    st.builds(_insert_line, positions, st.text(max_size=40).map(str.encode)),
    st.builds(
        _splice,
        positions,
        st.sampled_from(
            [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\t", b"\r", b"\r\n"]
        ),
    ),
    st.builds(_insert_line, positions, st.integers(1000, 200_000).map(lambda n: b"x: " + b"a" * n)),
    st.builds(_insert_line, positions, st.integers(10, 400).map(_deep_flow)),
    st.builds(_insert_line, positions, st.integers(10, 120).map(_deep_block)),
    st.builds(_insert_line, positions, st.integers(2, 12).map(_billion_laughs)),
    st.builds(_line_ends, st.sampled_from([b"\r\n", b"\r"]), st.integers(1, 5)),
    st.just(_with_bom),
    st.just(_tabs_for_indent),
)


@st.composite
def mutated_cards(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(SEED_PATHS))
    data = SEED_BYTES[path]
    for mutation in draw(st.lists(mutations, min_size=1, max_size=6)):
        data = mutation(data)
    return path, data


def assert_well_formed(problems: tuple[Problem, ...] | list[Problem], where: str) -> None:
    for problem in problems:
        assert problem.line >= 0 and problem.column >= 0, problem
        assert problem.rule in RULES, problem
        assert problem.name == RULES[problem.rule].name, problem
        assert problem.rule != "MDV011", f"a check crashed on {where}: {problem.message}"
        assert not UNSAFE.search(problem.message), problem.message
        assert problem.message.strip(), problem


def check_bytes(folder: Path, relative: str, data: bytes) -> tuple[Problem, ...]:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = CARD_RULES.checks.check_file(Target(str(path), relative), LOCAL_FILES, Limits())
    return result.problems


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_never_break_the_parser(data: bytes) -> None:
    card = parse_card("mindspore/1.8/x_y.md", data)
    lines = card.text.count("\n") + 1
    places = [(i.line, i.column) for i in card.issues]
    places += [(i.line, i.column) for i in card.yaml_issues]
    for line, column in places:
        assert 1 <= line <= lines and column >= 1, (line, column, card.issues, card.yaml_issues)
    if card.header_lines is not None:
        assert 1 <= card.header_lines[0] < card.header_lines[1] <= lines


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=4096),
        # Bytes after a plausible header opening, so the YAML and field checks run too.
        st.binary(max_size=2048).map(lambda b: b"# t\n\n---\n" + b + b"\n---\n"),
        st.lists(st.sampled_from(TRICKY_LINES + WEIRD_TEXT), max_size=30).map(
            lambda rows: "\n".join(rows).encode()
        ),
    )
)
def test_random_bytes_give_problems_not_exceptions(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        problems = check_bytes(Path(folder), "mindspore/1.8/lenet_mnist.md", data)
    assert_well_formed(problems, repr(data[:200]))


@FUZZ
@given(mutated_cards())
def test_mutated_cards_through_the_engine(card: tuple[str, bytes]) -> None:
    relative, data = card
    with tempfile.TemporaryDirectory() as folder:
        hub = Path(folder) / "assets"
        for seed in SEED_PATHS:  # the siblings, for the cross-file checks
            (hub / seed).parent.mkdir(parents=True, exist_ok=True)
            (hub / seed).write_bytes(SEED_BYTES[seed])
        (hub / relative).write_bytes(data)
        report = run([FolderWalk((str(hub),))], RULESETS, RunOptions(offline=True))
    assert isinstance(report, Report)
    assert report.checked == len(SEED_PATHS)
    assert_well_formed(report.problems, f"{relative}: {data[:300]!r}")
    assert list(report.problems) == sorted(report.problems)


@FUZZ
@given(mutated_cards())
def test_fast_header_path_equals_the_whole_card_parse(card: tuple[str, bytes]) -> None:
    text, _ = decode(card[1])
    lines = text.split("\n")
    assert card_module._structure(text, lines) == card_module._full_structure(lines)


def test_fast_header_path_is_taken_for_real_cards() -> None:
    """The equality above would hold trivially if the fast path never ran."""
    taken = [p for p in SEED_PATHS if card_module._quick_interior(decode(SEED_BYTES[p])[0])]
    assert len(taken) >= 5, taken


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["# t", "", "---", "a: 1", "", "---", "body"], (2, 5)),
        (["# t", "", "---", "a: 1", "```", "---"], None),  # a fence: parse it all
        (["# t", "", "---", "<div>", "---"], None),  # an HTML block
        (["# t", "", "---", "> a: 1", "---"], None),  # a block quote
        (["# t", "", "---", "[a]: /u 'x", "---", "'"], None),  # a reference title
        (["# t", "", "---", "a: 1", "  ---", "---"], None),  # another dash line
        (["# t", "", "---", "a: 1"], None),  # never closed
    ],
)
def test_fast_header_path_declines_what_it_cannot_prove(
    lines: list[str], expected: tuple[int, int] | None
) -> None:
    assert card_module._quick_interior("\n".join(lines)) == expected


def test_alias_bomb_is_reported_not_expanded() -> None:
    data = b"# t\n\n---\n" + _billion_laughs(12) + b"\n---\n"
    card = parse_card("x.md", data)
    assert card.header is not None
    assert len(card.header.pairs) == 12
    kinds = {issue.kind for issue in card.yaml_issues}
    assert kinds == {"unsupported"}


@pytest.mark.parametrize(
    ("nested", "line"),
    [
        (_deep_flow(100), 4),  # our cap stops the parse at the 65th level
        (_deep_flow(5000), 4),  # libyaml (PyYAML >= 6.0.4) stops first at 1,000: same problem
        (_deep_block(200), 68),  # indentation: the key 65 levels down
    ],
    ids=["flow-100", "flow-5000", "block-200"],
)
def test_deep_nesting_is_capped(nested: bytes, line: int) -> None:
    card = parse_card("x.md", b"# t\n\n---\n" + nested + b"\n---\n")
    message = "the header nests deeper than 64 levels; it was not read"
    assert [(i.kind, i.line, i.message) for i in card.yaml_issues] == [
        ("too-complex", line, message)
    ]


def test_deep_nesting_is_one_problem_through_the_cli(tmp_path: Path) -> None:
    card = tmp_path / "deep_card.md"
    card.write_bytes(b"# t\n\n---\n" + _deep_flow(5000) + b"\n---\n")
    result = run_cli(["--offline", "--format", "json", str(card)])
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 1, result.stderr
    assert [(p["rule"], p["line"]) for p in problems] == [("MDV013", 4)]


def test_nesting_at_the_cap_is_read() -> None:
    card = parse_card("x.md", b"# t\n\n---\n" + _deep_block(64) + b"\n---\n")
    assert card.yaml_issues == () and card.header is not None


# --- the size cap -------------------------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        try:
            stream.truncate(size)
        except OSError as exc:  # pragma: no cover - a file system without sparse files
            pytest.skip(f"cannot make a sparse file of {size} bytes here: {exc}")
    return path


def test_file_over_the_cap_is_reported_not_read(tmp_path: Path) -> None:
    # A terabyte (sparse: no disk used); reading it would take the test down, not pass it.
    card = _sparse(tmp_path / "mindspore" / "1.8" / "huge_card.md", 1 << 40)
    result = CARD_RULES.checks.check_file(Target(str(card), "huge_card.md"), LOCAL_FILES, Limits())
    assert [(p.rule, p.line) for p in result.problems] == [("MDV007", 0)]
    assert str(1 << 40) in result.problems[0].message


def test_size_cap_boundary_and_setting(tmp_path: Path) -> None:
    seed = SEED_BYTES["mindspore/1.8/retinanet_coco2017.md"]
    card = tmp_path / "mindspore" / "1.8" / "retinanet_coco2017.md"
    card.parent.mkdir(parents=True)
    card.write_bytes(seed)
    target = Target(str(card), "c.md")
    at_cap = CARD_RULES.checks.check_file(target, LOCAL_FILES, Limits(len(seed)))
    assert "MDV007" not in {p.rule for p in at_cap.problems}
    over = CARD_RULES.checks.check_file(target, LOCAL_FILES, Limits(len(seed) - 1))
    assert [p.rule for p in over.problems] == ["MDV007"]


def test_default_cap_through_the_engine(tmp_path: Path) -> None:
    _sparse(tmp_path / "mindspore" / "1.8" / "big_card.md", 5 * 1024 * 1024)
    report = run([FolderWalk((str(tmp_path),))], RULESETS, RunOptions(offline=True))
    assert [(p.rule, Path(p.path).name) for p in report.problems] == [("MDV007", "big_card.md")]


def test_size_cap_from_the_command_line(tmp_path: Path) -> None:
    card = tmp_path / "mindspore" / "1.8" / "retinanet_coco2017.md"
    card.parent.mkdir(parents=True)
    card.write_bytes(SEED_BYTES["mindspore/1.8/retinanet_coco2017.md"])
    result = run_cli(["--offline", "--format", "json", "--max-file-size", "1K", str(card)])
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 1, result.stderr
    assert [(p["rule"], p["line"]) for p in problems] == [("MDV007", 0)]
    assert "1024-byte cap" in problems[0]["message"]


def test_aliases_nested_forty_deep_are_checked_in_linear_time(tmp_path: Path) -> None:
    # The billion laughs: each list holds the one before it twice, so a walk of every path
    # of the header visits 2**40 nodes; hypothesis found a card like this that never ended.
    rows = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 41)]
    data = ("---\n" + "\n".join(rows) + "\n---\n# t\n").encode()
    started = time.monotonic()
    problems = check_bytes(tmp_path, "mindspore/1.8/lenet_mnist.md", data)
    assert time.monotonic() - started < 5
    assert_well_formed(problems, "aliases")
    assert any("alias" in p.message for p in problems), problems
