"""The rolling issue of a scheduled audit: one issue, kept by the bot, whatever the forge.

``mdvalidator publish github|gitee --issue TITLE REPORT.json`` keeps ONE issue up to date: it is
created when an asset is dead, mismatched or blocked (:data:`ALARM`), edited in place on later
runs, closed when none is, and reopened (or created again) the next time one is. The issue is
found again by its exact title, the hidden marker its body starts with (:func:`marker`) AND its
author: an issue someone else opened with the same title, marker and all, is never adopted.

This module holds what does not depend on the forge: the body (:func:`draft`), whether an issue
is ours (:func:`is_ours`) and what to do with it (:func:`plan`). Everything in the body that came
from the report (paths, messages, URLs, hosts) is untrusted: it is cleaned, Markdown-escaped or
put in code spans, ``@`` is defused so no one is notified, and the body is capped at the
forge's limit.
"""

from __future__ import annotations

import argparse
import enum
import hashlib
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from mdvalidator.audit.auditreport import AuditedAsset, AuditReport
from mdvalidator.audit.cards import Card, cards_of
from mdvalidator.audit.health import WORST_FIRST, Health
from mdvalidator.problem import Problem
from mdvalidator.sanitize import clean, code_span, markdown_text, redact_url

# What makes the issue necessary: bytes that are not the promised ones, links gone for good,
# links a hub refuses to fetch. A flaky link is not yet a reason (the history turns one that
# keeps failing into "dead"), but an open issue lists it.
ALARM = frozenset({Health.MISMATCH, Health.DEAD, Health.BLOCKED})
_MARKER_PREFIX = "<!-- mdvalidator:rolling-issue"
_PROBLEMS_PER_CARD = 20
_WORDS = {Health.MISMATCH: "mismatched"}


def marker(title: str) -> str:
    """The hidden first line of the body: names the issue's title by its digest."""
    digest = hashlib.sha256(title.encode("utf-8")).hexdigest()[:16]
    return f"{_MARKER_PREFIX} {digest} -->"


def is_ours(title: str, body: str | None, author: str | None, *, want: str, bot: str) -> bool:
    """An issue with exactly the title ``want``, our marker first in its body, opened by ``bot``
    (``"*"``: by anyone, for a token whose account cannot be named)."""
    return (
        title == want
        and (body or "").startswith(marker(want))
        and (bot == "*" or (author is not None and author == bot))
    )


class Action(str, enum.Enum):
    CREATE = "created"
    EDIT = "updated"
    REOPEN = "reopened"
    CLOSE = "closed"
    NONE = "left alone"


def plan(alarm: bool, have_open: bool, have_closed: bool) -> Action:
    """What to do, given whether something is wrong and which of our issues exist."""
    if alarm:
        if have_open:
            return Action.EDIT
        return Action.REOPEN if have_closed else Action.CREATE
    return Action.CLOSE if have_open else Action.NONE


@dataclass(frozen=True)
class Draft:
    alarm: bool
    body: str


def _code(text: str, limit: int = 300) -> str:
    # After code_span: its cleaning drops format characters, the word joiner among them.
    return code_span(text, limit).replace("@", "@\u2060")


def _link(url: str) -> str:
    """A trusted (command line) URL as a Markdown link target: nothing can close it."""
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def _word(health: Health) -> str:
    return _WORDS.get(health, health.value)


def _counts(report: AuditReport) -> str:
    found = Counter(a.observed for a in report.assets)
    parts = [f"{found[h]} {_word(h)}" for h in reversed(WORST_FIRST) if found[h]]
    files = "file" if report.checked == 1 else "files"
    assets = "asset" if len(report.assets) == 1 else "assets"
    text = f"Checked {report.checked} {files}, {len(report.assets)} {assets}"
    return text + (f": {', '.join(parts)}." if parts else ".")


def _asset_line(asset: AuditedAsset) -> str:
    ref = asset.result.ref
    said = [f"line {ref.line}" if ref.line > 0 else "the file", f"**{_word(asset.observed)}**"]
    said.append(_code(redact_url(ref.url, 300)))
    evidence = asset.evidence
    facts = []
    if evidence is not None and evidence.http_status is not None:
        facts.append(f"HTTP {evidence.http_status}")
    if evidence is not None and evidence.attempts:
        facts.append(f"{evidence.attempts} attempt(s)")
    if evidence is not None and evidence.moved_to:
        facts.append("moved to " + _code(redact_url(evidence.moved_to, 300)))
    if asset.since:
        facts.append("since " + _code(asset.since, 40))
    text = "- " + ": ".join(said[:2]) + " " + said[2]
    return text + (f" ({', '.join(facts)})" if facts else "")


def _problem_line(problem: Problem) -> str:
    where = f"line {problem.line}" if problem.line > 0 else "the file"
    rule = f"{_code(problem.rule, 20)} {markdown_text(problem.name, 60)}"
    return f"- {where}: {problem.severity.label} {rule}: {markdown_text(problem.message, 500)}"


