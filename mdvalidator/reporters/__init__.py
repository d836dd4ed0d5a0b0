"""Output formats: pure functions from a :class:`~mdvalidator.problem.Report` to text.

Each format is one module exposing ``render(report, options) -> str``; :data:`REPORTERS` names
it. Adding a format is one module and one line here. The module is imported only when its
format is chosen, so the common text path does not pay for the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from mdvalidator import __version__
from mdvalidator.problem import Report
from mdvalidator.rule import Rule

# format name -> "module:function"
REPORTERS: dict[str, str] = {
    "text": "mdvalidator.reporters.text:render",
    "json": "mdvalidator.reporters.json_report:render",
    "github": "mdvalidator.reporters.github:render",
    "sarif": "mdvalidator.reporters.sarif:render",
}

FORMATS: tuple[str, ...] = tuple(REPORTERS)


@dataclass(frozen=True)
class ReportOptions:
    """How to render. ``rules`` feeds SARIF's rule table (``None``: the whole registry)."""

    color: bool = False
    strict: bool = False
    tool_version: str = __version__
    rules: Sequence[Rule] | None = None


Formatter = Callable[[Report, ReportOptions], str]


def formatter(fmt: str) -> Formatter:
    """The render function of a format; ``ValueError`` naming the choices if there is none."""
    try:
        target = REPORTERS[fmt]
    except KeyError:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown output format {fmt!r} (choose from {choices})") from None
    module_name, _, function_name = target.partition(":")
    function: Formatter = getattr(importlib.import_module(module_name), function_name)
    return function


def render(fmt: str, report: Report, options: ReportOptions | None = None) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`), ending with a newline."""
    return formatter(fmt)(report, options or ReportOptions())


def want_color(stream: IO[Any] | object, env: Mapping[str, str]) -> bool:
    """Colour or not: ``NO_COLOR`` (non-empty) wins, then ``FORCE_COLOR``, then a real TTY.

    ``TERM=dumb`` also turns colour off unless it is forced.
    """
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", ""):
        return True
    if env.get("TERM", "") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


def write_step_summary(report: Report, path: str, options: ReportOptions) -> bool:
    """Append the GitHub step summary to ``path``; see :mod:`mdvalidator.reporters.github`."""
    from mdvalidator.reporters.github import write_step_summary as write

    return write(report, path, options)


__all__ = [
    "FORMATS",
    "REPORTERS",
    "ReportOptions",
    "formatter",
    "render",
    "want_color",
    "write_step_summary",
]
