"""The built wheel carries the rule sets and works outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GOOD_CARD, ROOT


@pytest.mark.slow
def test_installed_wheel_finds_builtin_rules(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(wheels.glob("mdvalidator-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (target / "mdvalidator" / "rules" / "mindspore-hub.toml").is_file()
    assert (target / "mdvalidator" / "rules" / "digits-model-store.toml").is_file()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    card = outside / "lenet_mnist.md"
    card.write_bytes(GOOD_CARD.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import mdvalidator, sys; print(mdvalidator.__file__)"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert probe.stdout.startswith(str(target))
    result = subprocess.run(
        [sys.executable, "-m", "mdvalidator", "--offline", "--ignore", "MDV140", str(card)],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All Passed" in result.stdout


def test_every_package_is_listed_in_setup_cfg() -> None:
    import configparser

    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(parser["options"]["packages"].split())
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "mdvalidator").rglob("__init__.py")
    }
    assert found | {"mdvalidator.rules"} == listed
