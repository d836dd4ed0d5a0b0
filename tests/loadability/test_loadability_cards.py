"""Real cards (fixtures/mindspore-hub, a sample of the public hub): no false error; the inputs
the checks take; the table of checks that the registry copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdvalidator.families.mindspore.card import parse_card
from mdvalidator.loadability import codes as C
from mdvalidator.loadability.card_values import Located, from_card, from_plain, load_call_line
from mdvalidator.loadability.findings import card_findings
from mdvalidator.loadability.loader_facts import read_by_loader
from mdvalidator.loadability.repo_link import LoaderLink, read_repo_link
from mdvalidator.problem import Severity
from mdvalidator.registry import all_rules
from mdvalidator.rule import CODE_PATTERN, NAME_PATTERN

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "fixtures" / "mindspore-hub"
DOC = ROOT / "docs" / "loadability.md"
REAL_CARDS = sorted(p for p in HUB.rglob("*.md") if read_by_loader(p.name))


def test_the_sample_is_there() -> None:
    assert len(REAL_CARDS) == 71


def test_real_cards_get_no_error() -> None:
    """The hub accepted these cards; the loader reads every one of their links."""
    shapes: dict[str, int] = {}
    warnings = []
    for path in REAL_CARDS:
        card = parse_card(path.relative_to(HUB).as_posix(), path.read_bytes())
        values = from_card(card)
        for finding in card_findings(values):
            assert finding.severity is not Severity.ERROR, (path, finding)
            warnings.append((path.relative_to(HUB).as_posix(), finding.name))
        if values.repo_link is not None:
            read = read_repo_link(values.repo_link.text)
            key = f"{read.shape} parts" if isinstance(read, LoaderLink) else "refused"
            shapes[key] = shapes.get(key, 0) + 1
    assert warnings == [("noah-cvlab/ascend/1.0/ghostnet_ssd_v1.0.md", "loader-weights-choice")]
    assert shapes == {"5 parts": 70}


def test_translations_are_not_read_by_the_loader() -> None:
    assert not read_by_loader("ghostnet_ssd_v1.0_cn.md")
    assert not read_by_loader("model_scn.md")
    assert read_by_loader("ghostnet_ssd_v1.0.md")
    assert read_by_loader("fasterrcnn_coco.md")


def test_plain_values() -> None:
    values = from_plain(
        {
            "repo-link": "<https://gitee.com/a/b/tree/m/x>",
            "model-name": "X",
            "asset": [{"file-format": "ckpt", "asset-link": "https://h/x.ckpt"}, "junk"],
            "ignored": 3,
        },
        {"repo-link": 7, "model-name": 3, "asset": 9, "asset[0]": 10},
        load_call=40,
    )
    assert values.repo_link == Located("<https://gitee.com/a/b/tree/m/x>", 7)
    assert values.model_name == Located("X", 3)
    assert [(a.index, a.file_format, a.line, a.where) for a in values.assets] == [
        (0, "ckpt", 10, 10)
    ]
    assert values.load_call == 40
    assert from_plain({"repo-link": "  ", "model-name": 5}).repo_link is None


def test_header_keys_given_twice_are_left_out() -> None:
    text = (
        "# x\n\n---\nrepo-link: https://gitee.com/a/b/tree/r1.7\n"
        "repo-link: https://gitee.com/a/b/tree/r1.7/x\nmodel-name: x\n---\n"
    )
    values = from_card(parse_card("x.md", text.encode()))
    assert values.repo_link is None
    assert values.model_name == Located("x", 6)


def test_a_four_part_link_is_an_error_at_its_line() -> None:
    text = "# x\n\n---\nmodel-name: x\n\nrepo-link: <https://gitee.com/a/models/tree/r1.7>\n---\n"
    (finding,) = card_findings(from_card(parse_card("x.md", text.encode())))
    assert (finding.code, finding.name, finding.line) == ("MDV150", "repo-link-shape", 6)
    assert finding.message.startswith("repo-link: mindspore_hub.load fails: a 4-part link")
    assert finding.message.endswith(
        "(the loader reads host gitee.com, repository a/models, branch r1.7, the repository root)"
    )


def test_a_refused_link_says_so() -> None:
    text = "# x\n\n---\nrepo-link: https://gitlab.example.org/a/b\n---\n"
    (finding,) = card_findings(from_card(parse_card("x.md", text.encode())))
    assert finding.message.startswith("repo-link: the loader rejects it as an invalid repo link")


@pytest.mark.parametrize(
    ("blocks", "line"),
    [
        ([(10, "import mindspore_hub as mshub\nnet = mshub.load(model)\n")], 11),
        ([(10, "import mindspore_hub\n\nnet = mindspore_hub.load('a/b/c')\n")], 12),
        ([(10, "import mindspore_hub as hub\nnet = hub.load (model, 10)\n")], 11),
        ([(10, "from mindspore_hub import load\nnet = load(model)\n")], 11),
        ([(5, "print(1)\n"), (20, "x = mshub.load(model)\n")], 20),
        ([(10, "import mindspore_hub as mshub\nnet = mshub.load_weights(m)\n")], 0),
        ([(10, "from mindcv import create_model\nnet = create_model('x')\n")], 0),
        ([(10, "model.load(path)\n")], 0),
        ([], 0),
    ],
)
def test_load_call_line(blocks: list[tuple[int, str]], line: int) -> None:
    assert load_call_line(blocks) == line


def test_check_table() -> None:
    assert [c.code for c in C.CHECKS] == [f"MDV{n}" for n in range(150, 160)]
    assert [c.name for c in C.CHECKS] == [
        "repo-link-shape",
        "loader-weights-choice",
        "loader-weights-suffix",
        "conf-missing",
        "conf-no-create-network",
        "conf-signature",
        "conf-name-unknown",
        "conf-literal-case",
        "conf-syntax-error",
        "conf-unavailable",
    ]
    registered = {rule.code: rule for rule in all_rules()}
    for check in C.CHECKS:
        assert CODE_PATTERN.match(check.code) and NAME_PATTERN.match(check.name)
        # The registry's rule is the table's check, copied by the card family's rule modules.
        rule = registered[check.code]
        assert (rule.name, rule.summary, rule.doc, rule.severity, rule.family) == (
            check.name,
            check.summary,
            check.doc,
            check.severity,
            "mindspore-hub",
        )
        assert [r.code for r in all_rules()].count(check.code) == 1
        assert "\n" not in check.summary and check.summary.endswith(".")
        assert check.doc.strip() and check.facts
        assert check.online is check.name.startswith("conf-")
        assert C.by_name(check.name) is check


def test_the_document_covers_every_check_and_fact() -> None:
    text = DOC.read_text(encoding="utf-8")
    for check in C.CHECKS:
        assert f"`{check.code}` `{check.name}`" in text, check.code
        for fact in check.facts:
            assert f'<a id="{fact}"></a>' in text, fact
    assert "29e408be030181d67de897d0cc5793ec17842842" in text
