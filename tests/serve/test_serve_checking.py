"""The checker adapter: a pull request's files in memory, judged by the base commit's settings."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from serve_support import FOLDER, card

from mdvalidator.ruleset import RuleSetError
from mdvalidator.serve.checking import (
    CheckOptions,
    check_pull_request,
    descriptor_paths,
    ruleset_paths,
    safe_path,
)
from mdvalidator.serve.settings import check_namespace

URL, SHA = "https://assets.example/lenet.ckpt", "ab" * 32
GOOD = card("lenet_mnist", URL, SHA)
BAD = card("alexnet_cifar10", URL, SHA, good=False)


@pytest.fixture
def options() -> CheckOptions:
    args = check_namespace(argparse.Namespace())
    args.offline = True
    return CheckOptions(args, "base 0123456789ab")


def codes(report: object) -> list[tuple[str, str]]:
    return [(p.path, p.rule) for p in report.problems]  # type: ignore[attr-defined]


def test_good_and_bad_cards(options: CheckOptions) -> None:
    files = {f"{FOLDER}/lenet_mnist.md": GOOD, f"{FOLDER}/alexnet_cifar10.md": BAD}
    report = check_pull_request(files, list(files), {}, options)
    assert report.failed() and report.checked == 2
    assert (f"{FOLDER}/alexnet_cifar10.md", "MDV103") in codes(report)
    assert not [c for c in codes(report) if c[0].endswith("lenet_mnist.md")]


@pytest.mark.parametrize(
    "name",
    [
        "/etc/x.md",
        "../x.md",
        "assets/../../x.md",
        "assets/x\x00.md",
        "assets/x\x1b[2J.md",
        "assets\\x.md",
        "C:x.md",
        "assets//x.md",
        "assets/./x.md",
        "assets/x\u202e.md",
    ],
)
def test_unsafe_names_are_reported_and_never_checked_under_another_name(
    name: str, options: CheckOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert safe_path(name) is None
    report = check_pull_request({name: GOOD, f"{FOLDER}/lenet_mnist.md": GOOD}, [], {}, options)
    assert report.failed() and codes(report) == [(name, "MDV008")] and report.checked == 2
    assert list(tmp_path.iterdir()) == []  # the engine read from memory: nothing was written


def test_a_descriptor_the_forge_would_not_serve_fails(options: CheckOptions) -> None:
    report = check_pull_request({}, [], {}, options, unreadable={f"{FOLDER}/l.md": "a link"})
    assert report.failed() and codes(report) == [(f"{FOLDER}/l.md", "MDV008")]


def test_no_descriptor_changed_is_a_pass_with_a_notice(options: CheckOptions) -> None:
    report = check_pull_request({}, ["README.md"], {}, options)
    assert not report.failed() and codes(report) == [(".", "MDV018")]


def test_the_base_commits_settings_are_trusted(options: CheckOptions) -> None:
    settings = {"setup.cfg": b"[mdvalidator]\nignore = MDV103\n"}
    report = check_pull_request({f"{FOLDER}/alexnet_cifar10.md": BAD}, [], settings, options)
    assert not report.failed()


def test_a_pull_request_changing_the_settings_is_told_they_wait_for_merge(
    options: CheckOptions,
) -> None:
    report = check_pull_request(
        {f"{FOLDER}/alexnet_cifar10.md": BAD}, [], {}, options, changed_settings=["setup.cfg"]
    )
    assert report.failed() and ("setup.cfg", "MDV019") in codes(report)
    assert "after merge" in next(p.message for p in report.problems if p.rule == "MDV019")


def test_network_keys_of_the_base_settings_are_refused(options: CheckOptions) -> None:
    settings = {"pyproject.toml": b"[tool.mdvalidator]\nallow-private-network = true\n"}
    report = check_pull_request({f"{FOLDER}/lenet_mnist.md": GOOD}, [], settings, options)
    assert any(p.rule == "MDV019" and "allow-private-network" in p.message for p in report.problems)


def test_rule_sets_named_by_the_base_settings_are_read_from_the_base(options: CheckOptions) -> None:
    settings = {"setup.cfg": b"[mdvalidator]\nrules = tools/hub.toml\n"}
    assert ruleset_paths(settings, options) == ["tools/hub.toml"]
    with pytest.raises(RuleSetError, match="no such rule set"):
        check_pull_request({f"{FOLDER}/lenet_mnist.md": GOOD}, [], settings, options)
    hub = b'[ruleset]\nname = "hub"\nextends = "mindspore-hub"\n\n[severity]\nMDV103 = "warning"\n'
    report = check_pull_request(
        {f"{FOLDER}/alexnet_cifar10.md": BAD}, [], {**settings, "tools/hub.toml": hub}, options
    )
    assert not report.failed() and ("assets/mindspore/1.10/alexnet_cifar10.md", "MDV103") in codes(
        report
    )
    escape = {"setup.cfg": b"[mdvalidator]\nrules = ../../etc/x.toml\n"}
    assert ruleset_paths(escape, options) == []


def test_descriptor_paths_follow_the_rule_sets(options: CheckOptions) -> None:
    paths = [f"{FOLDER}/lenet_mnist.md", "README.md", "tools/x.py", "docs/guide.md"]
    assert descriptor_paths(paths, {}, options) == [f"{FOLDER}/lenet_mnist.md"]


def test_sibling_names_come_from_the_tree(options: CheckOptions) -> None:
    cn = card("lenet_mnist", URL, SHA)
    alone = check_pull_request({f"{FOLDER}/lenet_mnist_cn.md": cn}, [], {}, options)
    assert ("assets/mindspore/1.10/lenet_mnist_cn.md", "MDV134") in codes(alone)
    tree = [f"{FOLDER}/lenet_mnist.md", f"{FOLDER}/lenet_mnist_cn.md"]
    paired = check_pull_request({f"{FOLDER}/lenet_mnist_cn.md": cn}, tree, {}, options)
    assert not [c for c in codes(paired) if c[1] == "MDV134"]
    clash = check_pull_request(
        {f"{FOLDER}/lenet_mnist.md": GOOD}, [f"{FOLDER}/LeNet_mnist.md"], {}, options
    )
    assert ("assets/mindspore/1.10/lenet_mnist.md", "MDV133") in codes(clash)


@pytest.mark.parametrize(
    ("offline", "settings", "expected"),
    [
        (False, {}, True),  # the bot reads each card's conf file by default (issue 13)
        (False, {"setup.cfg": b"[mdvalidator]\ncheck-conf = false\n"}, False),
        (True, {}, False),  # --offline wins
    ],
)
def test_the_bot_checks_conf_files_unless_told_not_to(
    options: CheckOptions,
    monkeypatch: pytest.MonkeyPatch,
    offline: bool,
    settings: dict[str, bytes],
    expected: bool,
) -> None:
    from mdvalidator import engine

    seen: list[bool] = []
    real = engine.execute

    def spy(sources: Any, rulesets: Any, run_options: engine.RunOptions) -> Any:
        seen.append(run_options.check_conf)
        return real(sources, rulesets, dataclasses.replace(run_options, offline=True))

    monkeypatch.setattr(engine, "execute", spy)
    options.args.offline = offline
    check_pull_request({f"{FOLDER}/lenet_mnist.md": GOOD}, [], settings, options)
    assert seen == [expected]
