"""The terminal format: problems grouped by file, aligned columns, ending with the verdict.

::

    assets/acme/1.8/resnet50_imagenet.md
      12:1  warning  unknown key 'asset_sha256' (did you mean 'asset-sha256'?)  [MDV106 unknown-key]
      31:1  error    required field 'license' is missing  [MDV101 missing-field]

    1 error, 1 warning in 1 file

Colour (ANSI) only when ``options.color``; the caller decides it with
:func:`mdvalidator.reporters.want_color`. Card text goes through :func:`sanitize.clean`.
"""

from __future__ import annotations

from itertools import groupby

from mdvalidator.problem import Problem, Report, Severity
from mdvalidator.reporters import ReportOptions
from mdvalidator.reporters.tally import PASSED, asset_line, failed, verdict_lines
from mdvalidator.sanitize import clean

MESSAGE_LIMIT = 1000

_RESET = "\x1b[0m"
_BOLD = "1"
_DIM = "2"
_SEVERITY_STYLE = {Severity.ERROR: "1;31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{style}m{text}{_RESET}" if color and text else text


def position(problem: Problem) -> str:
    """``"12:3"``; ``"12"`` without a column; ``"-"`` for the whole file (line 0)."""
    if problem.line <= 0:
        return "-"
    if problem.column <= 0:
        return str(problem.line)
    return f"{problem.line}:{problem.column}"


def file_header(path: str) -> str:
    """The cleaned path; ``./`` in front if it would read as a GitHub workflow command.

    The Actions runner takes any output line starting (after spaces) with ``::`` as a command,
    and the text format may well be printed in a CI log.
    """
    text = clean(path)
    return f"./{text}" if text.lstrip().startswith("::") else text


def render(report: Report, options: ReportOptions) -> str:
    color = options.color
    problems = sorted(report.problems)
    pos_width = max((len(position(p)) for p in problems), default=0)
    sev_width = max((len(p.severity.label) for p in problems), default=0)
    lines: list[str] = []
    for path, group in groupby(problems, key=lambda p: p.path):
        lines.append(_paint(file_header(path), _BOLD, color))
        for problem in group:
            # Pad outside the escape codes, so they do not upset the alignment.
            pos = position(problem).ljust(pos_width)
            label = problem.severity.label
            severity = _paint(label, _SEVERITY_STYLE[problem.severity], color)
            severity += " " * (sev_width - len(label))
            code = _paint(f"[{clean(problem.rule)} {clean(problem.name)}]", _DIM, color)
            message = clean(problem.message, MESSAGE_LIMIT)
            lines.append(f"  {pos}  {severity}  {message}  {code}".rstrip())
        lines.append("")
    assets = asset_line(report)
    if assets:
        lines.append(assets)
    is_failed = failed(report, options.strict)
    for line in verdict_lines(report, options.strict):
        if line == PASSED:
            lines.append(_paint(line, "1;32", color))
        else:
            lines.append(_paint(line, "1;31" if is_failed else "33", color))
    return "\n".join(lines) + "\n"
