"""``sanitize.clean`` and friends: what no echoed text may still hold."""

from __future__ import annotations

import pytest

from mdvalidator.sanitize import clean, markdown_text, workflow_data, workflow_property


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("##[add-mask]secret", "## [add-mask]secret"),
        ("##[set-output name=x;]value", "## [set-output name=x;]value"),
        ("before ##[error]after", "before ## [error]after"),
        ("###[x]", "### [x]"),
        ("#\u0301#[add-mask]x", "## [add-mask]x"),  # a combining mark between
        ("#\ufe0f#\ufe0f[debug]x", "## [debug]x"),  # variation selectors between
        ("#\u00ad#[add-mask]x", "## [add-mask]x"),  # a soft hyphen (Cf) is removed first
        ("#\u200b#[add-mask]x", "## [add-mask]x"),
        ("# #[not a command]", "# #[not a command]"),
        ("##", "##"),
        ("[##]", "[##]"),
        ("a\u202eb\u2066c", "abc"),
        ("tab\tnew\nline\rret", "tab new line ret"),
        ("bell\x07esc\x1b[0m", "bell\ufffdesc\ufffd[0m"),
        ("c1\x85control", "c1\ufffdcontrol"),
        ("line\u2028sep", "line\ufffdsep"),
        ("soft\u00adhyphen\u2061op", "softhyphenop"),
        ("\u00ad\u200b", "\ufffd"),  # only invisible characters: something was there
        ("", ""),
        ("中文 ##[x]", "中文 ## [x]"),
    ],
)
def test_clean(text: str, expected: str) -> None:
    assert clean(text) == expected
    assert clean(clean(text)) == clean(text)  # idempotent


def test_clean_caps_and_never_rebuilds_a_command() -> None:
    assert clean("x" * 10, 5) == "xxxx…"
    assert "##[" not in clean("#" * 299 + "#[", 300)


def test_workflow_and_markdown_escapes_break_old_commands_too() -> None:
    assert "##[" not in workflow_data("a\n##[add-mask]b")
    assert "##[" not in workflow_property("##[add-path]x,y:z")
    assert "##[" not in markdown_text("##[add-mask]x")
