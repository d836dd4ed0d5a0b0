"""Neutralising text that came from a pull request before it reaches a terminal, log or comment.

Card values, file names and URLs are written by strangers. Everything we echo goes through
:func:`clean` first (control, bidi and format characters, the Actions runner's older ``##[``
command syntax, length), then through the escaping its destination needs: :func:`code_span` /
:func:`fenced` for Markdown, :func:`workflow_data` / :func:`workflow_property` for GitHub
workflow commands, :func:`redact_url` for links.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_LIMIT = 300
ELLIPSIS = "…"

# Bidi embedding/override/isolate controls and marks ("Trojan Source"), plus zero-width joiners
# and the BOM: invisible characters that change how text reads without changing what it says.
# Every other format character (Unicode category Cf: soft hyphen, invisible operators, tags) goes
# too; a log viewer that compares text culture-aware skips them, so they could hide a command.
_INVISIBLE = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_REMOVED = frozenset({"Cf"})
_REPLACED = frozenset({"Cc", "Cs", "Co", "Zl", "Zp"})

# The Actions runner's older command syntax (``##[add-mask]x``, ``##[set-output name=x;]y``,
# ``##[error]z``) is recognised ANYWHERE in a log line, not only at its start. Combining marks
# and variation selectors, which a culture-aware comparison may skip, count as nothing between
# the three characters. A space after ``##`` breaks the command and still reads the same.
_SKIPPABLE = (
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f"
    "\U000e0100-\U000e01ef"
)
_OLD_COMMAND = re.compile(f"#[{_SKIPPABLE}]*#[{_SKIPPABLE}]*\\[")
OLD_COMMAND_BREAK = "## ["
_ASCII_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _replacement(char: str) -> str:
    if char in "\t\n\r":
        return " "
    if char in _INVISIBLE:
        return ""
    category = unicodedata.category(char)
    if category in _REMOVED:
        return ""
    if category in _REPLACED:
        return "\ufffd"
    return char


def neutralise_commands(text: str) -> str:
    """``text`` with every ``##[`` (the runner's older command syntax) broken by a space."""
    return _OLD_COMMAND.sub(OLD_COMMAND_BREAK, text) if "#" in text else text


def clean(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """One printable line: controls, bidi and format characters removed, ``##[`` broken,
    capped at ``limit`` characters."""
    if not text.isascii() or _ASCII_CONTROL.search(text):
        # nothing but invisible characters still shows that something was there
        text = "".join(_replacement(c) for c in text) or ("\ufffd" if text else "")
    text = neutralise_commands(text)
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return text


def code_span(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """Inline Markdown code: no link, mention, HTML or emphasis inside can take effect."""
    text = clean(text, limit)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str, limit: int = 4000) -> str:
    """A Markdown code block holding ``text`` (multi-line kept, controls removed)."""
    lines = [clean(line, limit) for line in text.splitlines()]
    body = "\n".join(lines)
    if len(body) > limit:
        body = body[: limit - 1] + ELLIPSIS
    longest = max((len(run) for run in re.findall(r"`{3,}|~{3,}", body)), default=2)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def markdown_text(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """Plain prose for Markdown: specials backslash-escaped, ``@mentions`` and ``#refs`` defused."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", clean(text, limit))
    # A word joiner after "@" stops GitHub and Gitee from notifying anyone.
    return text.replace("@", "@\u2060")


def workflow_data(text: str, limit: int = 4000) -> str:
    """The message part of a ``::error ...::message`` workflow command."""
    text = clean(text, limit)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """A ``key=value`` property of a workflow command (also escapes ``:`` and ``,``)."""
    return workflow_data(text, limit).replace(":", "%3A").replace(",", "%2C")


_SECRET_QUERY_KEYS = re.compile(
    r"^(x-amz-.*|x-goog-.*|sig|signature|token|access_token|auth|key|api_key|apikey|"
    r"password|secret|se|sp|sv|st|skoid|sktid|skt|ske|sks|skv|expires|policy|key-pair-id)$",
    re.IGNORECASE,
)


def redact_url(url: str, limit: int = DEFAULT_LIMIT) -> str:
    """A URL fit to print: user-info and signing/credential query values replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return clean(url, limit)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_QUERY_KEYS.match(k) for k, _ in pairs):
            query = urlencode(
                [(k, "***" if _SECRET_QUERY_KEYS.match(k) else v) for k, v in pairs], safe="*"
            )
    safe = urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment))
    return clean(safe, limit)


def redact(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """``text`` with every non-empty secret (a token, say) replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
