"""Attack: a pull request changes the settings or rule sets that judge it (issue 9.4, 9.1).

The hub's base branch is trusted; the pull request's own ``setup.cfg`` and rule sets are not.
Each row commits the base hub on ``main``, then the pull request's files on a branch, and runs
the real CLI the way CI does (``--changed-since main``) and the way a bare ``mdvalidator .``
does (settings found in the working tree). The asset is served by a loopback server, which is
only reachable when the command line allows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import git
from sec_support_settings import (
    CARD,
    PAYLOAD,
    PAYLOAD_SHA,
    WRONG_SHA,
    Loopback,
    card_text,
    check,
    commit,
    loopback,
    make_repo,
)

__all__ = ["loopback"]

CI = ("--changed-since", "main")
OPT_IN = ("--allow-private-network",)


@dataclass(frozen=True)
class Attack:
    name: str
    pr_files: dict[str, str]  # what the pull request adds or changes besides the card
    args: tuple[str, ...]  # the maintainer's command line
    asset: str  # the asset status a user must see
    rules: tuple[str, ...]  # problems that must be reported
    notice: str  # text an MDV019 notice must contain ("" for none)
    sha: str = WRONG_SHA
    base_files: dict[str, str] | None = None


def _cfg(text: str) -> dict[str, str]:
    return {"setup.cfg": "[mdvalidator]\n" + text}


ATTACKS = [
    Attack(
        "allow-private-network in the PR's setup.cfg (CI)",
        _cfg("allow-private-network = true\n"),
        CI,
        "blocked",
        ("MDV203",),
        "take effect after merge",
    ),
    Attack(
        "allow-private-network in a found setup.cfg (no --changed-since)",
        _cfg("allow-private-network = true\n"),
        (),
        "blocked",
        ("MDV203",),
        "allow-private-network is not applied",
    ),
    Attack(
        "allow-networks covering loopback in a found setup.cfg",
        _cfg("allow-networks = 127.0.0.0/8\n"),
        (),
        "blocked",
        ("MDV203",),
        "allow-networks is not applied",
    ),
    Attack(
        "ignore = MDV in the PR's setup.cfg (CI)",
        _cfg("ignore = MDV\n"),
        (*CI, *OPT_IN),
        "mismatch",
        ("MDV201",),
        "take effect after merge",
    ),
    Attack(
        "ignore = MDV in a found setup.cfg",
        _cfg("ignore = MDV\n"),
        OPT_IN,
        "mismatch",
        ("MDV201",),
        "not applied to integrity rules",
    ),
    Attack(
        "select = MDV1 in a found setup.cfg",
        _cfg("select = MDV1\n"),
        OPT_IN,
        "mismatch",
        ("MDV201",),
        "",
    ),
    Attack(
        "per-file-ignores of MDV2 in a found setup.cfg",
        _cfg("per-file-ignores =\n    assets/*: MDV2\n"),
        OPT_IN,
        "mismatch",
        ("MDV201",),
        "not applied to integrity rules",
    ),
    Attack(
        "a PR's rule set switching MDV201 off, named by its setup.cfg",
        {
            **_cfg("rules = hub.toml\n"),
            "hub.toml": "[ruleset]\nextends = 'mindspore-hub'\nname = 'mindspore-hub'\n"
            "[severity]\nMDV201 = 'off'\nMDV203 = 'info'\n",
        },
        OPT_IN,
        "mismatch",
        ("MDV201",),
        "severity of MDV201, MDV203 is not applied",
    ),
    Attack(
        "the PR rewrites the base's rule set (CI)",
        {
            "hub.toml": "[ruleset]\nextends = 'mindspore-hub'\nname = 'mindspore-hub'\n"
            "files = ['nothing']\n[severity]\nMDV201 = 'off'\n"
        },
        (*CI, *OPT_IN),
        "mismatch",
        ("MDV201",),
        "changes a rule set; it takes effect after merge",
        base_files={
            **_cfg("rules = hub.toml\n"),
            "hub.toml": "[ruleset]\nextends = 'mindspore-hub'\nname = 'mindspore-hub'\n",
        },
    ),
    Attack(
        "the PR turns the base's inline-directives = false back on (CI)",
        _cfg("inline-directives = true\n"),
        (*CI, *OPT_IN, "--strict"),
        "verified",
        ("MDV106",),
        "take effect after merge",
        sha=PAYLOAD_SHA,
        base_files=_cfg("inline-directives = false\n"),
    ),
]


def _hub(tmp_path: Path, loopback: Loopback, attack: Attack) -> Path:
    hub = make_repo(tmp_path / "hub", attack.base_files or {"README.md": "# hub\n"})
    git(hub, "checkout", "-q", "-b", "pr")
    edits = {"evaluation: acc98.8": "evaluaton: acc98.8  # mdvalidator: disable-line=MDV106"}
    card = card_text(link=loopback.url("/lenet.ckpt"), sha=attack.sha, **edits)
    commit(hub, {CARD: card, **attack.pr_files})
    return hub


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_settings_from_the_pull_request_do_not_judge_it(
    tmp_path: Path, loopback: Loopback, attack: Attack
) -> None:
    hub = _hub(tmp_path, loopback, attack)
    run = check(hub, *attack.args, ".")
    assert run.code == 1, (run.stderr, run.report)
    assert run.report["status"] == "fail"
    assert run.asset_statuses == [attack.asset]
    for code in attack.rules:
        assert code in run.rules, run.rules
    notices = run.messages("MDV019")
    if attack.notice:
        assert any(attack.notice in m for m in notices), notices
    if attack.asset == "blocked":
        assert loopback.seen == []  # not one request reached the runner's private network


def test_mirror_in_a_found_setup_cfg_is_no_oracle_of_the_runners_files(
    tmp_path: Path, loopback: Loopback
) -> None:
    """``mirror = <link prefix>=/a/folder`` would hash the runner's own files and report
    whether the card guessed them. Ignored from a found file: the link is fetched as written."""
    secret = tmp_path / "runner" / "lenet.ckpt"
    secret.parent.mkdir()
    secret.write_bytes(b"the runner's secret")
    import hashlib

    guess = hashlib.sha256(b"the runner's secret").hexdigest()
    hub = make_repo(tmp_path / "hub", {"README.md": "# hub\n"})
    git(hub, "checkout", "-q", "-b", "pr")
    mirror = f"mirror = {loopback.url('/')}={secret.parent}/\n"
    commit(hub, {CARD: card_text(link=loopback.url("/lenet.ckpt"), sha=guess), **_cfg(mirror)})
    for args in ((*OPT_IN, "."), (*OPT_IN, *CI)):
        run = check(hub, *args)
        assert run.code == 1 and run.asset_statuses == ["mismatch"], run.report
        [asset] = run.report["assets"]
        assert asset["actual"] == PAYLOAD_SHA  # the loopback bytes, not the runner's file
        assert any("mirror" in m for m in run.messages("MDV019")) or "--changed-since" in args
    assert len(loopback.seen) == 2


def test_cache_dir_and_ca_file_in_a_found_file_are_ignored(tmp_path: Path) -> None:
    hub = make_repo(
        tmp_path / "hub",
        {CARD: card_text(), **_cfg("cache-dir = .planted\nca-file = evil.pem\n")},
    )
    run = check(hub, ".")
    notices = run.messages("MDV019")
    assert any("cache-dir is not applied" in m for m in notices), notices
    assert any("ca-file is not applied" in m for m in notices)
    assert not (hub / ".planted").exists()
    assert all(p["severity"] == "warning" for p in run.report["problems"] if p["rule"] == "MDV019")


def test_the_maintainers_config_is_trusted(tmp_path: Path, loopback: Loopback) -> None:
    """Control: the same keys from an explicit --config (outside the checkout) are honoured."""
    hub = make_repo(tmp_path / "hub", {CARD: card_text(link=loopback.url("/lenet.ckpt"))})
    git(hub, "checkout", "-q", "-b", "pr")
    commit(hub, {CARD: card_text(link=loopback.url("/lenet.ckpt"), sha=PAYLOAD_SHA)})
    config = tmp_path / "ci.cfg"
    config.write_text("[mdvalidator]\nallow-private-network = true\nignore = MDV107\n", "utf-8")
    run = check(hub, "--config", str(config), *CI)
    assert run.code == 0, (run.stderr, run.report)
    assert run.report["status"] == "pass" and run.asset_statuses == ["verified"]
    assert loopback.files["/lenet.ckpt"] == PAYLOAD


def test_base_settings_are_used_and_a_broken_pr_file_is_only_a_notice(tmp_path: Path) -> None:
    """With --changed-since, REF's settings apply (ignore = MDV106 there) even when the pull
    request removes them or breaks the file."""
    edits = {"evaluation: acc98.8": "evaluaton: acc98.8"}  # MDV106, a warning
    hub = make_repo(tmp_path / "hub", {**_cfg("ignore = MDV106\nstrict = true\n")})
    git(hub, "checkout", "-q", "-b", "pr")
    commit(hub, {CARD: card_text(**edits), "setup.cfg": "[mdvalidator]\nselekt = oops\n"})
    run = check(hub, "--offline", *CI)
    assert "MDV106" not in run.rules, run.report
    notices = run.messages("MDV019")
    assert any("unknown setting 'selekt'" in m and "after merge" in m for m in notices), notices
    assert run.code == 1  # strict (from main): the MDV019 warning fails the run
    assert run.report["status"] == "fail"


def test_settings_notice_appears_in_every_format(tmp_path: Path) -> None:
    from helpers import run_cli

    hub = make_repo(tmp_path / "hub", {"README.md": "# hub\n"})
    git(hub, "checkout", "-q", "-b", "pr")
    commit(hub, {CARD: card_text(), **_cfg("allow-private-network = true\n")})
    for fmt in ("text", "json", "github", "sarif"):
        result = run_cli(["--offline", "--format", fmt, *CI], cwd=hub)
        assert "MDV019" in result.stdout, (fmt, result.stdout)
