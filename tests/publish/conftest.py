"""Fixtures of the publisher tests: the stand-in servers of ``publish_standin`` and reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from publish_standin import (
    GiteeStandIn,
    GithubStandIn,
    gitee_stand_in,
    github_stand_in,
    make_report,
)


@pytest.fixture
def github() -> Iterator[GithubStandIn]:
    yield from github_stand_in()


@pytest.fixture
def gitee() -> Iterator[GiteeStandIn]:
    yield from gitee_stand_in()


@pytest.fixture
def report_of():  # type: ignore[no-untyped-def]
    """``make_report`` as a fixture (test modules do not import conftest)."""
    return make_report


@pytest.fixture
def write_report(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(data: object, name: str = "report.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write