def _card_block(card: Card, dashboard: str | None) -> str:
    health = card.health
    title = f"#### {_code(card.path, 300)}" + (f" ({_word(health)})" if health else "")
    lines = [title, ""]
    if dashboard:
        lines += [f"[Its page on the dashboard]({_link(dashboard)}/{card.page})", ""]
    for entry in sorted(card.assets, key=lambda a: (a.asset.observed.rank, a.asset.key)):
        if entry.asset.observed is not Health.VERIFIED:
            lines.append(_asset_line(entry.asset))
    shown = card.problems[:_PROBLEMS_PER_CARD]
    lines += [_problem_line(p) for p in shown]
    if len(card.problems) > len(shown):
        lines.append(f"- ... and {len(card.problems) - len(shown)} more problem(s)")
    return "\n".join(lines) + "\n"


def draft(report: AuditReport, *, title: str, limit: int, dashboard: str | None = None) -> Draft:
    """The issue's body (at most ``limit`` characters) and whether the issue is needed."""
    alarm = any(a.observed in ALARM for a in report.assets)
    wrong = Counter(a.observed for a in report.assets if a.observed in ALARM)
    name = markdown_text(title, 200)
    if alarm:
        said = ", ".join(f"{wrong[h]} {_word(h)}" for h in WORST_FIRST if wrong[h])
        head = f"### ❌ {name}: {said}"
    else:
        head = f"### ✅ {name}: no asset is dead, mismatched or blocked"
    lines = [marker(title), head, "", _counts(report), ""]
    if dashboard:
        lines += [
            f"[The dashboard]({_link(dashboard)}/) · "
            f"[its dead cards]({_link(dashboard)}/#health=dead)",
            "",
        ]
    lines += [
        "mdvalidator keeps this issue: each scheduled audit edits it, and closes it when no "
        "asset is dead, mismatched or blocked.",
        "",
    ]
    text = "\n".join(lines)
    failing = [c for c in cards_of(report, {}) if c.failing]
    failing.sort(key=lambda c: (c.health.rank if c.health else len(WORST_FIRST), c.path))
    budget = limit - len(text) - 100  # room for the "... and N more" line
    left = len(failing)
    for card in failing:
        block = "\n" + _card_block(card, dashboard)
        if len(block) > budget:
            break
        text += block
        budget -= len(block)
        left -= 1
    if left:
        where = "the dashboard" if dashboard else "the audit report"
        text += f"\n... and {left} more card(s): see {where}.\n"
    return Draft(alarm=alarm, body=text[:limit])


def headline(title: str) -> str:
    """The issue's title as sent (the command line's, cleaned to one line)."""
    return clean(title, 200)


def title_argument(text: str) -> str:
    """``--issue TITLE``: a title of one line, 200 characters at most."""
    title = headline(text.strip())
    if not title or title != text.strip():
        raise argparse.ArgumentTypeError("expected a title of one line (at most 200 characters)")
    return title


def add_issue_flags(parser: argparse.ArgumentParser) -> None:
    """``--issue TITLE`` and ``--dashboard-url URL``, the same for every forge."""
    from mdvalidator.publish import api_url

    parser.add_argument(
        "--issue",
        type=title_argument,
        metavar="TITLE",
        help="keep ONE issue of this title instead: created when an asset is dead, "
        "mismatched or blocked, edited on later runs, closed when none is",
    )
    parser.add_argument(
        "--dashboard-url",
        type=api_url,
        metavar="URL",
        help="with --issue: where `mdvalidator report html` is published (linked)",
    )


def read_audit(path: str, max_bytes: int) -> AuditReport:
    """The report again, with the audit's fields (health, evidence, since), which the one
    contract's reader leaves out; a bad one is a :class:`PublishError`."""
    from pathlib import Path

    from mdvalidator.audit.files import load_audit_report
    from mdvalidator.publish.errors import PublishError
    from mdvalidator.reporters.json_report import ReportError

    try:
        return load_audit_report(Path(path), max_bytes)
    except ReportError as exc:
        raise PublishError(str(exc)) from None


def check_mode(issue: str | None, others: dict[str, object]) -> None:
    """``--issue`` keeps the rolling issue, which is about no commit or pull request: refuse
    the flags of the other mode (``others``: flag -> value; None when not given)."""
    from mdvalidator.publish.errors import PublishError

    given = [flag for flag, value in others.items() if value is not None]
    if issue is not None and given:
        raise PublishError(f"--issue keeps the rolling issue; it takes no {', '.join(given)}")


__all__ = [
    "ALARM",
    "Action",
    "Draft",
    "check_mode",
    "draft",
    "headline",
    "is_ours",
    "marker",
    "plan",
    "read_audit",
    "title_argument",
]
