"""The lock files in requirements/ are in step with setup.cfg and pyproject.toml.

They are made by ``bash requirements/compile.sh`` (uv); these checks need no network and fail
when a dependency or a floor changes in setup.cfg without the locks being made again.
"""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
LOCKS = ("lock.txt", "runtime.txt", "lowest.txt")
ENTRY = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)(?:\s*;\s*(?P<marker>.*?))?\s*\\?$"
)

# Every Python setup.cfg supports and CI tests; a pin must exist for each.
PYTHONS = ("3.10", "3.11", "3.12", "3.13")


def pins(name: str) -> list[tuple[str, Version, Marker | None]]:
    """(package, version, marker) of every entry in a lock file; each entry must carry a hash."""
    entries: list[tuple[str, Version, Marker | None]] = []
    lines = (REQUIREMENTS / name).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line or line.startswith((" ", "#")):
            continue
        found = ENTRY.match(line)
        assert found, f"{name}:{number + 1}: not a pinned requirement: {line!r}"
        assert lines[number + 1].lstrip().startswith("--hash=sha256:"), f"{name}: {line}"
        marker = Marker(found["marker"]) if found["marker"] else None
        entries.append((canonicalize_name(found["name"]), Version(found["version"]), marker))
    return entries


def pinned_for(
    entries: list[tuple[str, Version, Marker | None]], python: str
) -> dict[str, Version]:
    """The versions pip installs from a lock on a Linux CPython of that version."""
    environment = {"python_version": python, "python_full_version": f"{python}.0",
                   "sys_platform": "linux", "platform_system": "Linux",
                   "implementation_name": "cpython",
                   "platform_python_implementation": "CPython"}  # fmt: skip
    chosen: dict[str, Version] = {}
    for package, version, marker in entries:
        if marker is None or marker.evaluate(environment):
            assert package not in chosen, f"two pins of {package} for Python {python}"
            chosen[package] = version
    return chosen


def declared(*extras: str) -> list[Requirement]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = parser["options"]["install_requires"].splitlines()
    for extra in extras:
        lines += parser["options.extras_require"][extra].splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def build_requirements() -> list[Requirement]:
    with open(ROOT / "pyproject.toml", "rb") as stream:
        return [Requirement(r) for r in tomllib.load(stream)["build-system"]["requires"]]


def applies(requirement: Requirement, python: str) -> bool:
    return requirement.marker is None or requirement.marker.evaluate({"python_version": python})


@pytest.mark.parametrize("lock", LOCKS)
def test_every_entry_is_pinned_and_hashed(lock: str) -> None:
    assert pins(lock), lock


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize(
    ("lock", "extras", "with_build"),
    [
        ("lock.txt", ("test", "lint", "serve"), True),
        ("runtime.txt", (), True),
        ("lowest.txt", ("test",), True),
    ],
)
def test_each_lock_satisfies_what_setup_cfg_declares(
    lock: str, extras: tuple[str, ...], with_build: bool, python: str
) -> None:
    chosen = pinned_for(pins(lock), python)
    wanted = declared(*extras) + (build_requirements() if with_build else [])
    for requirement in wanted:
        if not applies(requirement, python):
            continue
        name = canonicalize_name(requirement.name)
        assert name in chosen, f"{lock} has no pin of {name} for Python {python}"
        assert requirement.specifier.contains(chosen[name], prereleases=True), (
            f"{lock} pins {name}=={chosen[name]}, outside setup.cfg's {requirement}: run "
            "bash requirements/compile.sh"
        )


@pytest.mark.parametrize("python", PYTHONS)
def test_lowest_holds_every_direct_dependency_at_its_floor(python: str) -> None:
    chosen = pinned_for(pins("lowest.txt"), python)
    for requirement in declared("test"):
        floors = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
        if not floors or not applies(requirement, python):
            continue
        name = canonicalize_name(requirement.name)
        assert chosen[name] == max(floors), (
            f"lowest.txt pins {name}=={chosen[name]}, not setup.cfg's floor {requirement}"
        )


@pytest.mark.parametrize("python", PYTHONS)
def test_runtime_is_the_lock_less_the_tools(python: str) -> None:
    runtime = pinned_for(pins("runtime.txt"), python)
    lock = pinned_for(pins("lock.txt"), python)
    for name, version in runtime.items():
        assert lock.get(name) == version, (
            f"runtime.txt {name}=={version}, lock.txt {lock.get(name)}"
        )
    assert not {"pytest", "ruff", "mypy", "zizmor"} & set(runtime)


def test_holds_are_kept() -> None:
    holds = [
        Requirement(line.split("#")[0])
        for line in (REQUIREMENTS / "holds.txt").read_text(encoding="utf-8").splitlines()
        if line.split("#")[0].strip()
    ]
    if not holds:
        pytest.skip("holds.txt holds nothing back at the moment")
    for python in PYTHONS:
        lock = pinned_for(pins("lock.txt"), python)
        for hold in holds:
            name = canonicalize_name(hold.name)
            assert hold.specifier.contains(lock[name]), (name, lock[name], str(hold))


def test_build_requirements_are_locked_inputs_and_test_dependencies() -> None:
    """compile.sh copies them to build.in; the test extra carries them (test_packaging.py)."""
    text = (REQUIREMENTS / "build.in").read_text(encoding="utf-8")
    listed = [line for line in text.splitlines() if line and not line.startswith("#")]
    build = build_requirements()
    assert listed == [str(r) for r in build]
    test_extra = {canonicalize_name(r.name): r for r in declared("test")}
    for requirement in build:
        name = canonicalize_name(requirement.name)
        assert name in test_extra, f"setup.cfg's test extra lacks the build requirement {name}"
        if requirement.specifier:
            assert test_extra[name].specifier == requirement.specifier, (
                test_extra[name],
                requirement,
            )
