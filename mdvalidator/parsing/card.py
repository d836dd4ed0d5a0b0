"""Asset cards: ``# title``, a YAML header between the first ``---`` pair, a Markdown body.

The header is found with markdown-it-py's block parser, so a ``---`` inside a code block, or
a later thematic break in the body, is never taken for it. A ``---`` that Markdown reads as
the underline of a setext heading (the line above it is text) still closes the header, since
that is how the hub's cards are written and read.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from mdvalidator.parsing.yamlpos import Mapping, Node, YamlIssue, parse_yaml


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
class ParseIssue:
    """Why (part of) a card could not be read; becomes a parse problem."""

    kind: str  # "encoding" | "no-header" | "unclosed-header" | "yaml" | "not-mapping"
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class AssetCard:
    path: str
    text: str
    title: Heading | None
    header: Mapping | None
    header_lines: tuple[int, int] | None  # lines of the opening and closing ``---``
    headings: tuple[Heading, ...] = ()
    code_blocks: tuple[CodeBlock, ...] = ()
    issues: tuple[ParseIssue, ...] = ()
    yaml_issues: tuple[YamlIssue, ...] = field(default=())


@cache
def _markdown() -> MarkdownIt:
    # Block structure is all we need; skipping inline parsing keeps a card under a millisecond.
    md = MarkdownIt("commonmark")
    md.disable(["inline", "text_join"], ignoreInvalid=True)
    return md


def decode(data: bytes) -> tuple[str, ParseIssue | None]:
    """UTF-8 text (BOM dropped, CRLF/CR folded to LF) and an issue at the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
        issue = None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        text = data.decode("utf-8", errors="replace")
        issue = ParseIssue("encoding", line, column, f"not valid UTF-8 ({exc.reason})")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text, issue


def _is_dash_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 3 and set(stripped) == {"-"}


def _break_lines(tokens: list[Token], lines: list[str]) -> list[int]:
    """0-based line numbers of top-level ``---`` breaks, setext underlines included."""
    found: list[int] = []
    for token in tokens:
        if token.level != 0 or token.map is None:
            continue
        if token.type == "hr" and _is_dash_line(lines[token.map[0]]):
            found.append(token.map[0])
        elif token.type == "heading_open" and token.markup == "-":
            underline = token.map[1] - 1
            if _is_dash_line(lines[underline]):
                found.append(underline)
    return found


def _inline_text(tokens: list[Token], index: int) -> str:
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following.content.strip() if following is not None else ""


def parse_card(path: str, data: bytes) -> AssetCard:
    """Parse a card's bytes. Never raises for bad input: issues record what went wrong."""
    text, encoding_issue = decode(data)
    issues: list[ParseIssue] = [encoding_issue] if encoding_issue else []
    lines = text.split("\n")
    tokens = _markdown().parse(text)
    breaks = _break_lines(tokens, lines)
    headings: list[Heading] = []
    blocks: list[CodeBlock] = []
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        if token.type == "heading_open":
            headings.append(
                Heading(int(token.tag[1:]), _inline_text(tokens, index), token.map[0] + 1)
            )
        elif token.type in ("fence", "code_block"):
            start = token.map[0] + (2 if token.type == "fence" else 1)
            blocks.append(CodeBlock(token.info.strip(), token.content, start))
    header: Node | None = None
    header_lines: tuple[int, int] | None = None
    yaml_issues: tuple[YamlIssue, ...] = ()
    if not breaks:
        issues.append(ParseIssue("no-header", 1, 1, "no YAML header: expected a '---' line"))
    elif len(breaks) == 1:
        issues.append(
            ParseIssue("unclosed-header", breaks[0] + 1, 1, "header opened here is never closed")
        )
    else:
        opening, closing = breaks[0], breaks[1]
        header_lines = (opening + 1, closing + 1)
        source = "\n".join(lines[opening + 1 : closing])
        result = parse_yaml(source, line_offset=opening + 1)
        yaml_issues = result.issues
        header = result.root
        if header is None and not result.issues:
            issues.append(ParseIssue("not-mapping", opening + 1, 1, "the header is empty"))
        elif header is not None and not isinstance(header, Mapping):
            issues.append(
                ParseIssue(
                    "not-mapping", header.line, header.column, "the header must be key: value lines"
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
