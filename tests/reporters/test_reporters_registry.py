"""The format registry, lazy loading and the colour decision."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mdvalidator.problem import Report
from mdvalidator.reporters import FORMATS, REPORTERS, ReportOptions, formatter, render, want_color

ROOT = Path(__file__).resolve().parents[2]


class FakeStream:
    def __init__(self, tty: bool | None) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        if self.tty is None:
            raise ValueError("I/O operation on closed file")
        return self.tty


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({}, None, False),  # closed stream
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # empty NO_COLOR means "not set"
        ({"NO_COLOR": "0"}, True, False),  # any non-empty value disables
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": ""}, False, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),  # NO_COLOR wins
        ({"TERM": "dumb"}, True, False),
        ({"TERM": "dumb", "FORCE_COLOR": "3"}, False, True),
        ({"TERM": "xterm-256color"}, True, True),
    ],
)
def test_want_color(env: dict[str, str], tty: bool | None, expected: bool) -> None:
    assert want_color(FakeStream(tty), env) is expected


def test_want_color_without_isatty() -> None:
    assert want_color(object(), {}) is False


def test_formats_are_the_registry_keys() -> None:
    assert FORMATS == ("text", "json", "github", "sarif")
    assert tuple(REPORTERS) == FORMATS


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_resolves_and_ends_with_newline(fmt: str, options: ReportOptions) -> None:
    assert callable(formatter(fmt))
    out = render(fmt, Report(checked=0, problems=()), options)
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_unknown_format_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown output format 'xml' \(choose from text, json"):
        render("xml", Report(checked=0, problems=()))


def test_render_defaults_options() -> None:
    assert render("text", Report(checked=1, problems=())) == "All Passed\n"


def test_text_path_imports_no_other_format() -> None:
    code = (
        "import sys\n"
        "from mdvalidator.problem import Report\n"
        "from mdvalidator.reporters import render\n"
        "render('text', Report(checked=1, problems=()))\n"
        "names = ('json_report', 'github', 'sarif')\n"
        "print([n for n in names if 'mdvalidator.reporters.' + n in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
