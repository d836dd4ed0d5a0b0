"""What the MindSpore Hub's own tools accept on purpose passes (or warns, with a fix), and the
checks its validator makes that we lacked now fail.

Real cards edited the way real hub cards are written: fixtures/cards/conventions (SOURCE.txt).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import FIXTURES, lint, run_cli

from mdvalidator.engine import RunOptions, run
from mdvalidator.families.mindspore.fix import fix_cards
from mdvalidator.families.mindspore.rules.parsing import DASH_VALUE
from mdvalidator.ruleset import load_rulesets
from mdvalidator.sources.filesystem import FolderWalk

CONVENTIONS = FIXTURES / "cards" / "conventions" / "assets"
DASH_LF = CONVENTIONS / "mindspore" / "1.8" / "retinanet_coco2017.md"
DASH_CRLF = CONVENTIONS / "noah-cvlab" / "ascend" / "1.1" / "ipt_v1.0_Set14_SR_x2.md"
MULTI_INPUT = CONVENTIONS / "noah-cvlab" / "ascend" / "1.0" / "ghostnet_ssd_v1.0.md"
UPPER_CASE = CONVENTIONS / "mindspore" / "1.10" / "alexnet_cifar10.md"


def _copy(card: Path, tmp_path: Path) -> Path:
    target = tmp_path / card.relative_to(CONVENTIONS)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(card, target)
    return target


# --- evaluation: - ------------------------------------------------------------------------


def test_evaluation_dash_is_a_warning_and_the_rest_is_checked() -> None:
    found = lint(DASH_LF)
    assert [(code, line) for code, line, _ in found] == [("MDV012", 17)]
    assert "'evaluation: -' is read as 'evaluation: no'" in found[0][2]
    # The header was read: the card's asset is there to verify (it was not, as MDV004).
    report = run([FolderWalk((str(DASH_LF),))], load_rulesets(), RunOptions(offline=True))
    assert [(a.ref.line, a.status.value) for a in report.assets] == [(35, "skipped")]


def test_evaluation_dash_does_not_hide_other_defects(tmp_path: Path) -> None:
    card = _copy(DASH_LF, tmp_path)
    text = card.read_text("utf-8").replace("license: Apache2.0\n", "")
    card.write_text(text.replace("fine-tunable: True", "fine-tunable: maybe"), "utf-8")
    result = run_cli(["--offline", "--format", "json", "--ignore", "MDV012", str(card)])
    problems = [(p["rule"], p["line"]) for p in json.loads(result.stdout)["problems"]]
    assert result.returncode == 1
    assert problems == [("MDV103", 11), ("MDV101", 41)]


@pytest.mark.parametrize(
    ("card", "line", "ending"), [(DASH_LF, 17, b"\n"), (DASH_CRLF, 19, b"\r\n")]
)
def test_fix_writes_evaluation_no_and_nothing_else(
    card: Path, line: int, ending: bytes, tmp_path: Path
) -> None:
    target = _copy(card, tmp_path)
    before = target.read_bytes()
    os.chmod(target, 0o640)
    result = run_cli(["--offline", "--fix", str(target)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f":{line}: fixed MDV012 dash-value ('evaluation: -' set to 'evaluation: no')" in (
        result.stderr
    )
    after = target.read_bytes()
    lines = before.splitlines(keepends=True)
    lines[line - 1] = b"evaluation: no" + ending
    assert after == b"".join(lines)
    assert os.stat(target).st_mode & 0o777 == 0o640
    again = run_cli(["--offline", "--format", "json", str(target)])
    assert "MDV012" not in {p["rule"] for p in json.loads(again.stdout)["problems"]}


def test_fix_leaves_a_line_changed_since_the_check(tmp_path: Path) -> None:
    target = _copy(DASH_LF, tmp_path)
    problem = DASH_VALUE.problem(str(target), 15, 13, "")  # line 15 is train-dataset
    before = target.read_bytes()
    assert fix_cards([problem]) == [f"{target}:15: not fixed: the line has changed since the check"]
    assert target.read_bytes() == before


def test_fix_refuses_a_read_only_card(tmp_path: Path) -> None:
    target = _copy(DASH_LF, tmp_path)
    os.chmod(target, 0o444)
    before = target.read_bytes()
    messages = fix_cards([DASH_VALUE.problem(str(target), 17, 13, "")])
    assert messages == [f"{target}: not fixed: the file is read-only"]
    assert target.read_bytes() == before


def test_fix_never_follows_a_symbolic_link(tmp_path: Path) -> None:
    real = _copy(DASH_LF, tmp_path / "real")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    before = real.read_bytes()
    [message] = fix_cards([DASH_VALUE.problem(str(link), 17, 13, "")])
    assert "not fixed" in message
    assert real.read_bytes() == before


def test_only_the_declared_keys_take_a_dash(make_card: Callable[..., Path]) -> None:
    card = make_card(replace={"summary: lenet is used for cv": "summary: -"})
    assert [(c, n) for c, n, _ in lint(card)] == [("MDV004", 40)]


# --- values the hub accepts -----------------------------------------------------------------


def test_multi_input_shape_is_valid() -> None:
    # The only other findings of this real card: its own unknown key, and its only asset is
    # mslite, so mindspore_hub.load would load that file as a checkpoint (MDV151).
    assert [(c, n) for c, n, _ in lint(MULTI_INPUT)] == [("MDV106", 17), ("MDV151", 39)]


@pytest.mark.parametrize(
    "shape", ["[[1, 128], [1, 0]]", "[[1, 128], 128]", "[[]]", "[[1, [2]]]", "1, 128", "[a, b]"]
)
def test_bad_shapes_fail(make_card: Callable[..., Path], shape: str) -> None:
    card = make_card(
        replace={"evaluation: acc98.8": f"evaluation: acc98.8\n\ninput-shape: {shape}"}
    )
    found = lint(card)
    assert [(c, n) for c, n, _ in found] == [("MDV103", 19)], found
    assert (
        "input-shape must be a shape such as [224, 224, 3], or one shape per input" in found[0][2]
    )


def test_module_type_and_used_for_ignore_case_like_the_hub() -> None:
    assert lint(UPPER_CASE) == []


def test_a_value_differing_only_by_case_is_named(
    make_card: Callable[..., Path], tmp_path: Path
) -> None:
    rules = tmp_path / "hub.toml"
    rules.write_text(
        "[ruleset]\nextends = 'mindspore-hub'\nname = 'my-hub'\n"
        "[fields.license]\nrequired = true\nallowed = ['Apache2.0', 'MIT']\n",
        "utf-8",
    )
    card = make_card(replace={"license: Apache2.0": "license: apache2.0"})
    result = run_cli(["--offline", "--format", "json", "--rules", str(rules), str(card)])
    problems = json.loads(result.stdout)["problems"]
    assert [(p["rule"], p["line"], p["message"]) for p in problems] == [
        (
            "MDV104",
            38,
            "license value 'apache2.0' differs only by case from 'Apache2.0' (case matters here)",
        )
    ]


# --- the hub's optional fields and the checks its validator makes ---------------------------

EXTRA = "evaluation: acc98.8"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("allow-cache-ckpt: false", []),
        ("allow-cache-ckpt: maybe", [("MDV103", "allow-cache-ckpt must be true or false")]),
        ("featured-image: no-image", []),
        ("featured-image: lenet.png", []),
        (
            "featured-image: ../../lenet.png",
            [("MDV105", "featured-image '../../lenet.png' must be no-image or the name of a file")],
        ),
        ("accuracy: 98.8", []),
        ("accuracy: []", [("MDV103", "accuracy must be a number, not a list or mapping")]),
        ("accuracy: [98.8]", [("MDV103", "accuracy must be a number, not a list or mapping")]),
        ("accuracy: '98.8%'", [("MDV103", "accuracy must be a number: '98.8%'")]),
        ("summary: 'lenet: a cnn'", [("MDV109", "'summary' has ':' in its value 'lenet: a cnn'")]),
        ("author: 'team:mindspore'", [("MDV109", "'author' has ':' in its value")]),
        ("evaluation: 'top1: 98.8'", []),
        ("train-dataset: N/A", []),
        ("train-dataset: N·A", []),
        ("train-dataset: '-'", []),
        ("train-dataset: MNIST_CIFAR10", []),
        ("train-dataset: my-own-set", [("MDV107", "train-dataset 'my-own-set' is not in")]),
        ("module-type: cv-image-classification", [("MDV105", "has more than one '-'")]),
    ],
)
def test_hub_field_rules(
    make_card: Callable[..., Path], line: str, expected: list[tuple[str, str]]
) -> None:
    key = line.split(":", 1)[0]
    original = {
        "evaluation": EXTRA,
        "train-dataset": "train-dataset: mnist",
        "module-type": "module-type: cv-classification",
        "summary": "summary: lenet is used for cv",
        "author": "author: MindSpore team",
    }.get(key)
    edit = {original: line} if original else {EXTRA: f"{EXTRA}\n\n{line}"}
    found = lint(make_card(replace=edit))
    assert [code for code, _, _ in found] == [code for code, _ in expected], found
    for (_, _, message), (_, text) in zip(found, expected, strict=True):
        assert text in message


def test_module_type_with_two_dashes_is_a_warning(make_card: Callable[..., Path]) -> None:
    # The hub's validator means to refuse it but checks only the part before the first '-'
    # (6 real cards say cv-super-resolution): a warning, the run passes.
    card = make_card(replace={"module-type: cv-classification": "module-type: cv-super-resolution"})
    result = run_cli(["--offline", "--format", "json", str(card)])
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 0
    assert [(p["rule"], p["severity"], p["line"]) for p in problems] == [("MDV105", "warning", 9)]


# --- mindspore-version: v1.2 in a 1.2/ folder ------------------------------------------------


def test_a_v_before_the_folder_version_is_a_warning_that_fix_drops(tmp_path: Path) -> None:
    # Real: PRs !216, !248, !253 merged hundreds of cards so; the hub later rewrote them.
    target = _copy(UPPER_CASE, tmp_path)
    before = target.read_bytes()
    assert b"mindspore-version: 1.10\n" in before
    target.write_bytes(before.replace(b"mindspore-version: 1.10\n", b"mindspore-version: v1.10\n"))
    found = [(code, line) for code, line, _ in lint(target)]
    assert ("MDV135", 29) in found and "MDV130" not in {code for code, _ in found}
    result = run_cli(["--offline", "--fix", str(target)])
    assert ":29: fixed MDV135 version-v-prefix ('mindspore-version: v1.10' set to " in (
        result.stderr
    ), result.stderr
    assert target.read_bytes() == before


def test_a_v_before_another_version_stays_a_mismatch(tmp_path: Path) -> None:
    target = _copy(UPPER_CASE, tmp_path)
    text = target.read_bytes().replace(b"mindspore-version: 1.10\n", b"mindspore-version: v1.9\n")
    target.write_bytes(text)
    found = [(code, line) for code, line, _ in lint(target)]
    assert ("MDV130", 29) in found and "MDV135" not in {code for code, _ in found}
    run_cli(["--offline", "--fix", str(target)])
    assert target.read_bytes() == text
