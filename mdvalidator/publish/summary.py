"""The Markdown a pull request shows: the check run summary and the PR comment (pure functions).

Every string that came from the pull request (paths, messages, rule names, URLs) goes through
:mod:`mdvalidator.sanitize` before it is placed here; links are built from percent-encoded paths,
so no part of a file name can close a link or a table cell. Bodies are capped below the platform
limit and end with "... and N more" when rows had to be left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from mdvalidator.problem import AssetStatus, Problem, Report, Severity
from mdvalidator.reporters.tally import count_severity
from mdvalidator.sanitize import clean, code_span, markdown_text

# Hidden in the rendered comment; how a later run finds the comment it wrote before.
MARKER = "<!-- mdvalidator:summary -->"
CHECK_NAME = "mdvalidator"
# GitHub: a check run summary holds 65535 characters, an issue comment 65536.
GITHUB_LIMIT = 60_000
# Gitee documents no comment size; long comments are hard to read anyway, so stay well under.
GITEE_LIMIT = 30_000

_ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}

LinkFor = Callable[[Problem], str | None]


@dataclass(frozen=True)
class Section:
    """A titled group of problems (for instance: those in files the PR did not change)."""

    title: str
    problems: Sequence[Problem]


def conclusion(report: Report) -> str:
    """The check run conclusion: ``success`` or ``failure``, from the verdict recomputed out of
    the report's problems and assets (:attr:`Report.passed`), not its own ``status``."""
    return "success" if report.passed else "failure"


def headline(report: Report) -> str:
    """``All Passed`` or ``2 errors, 1 warning``: the check run title."""
    parts = [
        count_severity(report.count(severity), severity)
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if report.count(severity)
    ]
    failed_assets = report.failed_assets()
    if failed_assets and not report.count(Severity.ERROR):
        parts.insert(0, f"{failed_assets} asset{'s' if failed_assets != 1 else ''} not verified")
    if not parts:
        return "All Passed" if report.passed else "Failed"
    counts = ", ".join(parts)
    return counts if not report.passed else f"Passed with {counts}"


def verdict_notes(report: Report) -> list[str]:
    """Our own lines about the verdict, for the top of a summary."""
    if report.contradicts_itself:
        return [
            'The report says "pass" but lists errors or assets that failed verification; '
            "the verdict here is recomputed from what it lists."
        ]
    return []


def blob_link(web_url: str, ref: str) -> LinkFor:
    """A :data:`LinkFor` pointing at ``<web_url>/blob/<ref>/<path>#L<line>`` (GitHub and Gitee)."""
    base = web_url.rstrip("/")
    safe_ref = quote(ref, safe="")

    def link(problem: Problem) -> str | None:
        path = problem.path.removeprefix("./")
        if not path or path.startswith("/") or ".." in path.split("/"):
            return None
        anchor = f"#L{problem.line}" if problem.line > 0 else ""
        return f"{base}/blob/{safe_ref}/{quote(path, safe='/')}{anchor}"

    return link


def _cell(text: str, limit: int = 200) -> str:
    # GFM splits table cells on "|" even inside code spans, unless it is escaped.
    return code_span(text, limit).replace("|", "\\|")


def _row(problem: Problem, link: LinkFor | None) -> str:
    where = _cell(problem.path)
    url = link(problem) if link else None
    if url:
        where = f"[{where}]({url})"
    line = str(problem.line) if problem.line > 0 else "-"
    rule = f"{_cell(problem.rule, 20)} {markdown_text(problem.name, 60)}"
    icon = _ICONS[problem.severity]
    message = markdown_text(problem.message, 500)
    return f"| {icon} {problem.severity.label} | {where} | {line} | {rule} | {message} |"


_TABLE_HEAD = "| Severity | File | Line | Rule | Message |\n| --- | --- | --- | --- | --- |"


def _asset_line(report: Report) -> str:
    if not report.assets:
        return ""
    counts = Counter(a.status for a in report.assets)
    parts = [f"{counts[s]} {s.value}" for s in AssetStatus if counts[s]]
    return f"Assets: {', '.join(parts)}."


def render(
    report: Report,
    *,
    limit: int,
    link: LinkFor | None = None,
    sections: Sequence[Section] | None = None,
    marker: bool = False,
    notes: Sequence[str] = (),
) -> str:
    """The summary Markdown, at most ``limit`` characters.

    ``sections`` groups the problems (default: one untitled group of all of them); ``notes`` are
    trusted lines of our own placed under the headline.
    """
    status = "✅" if report.passed else "❌"
    head = [MARKER] if marker else []
    head.append(f"### {status} mdvalidator: {headline(report)}")
    files = "file" if report.checked == 1 else "files"
    head.append("")
    head.append(
        " ".join(x for x in (f"Checked {report.checked} {files}.", _asset_line(report)) if x)
    )
    head.extend(verdict_notes(report))
    head.extend(notes)
    text = "\n".join(head) + "\n"
    groups = list(sections) if sections is not None else [Section("", report.problems)]
    remaining = sum(len(g.problems) for g in groups)
    # Room kept for the "... and N more" line whatever is cut.
    budget = limit - len(text) - 80
    cut = False
    for group in groups:
        if not group.problems or cut:
            continue
        block = "\n" + (f"#### {group.title}\n\n" if group.title else "") + _TABLE_HEAD + "\n"
        if len(block) > budget:
            cut = True
            continue
        rows_added = 0
        for problem in group.problems:
            row = _row(problem, link) + "\n"
            if len(block) + len(row) > budget:
                cut = True
                break
            block += row
            rows_added += 1
        if rows_added:
            text += block
            budget -= len(block)
            remaining -= rows_added
    if remaining:
        text += f"\n... and {remaining} more\n"
    return text[:limit]


def annotation_title(problem: Problem) -> str:
    """``MDV102 missing-field``: an annotation's title (plain text, at most 255 characters)."""
    return clean(f"{problem.rule} {problem.name}", 255)
