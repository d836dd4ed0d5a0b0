"""Each card rule, failing and passing: exact code, line and message text.

Every case edits the good card (fixtures/cards/good/...) and lists ALL the problems the
result must have, so a case also proves that nothing else fires.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import GOOD_CARD, lint

SHA = "    asset-sha256: 0b7d1c3ff1a2f4ecf4bf5a1f3f3c88d0c1fb9b9a9d2e8fdbbd7e0d6b4c2a3e51"
LINK = "    asset-link: <https://download.example.org/models/r1.10/lenet_mnist.ckpt>"
FORMAT = "    file-format: ckpt"
REPO = "repo-link: <https://gitee.com/mindspore/models/tree/r1.10/official/cv/lenet>"

# (id, {line: replacement}, [(code, line, text the message contains)])
CASES: list[tuple[str, dict[str, str | None], list[tuple[str, int, str]]]] = [
    (
        "missing-field",
        {"license: Apache2.0": None},
        [("MDV101", 41, "required field 'license' is missing")],
    ),
    (
        "empty-field",
        {"author: MindSpore team": "author:"},
        [("MDV102", 19, "required field 'author' is empty")],
    ),
    (
        "bool",
        {"fine-tunable: True": "fine-tunable: maybe"},
        [("MDV103", 11, "fine-tunable must be true or false: 'maybe'")],
    ),
    (
        "date",
        {"update-time: 2023-2-17": "update-time: 2023-2-30"},
        [("MDV103", 21, "update-time is not a real date")],
    ),
    (
        "date-format",
        {"update-time: 2023-2-17": "update-time: 17/02/2023"},
        [("MDV103", 21, "update-time must be a date written YYYY-M-D")],
    ),
    (
        "url",
        {REPO: "repo-link: gitee.com/mindspore/models"},
        [
            ("MDV150", 23, "the loader rejects it as an invalid repo link"),
            ("MDV103", 23, "repo-link is not an absolute http(s) URL"),
        ],
    ),
    (
        "number",
        {"evaluation: acc98.8": "evaluation: acc98.8\n\naccuracy: high"},
        [("MDV103", 19, "accuracy must be a number: 'high'")],
    ),
    (
        "int-list",
        {"evaluation: acc98.8": "evaluation: acc98.8\n\ninput-shape: [224, 0, 3]"},
        [("MDV103", 19, "input-shape must be a shape such as [224, 224, 3]")],
    ),
    (
        "version-list",
        {"model-version: 1.10": "model-version: [1, 10]"},
        [("MDV103", 13, "model-version must be a version, not a list or mapping")],
    ),
    (
        "used-for",
        {"used-for: inference/transfer-learning": "used-for: inference/training"},
        [("MDV104", 27, "used-for value 'training' is not allowed")],
    ),
    (
        "module-domain",
        {"module-type: cv-classification": "module-type: vision-classification"},
        [("MDV104", 9, "module-type part 'vision' is not allowed")],
    ),
    (
        "backend",
        {"evaluation: acc98.8": "evaluation: acc98.8\n\ntrain-backend: GPU/tpu"},
        [("MDV104", 19, "train-backend value 'tpu' is not allowed")],
    ),
    (
        "file-format",
        {FORMAT: "    file-format: pt"},
        [
            ("MDV151", 34, "no asset has file-format ckpt: mindspore_hub.load takes asset 1"),
            ("MDV104", 34, "asset 1: file-format value 'pt' is not allowed"),
        ],
    ),
    (
        "unknown-key",
        {"evaluation: acc98.8": "evaluaton: acc98.8"},
        [("MDV106", 17, "unknown key 'evaluaton' (did you mean 'evaluation'?)")],
    ),
    (
        "template-typo",
        {SHA: SHA.replace("asset-sha256", "asset_sha256")},
        [
            ("MDV121", 34, "asset 1: required field 'asset-sha256' is missing"),
            ("MDV106", 36, "asset 1: unknown key 'asset_sha256' (did you mean 'asset-sha256'?)"),
        ],
    ),
    (
        "dataset",
        {"train-dataset: mnist": "train-dataset: my-private-set"},
        [("MDV107", 15, "train-dataset 'my-private-set' is not in the datasets list")],
    ),
    ("title", {"# lenet": None}, [("MDV108", 1, "the card has no '# title' line")]),
    (
        "asset-not-list",
        {"-": None, FORMAT: None, LINK: None, SHA: None, "asset:": "asset: x.ckpt"},
        [("MDV103", 31, "asset must be a list of items")],
    ),
    (
        "asset-field-missing",
        {LINK: None},
        [("MDV121", 34, "asset 1: required field 'asset-link' is missing")],
    ),
    (
        "sha-8",
        {SHA: "    asset-sha256: e616cdcb"},
        [("MDV122", 36, "asset 1: asset-sha256 must be 64 hexadecimal characters (has 8)")],
    ),
    (
        "sha-nonhex",
        {SHA: SHA[:-1] + "g"},
        [("MDV122", 36, "must be 64 hexadecimal characters (has 64)")],
    ),
    (
        "link-relative",
        {LINK: "    asset-link: models/lenet.ckpt"},
        [("MDV123", 35, "asset 1: asset-link is not an absolute http(s) URL")],
    ),
    (
        "link-ftp",
        {LINK: "    asset-link: ftp://host/lenet.ckpt"},
        [("MDV123", 35, "is not an absolute http(s) URL")],
    ),
    (
        "link-extension",
        {FORMAT: "    file-format: ONNX"},
        [
            ("MDV151", 34, "takes asset 1 (file-format 'ONNX') as the weights"),
            ("MDV124", 35, "does not end with .onnx as file-format 'ONNX' implies"),
        ],
    ),
    (
        "version-folder",
        {"mindspore-version: 1.10": "mindspore-version: 1.9"},
        [("MDV130", 29, "mindspore-version is '1.9' but the card is in folder '1.10'")],
    ),
    (
        "heading-colon",
        {"## Usage": "## Usage:"},
        [("MDV141", 56, "heading 'Usage:' ends with ':'")],
    ),
    (
        "usage-id",
        {'model = "mindspore/1.10/lenet_mnist"': 'model = "mindspore/1.9/lenet_mnist"'},
        [
            (
                "MDV140",
                61,
                "Usage loads 'mindspore/1.9/lenet_mnist' but this card is "
                "'mindspore/1.10/lenet_mnist'",
            )
        ],
    ),
    (
        "duplicate-key",
        {"license: Apache2.0": "license: Apache2.0\nlicense: MIT"},
        [("MDV005", 39, "duplicate key 'license' (first at line 38)")],
    ),
    (
        "invalid-yaml",
        {"evaluation: acc98.8": "evaluation: top1: 98.8"},
        [("MDV004", 17, "mapping values are not allowed")],
    ),
    (
        "alias",
        {
            "author: MindSpore team": "author: &a MindSpore team",
            "user-id: MindSpore": "user-id: *a",
        },
        [("MDV010", 25, "YAML anchors and aliases are not allowed")],
    ),
    (
        "not-mapping",
        {"model-name: lenet": "- model-name: lenet"},
        [
            ("MDV004", 5, "a list item ('- ') where 'key: value' lines were expected"),
            ("MDV101", 42, "required field 'model-name' is missing"),
        ],
    ),
]


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_fails_at_line_with_message(
    make_card: Callable[..., Path],
    edits: dict[str, str | None],
    expected: list[tuple[str, int, str]],
) -> None:
    found = lint(make_card(replace=edits))
    assert [(code, line) for code, line, _ in found] == [(c, n) for c, n, _ in expected], found
    for (_, _, message), (_, _, text) in zip(found, expected, strict=True):
        assert text in message


def test_good_card_passes() -> None:
    assert lint(GOOD_CARD) == []


def test_all_problems_of_a_file_are_reported(make_card: Callable[..., Path]) -> None:
    card = make_card(
        replace={
            "license: Apache2.0": None,
            "fine-tunable: True": "fine-tunable: yes please",
            SHA: "    asset-sha256: 1234abcd",
            "## Usage": "## Usage:",
        }
    )
    codes = sorted(code for code, _, _ in lint(card))
    assert codes == ["MDV101", "MDV103", "MDV122", "MDV141"]


def test_version_compared_as_text_not_float(make_card: Callable[..., Path]) -> None:
    # YAML 1.1 reads 1.10 as the float 1.1: the hub's validator would see a mismatch.
    assert lint(make_card(folder="mindspore/1.10")) == []
    found = lint(make_card(folder="mindspore/1.1", name="lenet_mnist.md"))
    assert ("MDV130", 29) in [(c, n) for c, n, _ in found]


def test_platform_folder_layout(make_card: Callable[..., Path]) -> None:
    card = make_card(
        folder="noah-cvlab/gpu/1.10",
        replace={
            "evaluation: acc98.8": "evaluation: acc98.8\n\ntrain-backend: ascend",
            'model = "mindspore/1.10/lenet_mnist"': 'model = "noah-cvlab/gpu/1.10/lenet_mnist"',
        },
    )
    assert [(c, n) for c, n, _ in lint(card)] == [("MDV131", 19)]


def test_file_name_pattern(make_card: Callable[..., Path]) -> None:
    card = make_card(
        name="lenet.md",
        replace={'model = "mindspore/1.10/lenet_mnist"': 'model = "mindspore/1.10/lenet"'},
    )
    assert lint(card) == [
        ("MDV132", 0, "file name 'lenet.md' does not follow <model>_<dataset>.md")
    ]


def test_case_collision_in_one_folder(make_card: Callable[..., Path]) -> None:
    first = make_card(name="lenet_mnist.md")
    make_card(
        name="LeNet_mnist.md",
        replace={'model = "mindspore/1.10/lenet_mnist"': 'model = "mindspore/1.10/LeNet_mnist"'},
    )
    found = lint(first.parent)
    assert [(c, n) for c, n, _ in found] == [("MDV133", 0), ("MDV133", 0)]
    assert "differs only by case from 'lenet_mnist.md'" in found[0][2]


def test_translation_needs_its_english_card(make_card: Callable[..., Path]) -> None:
    translation = make_card(
        name="lenet_mnist_cn.md", text="# LeNet\n\n---\n\n模型名称：LeNet\n\n---\n"
    )
    assert lint(translation) == [
        ("MDV134", 0, "translation of 'lenet_mnist.md', which does not exist")
    ]
    make_card(name="lenet_mnist.md")
    assert lint(translation) == []
