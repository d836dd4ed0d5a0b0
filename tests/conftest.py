"""Fixtures shared by every test folder: a card builder laid out like a hub."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import GOOD_CARD


@pytest.fixture
def make_card(tmp_path: Path) -> Callable[..., Path]:
    """Write a card into ``tmp_path/assets/<folder>/<name>``: the good card, edited.

    ``replace`` maps a line (exact text) to its replacement (``None`` deletes it; a text with
    newlines inserts several lines); ``text`` gives the whole card instead.
    """

    def build(
        name: str = "lenet_mnist.md",
        folder: str = "mindspore/1.10",
        replace: dict[str, str | None] | None = None,
        text: str | bytes | None = None,
    ) -> Path:
        target = tmp_path / "assets" / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
            return target
        if text is None:
            lines = GOOD_CARD.read_text("utf-8").split("\n")
            for old, new in (replace or {}).items():
                assert old in lines, f"template has no line {old!r}"
                index = lines.index(old)
                lines[index : index + 1] = [] if new is None else new.split("\n")
            text = "\n".join(lines)
        target.write_text(text, "utf-8", newline="")
        return target

    return build
