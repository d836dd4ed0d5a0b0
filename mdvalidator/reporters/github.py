"""GitHub Actions: one workflow command per problem, plus the job's Markdown step summary.

``::error file=PATH,line=L,col=C,title=CODE name::message`` becomes an annotation on the pull
request. Every property and the message are escaped (``sanitize.workflow_property`` /
``workflow_data``), so no card text can end the command early or start a new one; and, as in
every format, the runner's older ``##[command]`` syntax, which it finds anywhere in a line, is
broken (``sanitize.clean``), in file names too.
"""

from __future__ import annotations

import os

from mdvalidator.problem import Problem, Report, Severity
from mdvalidator.reporters import ReportOptions
from mdvalidator.reporters.tally import PASSED, asset_line, count_files, failed, verdict_lines
from mdvalidator.sanitize import code_span, workflow_data, workflow_property

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

# GitHub refuses a step summary over 1 MiB.
SUMMARY_LIMIT = 1024 * 1024
MESSAGE_LIMIT = 1000


def annotation(problem: Problem) -> str:
    """The workflow command for one problem (line/col omitted where unknown)."""
    props = [f"file={workflow_property(problem.path)}"]
    if problem.line > 0:
        props.append(f"line={problem.line}")
        if problem.column > 0:
            props.append(f"col={problem.column}")
    props.append(f"title={workflow_property(f'{problem.rule} {problem.name}')}")
    message = workflow_data(problem.message, MESSAGE_LIMIT)
    return f"::{COMMANDS[problem.severity]} {','.join(props)}::{message}"


def render(report: Report, options: ReportOptions) -> str:
    lines = [annotation(p) for p in sorted(report.problems)]
    assets = asset_line(report)
    if assets:
        lines.append(assets)
    lines.extend(verdict_lines(report, options.strict))
    return "\n".join(lines) + "\n"


def _cell(text: str, limit: int = MESSAGE_LIMIT) -> str:
    # GFM splits table cells on "|" even inside code spans; "\|" keeps it in the cell.
    return code_span(text, limit).replace("|", "\\|")


def _row(problem: Problem) -> str:
    where = "file" if problem.line <= 0 else str(problem.line)
    if problem.line > 0 and problem.column > 0:
        where = f"{problem.line}:{problem.column}"
    rule = f"{_cell(problem.rule, 40)} {_cell(problem.name, 80)}"
    return (
        f"| {_cell(problem.path)} | {where} | {problem.severity.label} | {rule} "
        f"| {_cell(problem.message)} |\n"
    )


def step_summary(report: Report, options: ReportOptions, budget: int = SUMMARY_LIMIT) -> str:
    """The Markdown summary, at most ``budget`` UTF-8 bytes ("" if not even the head fits)."""
    verdict = verdict_lines(report, options.strict)
    mark = "❌" if failed(report, options.strict) else "✅"
    checked = count_files(report.checked)
    head = f"## mdvalidator\n\n{mark} **{' · '.join(verdict)}** ({checked} checked)\n\n"
    assets = asset_line(report)
    if assets:
        head += f"{assets}\n\n"
    problems = sorted(report.problems)
    if not problems:
        return head if len(head.encode()) <= budget else ""
    head += "| File | Line | Severity | Rule | Message |\n| --- | --- | --- | --- | --- |\n"
    used = len(head.encode())
    if used + len(_more_line(len(problems)).encode()) > budget:
        return ""
    rows: list[str] = []
    for index, problem in enumerate(problems):
        row = _row(problem)
        size = len(row.encode())
        left = len(problems) - index - 1
        # Keep room for the "and N more" line unless this is the last row.
        reserve = len(_more_line(left).encode()) if left else 0
        if used + size + reserve > budget:
            rows.append(_more_line(len(problems) - index))
            break
        rows.append(row)
        used += size
    return head + "".join(rows)


def _more_line(count: int) -> str:
    return f"\n... and {count} more problem{'s' if count != 1 else ''} (see the job log)\n"


def write_step_summary(report: Report, path: str, options: ReportOptions) -> bool:
    """Append the summary to ``path`` ($GITHUB_STEP_SUMMARY), keeping the file within 1 MiB.

    False when nothing could be written (no room left, or the file system refused): the
    summary is a courtesy, the annotations and exit status are what count.
    """
    try:
        existing = os.path.getsize(path)
    except OSError:
        existing = 0
    text = step_summary(report, options, SUMMARY_LIMIT - existing)
    if not text:
        return False
    try:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError:
        return False
    return True


__all__ = ["PASSED", "annotation", "render", "step_summary", "write_step_summary"]
