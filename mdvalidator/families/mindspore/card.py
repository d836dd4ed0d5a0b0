"""Asset cards: ``# title``, a YAML header between the first ``---`` pair, a Markdown body.

The header is found with markdown-it-py's block parser, so a ``---`` inside a code block, or
a later thematic break in the body, is never taken for it. A ``---`` that Markdown reads as
the underline of a setext heading (the line above it is text) still closes the header, since
that is how the hub's cards are written and read.

Lines are ``\n`` lines of the decoded text (CRLF and CR folded); every position reported from
here, the YAML's included (``yamlmarks`` converts libyaml's), is in those lines. The block parse
is given at most ``MAX_LINES`` lines and stops after ``MAX_TOKENS`` Markdown tokens
(markdown-it keeps several numbers per line and an object per token), so a hostile body cannot
exhaust memory; the header's YAML has caps of its own.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from mdvalidator.document import Issue, IssueKind, Mapping, Node
from mdvalidator.families.mindspore.yamlread import parse_yaml
from mdvalidator.sanitize import clean


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class CodeBlock:
    info: str
    content: str
    line: int  # line of the first content line


@dataclass(frozen=True)
class AssetCard:
    path: str
    text: str
    title: Heading | None
    header: Mapping | None
    header_lines: tuple[int, int] | None  # lines of the opening and closing ``---``
    headings: tuple[Heading, ...] = ()
    code_blocks: tuple[CodeBlock, ...] = ()
    issues: tuple[Issue, ...] = ()
    yaml_issues: tuple[Issue, ...] = field(default=())


@cache
def _markdown() -> MarkdownIt:
    # Block structure is all we need; skipping inline parsing keeps a card under a millisecond.
    # "normalize" (CRLF and NUL) is done once by decode().
    md = MarkdownIt("commonmark")
    md.disable(["inline", "text_join", "normalize"], ignoreInvalid=True)
    return md


MAX_TOKENS = 20_000  # the largest real card has about 1,100
MAX_LINES = 50_000  # ... and 1,200 lines
_NUL_LINES_SHOWN = 10


def decode(data: bytes) -> tuple[str, tuple[Issue, ...]]:
    """UTF-8 text (BOM dropped, CRLF/CR folded to LF, NUL replaced by U+FFFD) and issues: at
    the first bad byte, and at each line holding a NUL character."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    issues: list[Issue] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        text = data.decode("utf-8", errors="replace")
        issues.append(Issue(IssueKind.ENCODING, line, column, f"not valid UTF-8 ({exc.reason})"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        issues.extend(_nul_issues(text))
        text = text.replace("\x00", "\ufffd")
    return text, tuple(issues)


def _nul_issues(text: str) -> list[Issue]:
    """One issue per line holding NUL characters (the first few lines, then a count)."""
    found: dict[int, list[int]] = {}  # line -> [column of the first NUL, count]
    line, last = 1, 0
    for match in re.finditer("\x00+", text):
        at = match.start()
        line += text.count("\n", last, at)
        last = at
        entry = found.setdefault(line, [at - (text.rfind("\n", 0, at) + 1) + 1, 0])
        entry[1] += len(match.group())
    issues = []
    for number, (line, (column, count)) in enumerate(found.items()):
        if number == _NUL_LINES_SHOWN:
            rest = len(found) - _NUL_LINES_SHOWN
            issues.append(
                Issue(IssueKind.NUL, line, column, f"NUL characters on {rest} more lines from here")
            )
            break
        what = "a NUL character" if count == 1 else f"{count} NUL characters"
        issues.append(Issue(IssueKind.NUL, line, column, f"{what} (U+0000) in the text"))
    return issues


def _is_dash_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 3 and set(stripped) == {"-"}


@dataclass
class _Structure:
    """What the block parse yields: ``---`` break lines (0-based), headings, code blocks."""

    breaks: list[int] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    blocks: list[CodeBlock] = field(default_factory=list)
    tokens: int = field(default=0, compare=False)  # Markdown tokens made by all scans
    lines: int = field(default=0, compare=False)  # lines given to markdown-it by all scans
    overflow: Issue | None = None  # the token cap was reached: the rest is unread


class _TokenCap(Exception):
    pass


class _CappedTokens(list[Token]):
    """The token list markdown-it appends to; it stops the parse at a number of tokens."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def append(self, token: Token) -> None:
        if len(self) >= self.room:
            raise _TokenCap
        super().append(token)


def _block_tokens(source: str, into: _Structure) -> tuple[list[Token], bool]:
    """markdown-it's block tokens of ``source`` (what ``MarkdownIt.parse`` gives with inline
    rules off), at most as many as ``into`` has room for; True when the cap cut them."""
    md = _markdown()
    tokens = _CappedTokens(MAX_TOKENS - into.tokens)
    try:
        md.block.parse(source, md, {}, tokens)
    except _TokenCap:
        into.tokens = MAX_TOKENS
        return tokens, True
    into.tokens += len(tokens)
    return tokens, False


def _scan(lines: list[str], first: int, last: int, into: _Structure) -> None:
    """Block-parse ``lines[first:last]`` alone (a top-level boundary must precede ``first``)."""
    if into.overflow is not None:
        return
    room = MAX_LINES - into.lines
    clipped = last - first > room
    if clipped:
        last = first + room
    into.lines += last - first
    tokens, capped = _block_tokens("\n".join(lines[first:last]), into)
    if capped:
        at = next((t.map[0] for t in reversed(tokens) if t.map is not None), 0) + first
        message = f"the card has more than {MAX_TOKENS} Markdown blocks; the rest was not checked"
        into.overflow = Issue(IssueKind.TOO_COMPLEX, at + 1, 1, message)
    elif clipped:
        message = f"the card has more than {MAX_LINES} lines of Markdown; the rest was not checked"
        into.overflow = Issue(IssueKind.TOO_COMPLEX, last + 1, 1, message)
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map[0] + first, token.map[1] + first
        if token.type == "hr":
            if token.level == 0 and _is_dash_line(lines[start]):
                into.breaks.append(start)
        elif token.type == "heading_open":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            text = following.content.strip() if following is not None else ""
            into.headings.append(Heading(int(token.tag[1:]), text, start + 1))
            if token.level == 0 and token.markup == "-" and _is_dash_line(lines[end - 1]):
                into.breaks.append(end - 1)  # a setext underline
        elif token.type in ("fence", "code_block"):
            offset = 2 if token.type == "fence" else 1
            into.blocks.append(CodeBlock(token.info.strip(), token.content, start + offset))


# Lines that may open a block reaching past its own line in ways a later '---' depends on:
# fences, HTML blocks, block quotes, link reference definitions (their titles span lines),
# also when they follow list markers. Over-cautious on purpose: such cards take the full parse.
_RISKY = re.compile(r"^[ \t\f\v*+0-9.)-]*[<>\[]|```|~~~", re.MULTILINE)
# The plain header delimiter the fast path looks for, and any other line of only dashes.
_DELIMITER = re.compile(r"^---+[ \t]*$", re.MULTILINE)
_DASHES = re.compile(r"^[^\S\n]*---+[^\S\n]*$", re.MULTILINE)


def _quick_interior(text: str) -> tuple[int, int] | None:
    """Opening and closing ``---`` lines (0-based) when the block parse of the lines between
    them is known without running it (None when in doubt: the whole card is parsed instead).

    Between two column-0 ``---`` lines, with no fence, HTML block, quote or link reference
    anywhere above the closing one and no other dash line between them, markdown-it can only
    read the closing line as a top-level break (a thematic break, or the underline of the
    text above it), and nothing in between as one. The header's interior is YAML, so its
    Markdown tokens are not needed; the card's text before and after is still block-parsed
    (and the opening line checked to be the first break). tests/core/test_fuzz.py checks
    this path against the whole-card parse on mutated real cards.
    """
    delimiters = _DELIMITER.finditer(text)
    opening = next(delimiters, None)
    closing = next(delimiters, None)
    if opening is None or closing is None:
        return None
    if _RISKY.search(text, 0, closing.start()):
        return None
    if _DASHES.search(text, opening.end() + 1, closing.start()):
        return None
    first = text.count("\n", 0, opening.start())
    return first, first + text.count("\n", opening.start(), closing.start())


def _structure(text: str, lines: list[str]) -> _Structure:
    quick = _quick_interior(text)
    if quick is not None:
        opening, closing = quick
        found = _Structure()
        _scan(lines, 0, opening + 1, found)
        if found.breaks == [opening]:
            _scan(lines, closing + 1, len(lines), found)
            found.breaks.insert(1, closing)
            return found
    return _full_structure(lines)


def _full_structure(lines: list[str]) -> _Structure:
    """The block parse of the whole card (what the fast path of ``_structure`` must equal)."""
    found = _Structure()
    _scan(lines, 0, len(lines), found)
    if len(found.breaks) >= 2:
        # Between the header's '---' lines is YAML: what Markdown reads there as headings or
        # code blocks is not the card's (lines here are 1-based, the breaks 0-based).
        opening, closing = found.breaks[0], found.breaks[1]
        found.headings = [h for h in found.headings if not opening + 1 < h.line <= closing]
        found.blocks = [b for b in found.blocks if not opening + 1 < b.line <= closing]
    return found


@cache
def _dash_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(k) for k in keys)
    return re.compile(rf"^(?:{names})[ \t]*:[ \t]*(-)[ \t]*$", re.MULTILINE)


def dash_values(source: str, keys: tuple[str, ...], line_offset: int) -> tuple[str, list[Issue]]:
    """``key: -`` lines of ``keys`` read as ``key: no`` (what the hub's tools do), with an
    issue at each dash. ``source`` starts on line ``line_offset + 1``."""
    if not keys or "-" not in source:
        return source, []
    issues: list[Issue] = []
    parts: list[str] = []
    done = 0
    for match in _dash_pattern(keys).finditer(source):
        dash = match.start(1)
        line = source.count("\n", 0, dash) + 1 + line_offset
        column = dash - (source.rfind("\n", 0, dash) + 1) + 1
        key = match.group().split(":", 1)[0].strip()
        message = (
            f"'{key}: -' is read as '{key}: no' by the hub's tools (YAML alone refuses a bare "
            f"'-'): write '{key}: no' (mdvalidator --fix does)"
        )
        issues.append(Issue(IssueKind.DASH_VALUE, line, column, clean(message)))
        parts += [source[done:dash], "no"]
        done = dash + 1
    if not issues:
        return source, []
    return "".join([*parts, source[done:]]), issues


def parse_card(path: str, data: bytes, dash_keys: tuple[str, ...] = ()) -> AssetCard:
    """Parse a card's bytes. Never raises for bad input: issues record what went wrong.

    ``dash_keys``: header keys whose ``key: -`` means ``key: no`` (the rule set's
    ``[card] dash-means-no``).
    """
    text, decode_issues = decode(data)
    issues: list[Issue] = list(decode_issues)
    lines = text.split("\n")
    found = _structure(text, lines)
    if found.overflow is not None:
        issues.append(found.overflow)
    breaks, headings, blocks = found.breaks, found.headings, found.blocks
    header: Node | None = None
    header_lines: tuple[int, int] | None = None
    yaml_issues: tuple[Issue, ...] = ()
    if not breaks:
        issues.append(Issue(IssueKind.NO_HEADER, 1, 1, "no YAML header: expected a '---' line"))
    elif len(breaks) == 1:
        issues.append(
            Issue(IssueKind.UNCLOSED_HEADER, breaks[0] + 1, 1, "header opened here is never closed")
        )
    else:
        opening, closing = breaks[0], breaks[1]
        header_lines = (opening + 1, closing + 1)
        source = "\n".join(lines[opening + 1 : closing])
        source, dashes = dash_values(source, dash_keys, opening + 1)
        result = parse_yaml(source, line_offset=opening + 1)
        yaml_issues = (*dashes, *result.issues) if dashes else result.issues
        header = result.root
        if header is None and not result.issues:
            issues.append(Issue(IssueKind.NOT_MAPPING, opening + 1, 1, "the header is empty"))
        elif header is not None and not isinstance(header, Mapping):
            issues.append(
                Issue(
                    IssueKind.NOT_MAPPING,
                    header.line,
                    header.column,
                    "the header must be key: value lines",
                )
            )
            header = None
    title = next((h for h in headings if h.level == 1), None)
    body_headings = tuple(h for h in headings if header_lines is None or h.line > header_lines[1])
    return AssetCard(
        path=path,
        text=text,
        title=title if title and (header_lines is None or title.line < header_lines[0]) else None,
        header=header if isinstance(header, Mapping) else None,
        header_lines=header_lines,
        headings=body_headings,
        code_blocks=tuple(blocks),
        issues=tuple(issues),
        yaml_issues=yaml_issues,
    )
