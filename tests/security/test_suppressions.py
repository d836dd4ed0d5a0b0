"""Attack: a card silences its own integrity problems with inline directives (issue 9.1).

Each row is a card a pull request could send; the real CLI verifies its asset against a
loopback server (``--allow-private-network`` is the maintainer's, on the command line) and the
verdict must stay a failure, with the integrity problem reported and the directive named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sec_support_settings import (
    CARD,
    PAYLOAD_SHA,
    SHA_LINE,
    WRONG_SHA,
    Loopback,
    card_text,
    check,
    loopback,
    make_repo,
)

__all__ = ["loopback"]  # the fixture, imported for pytest

TITLE = "# lenet"
BODY = "## Introduction"
SHA = f"    asset-sha256: {WRONG_SHA}"


@dataclass(frozen=True)
class Attack:
    name: str
    edits: dict[str, str]  # card line -> replacement lines
    link: str = "/lenet.ckpt"  # served by the loopback server (404 for others)
    sha: str = WRONG_SHA
    expected_rules: tuple[str, ...] = ("MDV201",)  # integrity problems that must be reported
    asset: str = "mismatch"
    args: tuple[str, ...] = ("--allow-private-network",)
    directive_lines: tuple[int, ...] = ()  # where MDV016 must point
    extra: dict[str, str] = field(default_factory=dict)


ATTACKS = [
    Attack(
        "blanket disable in the body (reaches no line above it)",
        {BODY: f"<!-- mdvalidator: disable -->\n{BODY}"},
    ),
    Attack(
        "blanket disable above the header",
        {TITLE: f"<!-- mdvalidator: disable -->\n{TITLE}"},
        directive_lines=(1,),
    ),
    Attack(
        "disable-file of the asset range",
        {TITLE: f"{TITLE}\n<!-- mdvalidator: disable-file=MDV2 -->"},
        directive_lines=(2,),
    ),
    Attack(
        "disable-line by rule name on the digest line",
        {SHA: f"{SHA}  # mdvalidator: disable-line=asset-sha256-mismatch"},
        directive_lines=(36,),
    ),
    Attack(
        "disable-next-line above the digest",
        {SHA: f"    # mdvalidator: disable-next-line=MDV201\n{SHA}"},
        directive_lines=(36,),
    ),
    Attack(
        "disable of every code prefix",
        {TITLE: f"{TITLE}\n<!-- mdvalidator: disable=MDV,MDV0,MDV1,MDV2,MDV3 -->"},
        directive_lines=(2,),
    ),
    Attack(
        "a blocked asset (no opt-in) under a blanket disable",
        {TITLE: f"<!-- mdvalidator: disable -->\n{TITLE}"},
        expected_rules=("MDV203",),
        asset="blocked",
        args=(),
        directive_lines=(1,),
    ),
    Attack(
        "an unreachable asset under disable-file",
        {TITLE: f"{TITLE}\n<!-- mdvalidator: disable-file -->"},
        link="/missing.ckpt",
        expected_rules=("MDV202",),
        asset="unreachable",
        directive_lines=(2,),
    ),
    Attack(
        "a second asset-link (duplicate key) under disable-file",
        {
            TITLE: f"{TITLE}\n<!-- mdvalidator: disable-file -->",
            f"    asset-sha256: {PAYLOAD_SHA}": f"    asset-sha256: {PAYLOAD_SHA}\n"
            "    asset-link: <https://evil.example/x.ckpt>",
        },
        sha=PAYLOAD_SHA,
        expected_rules=("MDV005",),
        asset="",
        directive_lines=(2,),
    ),
    Attack(
        "a YAML anchor (unsupported) under a header comment disable",
        {
            "model-name: lenet": "# mdvalidator: disable-file=MDV010\nmodel-name: &n lenet",
            "backbone-name: lenet": "backbone-name: *n",
        },
        sha=PAYLOAD_SHA,
        expected_rules=("MDV010",),
        asset="",
        directive_lines=(5,),
    ),
]


def _hub(tmp_path: Path, loopback: Loopback, attack: Attack) -> Path:
    text = card_text(link=loopback.url(attack.link), sha=attack.sha, **attack.edits)
    return make_repo(tmp_path / "hub", {CARD: text, **attack.extra})


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_directives_cannot_silence_integrity(
    tmp_path: Path, loopback: Loopback, attack: Attack
) -> None:
    hub = _hub(tmp_path, loopback, attack)
    run = check(hub, *attack.args, ".")
    assert run.code == 1, (run.stderr, run.report)
    assert run.report["status"] == "fail"
    for code in attack.expected_rules:
        assert code in run.rules, run.rules
    if attack.asset:
        assert run.asset_statuses == [attack.asset]
    refused = [p for p in run.report["problems"] if p["rule"] == "MDV016"]
    assert sorted({p["line"] for p in refused}) == list(attack.directive_lines), refused
    assert all("cannot silence integrity rules" in p["message"] for p in refused)
    assert "Traceback" not in run.stderr


def test_invalid_encoding_under_disable_file(tmp_path: Path) -> None:
    text = card_text(**{TITLE: f"{TITLE}\n<!-- mdvalidator: disable-file -->"}).encode()
    hub = make_repo(tmp_path / "hub", {CARD: text.replace(b"lenet is used", b"lenet \xff used")})
    run = check(hub, "--offline", ".")
    assert run.code == 1 and run.report["status"] == "fail"
    assert "MDV001" in run.rules and "MDV016" in run.rules


def test_the_same_directives_still_silence_ordinary_rules(
    tmp_path: Path, loopback: Loopback
) -> None:
    """Control: directives keep working for what they are for (a typo'd key, MDV106)."""
    edits = {
        "evaluation: acc98.8": "evaluaton: acc98.8  # mdvalidator: disable-line=MDV106",
    }
    hub = make_repo(
        tmp_path / "hub",
        {CARD: card_text(link=loopback.url("/lenet.ckpt"), sha=PAYLOAD_SHA, **edits)},
    )
    run = check(hub, "--allow-private-network", "--strict", ".")
    assert run.code == 0, run.report
    assert run.report["status"] == "pass" and run.asset_statuses == ["verified"]
    assert run.rules == []


def test_ignoring_a_mismatch_on_the_command_line_hides_it_but_never_passes(
    tmp_path: Path, loopback: Loopback
) -> None:
    """The command line is trusted to choose what is listed (--ignore MDV201 drops the
    problem), but a mismatching asset never yields a pass: the run fails on the asset itself,
    which the report still shows as a mismatch (--offline is how not to verify)."""
    hub = make_repo(tmp_path / "hub", {CARD: card_text(link=loopback.url("/lenet.ckpt"))})
    run = check(hub, "--allow-private-network", "--ignore", "MDV201", ".")
    assert run.code == 1 and "MDV201" not in run.rules
    assert run.report["status"] == "fail"
    assert run.asset_statuses == ["mismatch"]


def test_directives_turned_off_by_the_hub(tmp_path: Path) -> None:
    edits = {"evaluation: acc98.8": "evaluaton: acc98.8  # mdvalidator: disable-line=MDV106"}
    hub = make_repo(
        tmp_path / "hub",
        {CARD: card_text(**edits), "setup.cfg": "[mdvalidator]\ninline-directives = false\n"},
    )
    run = check(hub, "--offline", "--strict", ".")
    assert run.code == 1 and "MDV106" in run.rules


assert SHA_LINE  # the line the edits above replace exists in the fixture
