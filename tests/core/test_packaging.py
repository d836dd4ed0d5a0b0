"""The built wheel carries the rule sets and its version, and works outside the repository.

The wheel is built without build isolation (no network): the build backend pyproject.toml names
is a test dependency (setup.cfg, extra ``test``), installed by the README's command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GOOD_CARD, ROOT

import mdvalidator


@pytest.mark.slow
def test_installed_wheel_finds_builtin_rules(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = subprocess.run(
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
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, (
        "building the wheel needs pyproject.toml's build requirements installed (they are in "
        "setup.cfg's `test` extra and requirements/lock.txt):\n" + built.stdout + built.stderr
    )
    # The version has one source: mdvalidator.__version__ (setup.cfg `version = attr:`).
    (wheel,) = wheels.glob("mdvalidator-*.whl")
    assert wheel.name.startswith(f"mdvalidator-{mdvalidator.__version__}-"), wheel.name
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
    version = subprocess.run(
        [sys.executable, "-m", "mdvalidator", "--version"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert version.stdout.strip() == f"mdvalidator {mdvalidator.__version__}"


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


def test_the_version_is_written_once() -> None:
    import configparser
    from importlib.metadata import version

    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    assert parser["metadata"]["version"] == "attr: mdvalidator.__version__"
    # The installed metadata (editable or not) says the same as the package.
    assert version("mdvalidator") == mdvalidator.__version__
