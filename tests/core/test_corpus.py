"""The real MindSpore Hub cards (fixtures/mindspore-hub, see its SOURCE.txt): what must show."""

from __future__ import annotations

import re

from helpers import CORPUS, lint

SHORT_SHA = re.compile(r"^(\s*)asset-sha256:\s*([0-9a-fA-F]{1,63})\s*$")


def corpus_problems() -> list[tuple[str, int, str, str]]:
    from mdvalidator.engine import RunOptions, run
    from mdvalidator.ruleset import load_rulesets
    from mdvalidator.sources.filesystem import FolderWalk

    report = run([FolderWalk((str(CORPUS),))], load_rulesets(), RunOptions(offline=True))
    assert report.checked == 72
    return [(p.path, p.line, p.rule, p.message) for p in report.problems]


def test_every_short_sha256_flagged_at_its_line() -> None:
    expected = set()
    for card in CORPUS.rglob("*.md"):
        for number, line in enumerate(card.read_text("utf-8").splitlines(), start=1):
            if SHORT_SHA.match(line):
                expected.add((card.relative_to(CORPUS).as_posix(), number))
    assert len(expected) == 14  # the sample holds 14 short digests (8 or 9 characters)
    found = {
        (path.split("mindspore-hub/", 1)[1], line)
        for path, line, rule, _ in corpus_problems()
        if rule == "MDV122"
    }
    assert found == expected


def test_invalid_yaml_card_reports_every_defect_at_its_line() -> None:
    # Its 'accuracy: vit-base: 83.78 / ...' line is not YAML; the hub's validator crashed on
    # it, and we used to stop there too. Read entry by entry, the card shows what it hid: two
    # asset-link keys in one item (the last wins in YAML loaders), no asset-sha256 and no
    # repo-link.
    card = CORPUS / "noah-cvlab" / "gpu" / "1.8" / "fastmim_v1.0_imagenet2012.md"
    found = [(code, line, message.split(";")[0]) for code, line, message in lint(card)]
    assert found == [
        ("MDV004", 19, "mapping values are not allowed in this context"),
        ("MDV106", 25, "unknown key 'vit-repo-link' (did you mean 'repo-link'?)"),
        ("MDV109", 25, found[2][2]),
        ("MDV106", 27, "unknown key 'swin-repo-link' (did you mean 'repo-link'?)"),
        ("MDV109", 27, found[4][2]),
        ("MDV121", 41, "asset 1: required field 'asset-sha256' is missing"),
        ("MDV005", 45, "duplicate key 'asset-link' (first at line 43)"),
        ("MDV101", 51, "required field 'repo-link' is missing"),
    ]
    assert "has ':' in its value" in found[2][2]


def test_cards_with_dashes_or_yaml_in_body_parse() -> None:
    for name in ("dbnet_resnet50_icdar2015.md", "hunyuan_dit.md"):
        codes = {code for code, _, _ in lint(CORPUS / "mindspore" / "2.5" / name)}
        assert not codes & {"MDV002", "MDV003", "MDV004", "MDV006", "MDV101"}, codes


def test_version_110_cards_not_flagged() -> None:
    problems = lint(*sorted((CORPUS / "mindspore" / "1.10").glob("*.md")))
    assert not [p for p in problems if p[0] == "MDV130"]
    assert not [p for p in problems if p[0].startswith("MDV0")]


def test_whole_corpus_no_crash_and_known_defects() -> None:
    problems = corpus_problems()
    rules = {rule for _, _, rule, _ in problems}
    assert "MDV011" not in rules  # no check crashed
    # The translation's full-width-colon header is not an error; its English card exists.
    assert not [p for p in problems if p[0].endswith("_cn.md")]
    usage = {(p[0].rsplit("/", 1)[1], p[3]) for p in problems if p[2] == "MDV140"}
    assert (
        "fdabnn_cifar10.md",
        "Usage loads 'mindspore/gpu/1.3/fdabnn_cifar10' but this card is "
        "'noah-cvlab/gpu/1.3/fdabnn_cifar10'",
    ) in usage
