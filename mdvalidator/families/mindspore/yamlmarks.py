"""Where libyaml's marks are in the card, and the caps of a header's YAML.

Positions are 1-based lines of the file as the rest of mdvalidator counts them: ``\\n`` lines.
libyaml also breaks lines at U+0085, U+2028 and U+2029; its marks are converted here, once.
"""

from __future__ import annotations

import re
from typing import Any

MAX_NODES = 20_000
MAX_DEPTH = 64

# Line breaks of YAML 1.1 besides '\n' (CR is folded to LF before parsing).
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")
_ANY_BREAK = re.compile("[\n\x85\u2028\u2029]")


class LineMap:
    """libyaml marks (0-based, lines broken at every YAML break) -> 1-based ``\\n`` lines."""

    def __init__(self, text: str, line_offset: int) -> None:
        self.offset = line_offset
        # libyaml line -> (0-based '\n' line, columns before it on that '\n' line); None when
        # the text has no other break, so that marks only need the offset (the usual case).
        self.table: list[tuple[int, int]] | None = None
        if _OTHER_BREAKS.search(text):
            table = [(0, 0)]
            line, start = 0, 0
            for match in _ANY_BREAK.finditer(text):
                at = match.end()
                if match.group() == "\n":
                    line, start = line + 1, at
                table.append((line, at - start))
            self.table = table

    def at(self, mark: Any) -> tuple[int, int]:
        if self.table is None:
            return mark.line + 1 + self.offset, mark.column + 1
        line, shift = self.table[min(max(mark.line, 0), len(self.table) - 1)]
        return line + 1 + self.offset, mark.column + 1 + shift

    def at_index(self, text: str, index: int) -> tuple[int, int]:
        """The position of character ``index`` of ``text``."""
        index = min(max(index, 0), len(text))
        line = text.count("\n", 0, index)
        return line + 1 + self.offset, index - (text.rfind("\n", 0, index) + 1) + 1


def depth_message() -> str:
    return f"the header nests deeper than {MAX_DEPTH} levels; it was not read"
