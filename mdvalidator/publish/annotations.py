"""What a check run shows of a report: annotations (one per problem, at most a cap of them,
on plain repository paths only) and the summary's sections (pure functions)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from mdvalidator.problem import Problem, Severity
from mdvalidator.publish import summary
from mdvalidator.reporters.contract import MAX_POSITION
from mdvalidator.sanitize import clean

ANNOTATIONS_PER_REQUEST = 50  # the Checks API's limit
# 20 writes at most: enough for any real pull request, and a 20,000-problem report cannot
# turn into 400 check-run updates.
MAX_ANNOTATIONS = 1000
MAX_PATH = 1000

_LEVELS = {Severity.ERROR: "failure", Severity.WARNING: "warning", Severity.INFO: "notice"}


def annotation_path(path: str) -> str | None:
    """``path`` as a repository-relative path an annotation can carry, or ``None``.

    Refused: empty, absolute (``/x``, ``C:x``), backslashes, ``.``/``..``/empty segments, and
    anything :func:`clean` would change (controls, bidi and format characters, ``##[``).
    """
    while path.startswith("./"):
        path = path[2:]
    if not path or len(path) > MAX_PATH or path.startswith("/") or "\\" in path:
        return None
    if len(path) > 1 and path[1] == ":":
        return None
    if any(part in ("", ".", "..") for part in path.split("/")):
        return None
    return path if clean(path, MAX_PATH) == path else None


def annotation(problem: Problem) -> dict[str, Any]:
    """One Checks API annotation for ``problem`` (line 0, "whole file", is shown on line 1).

    The caller has checked the path with :func:`annotation_path`.
    """
    line = min(max(problem.line, 1), MAX_POSITION)
    path = annotation_path(problem.path)
    note: dict[str, Any] = {
        "path": path if path is not None else clean(problem.path, MAX_PATH),
        "start_line": line,
        "end_line": line,
        "annotation_level": _LEVELS[problem.severity],
        "message": clean(problem.message, 4000),
        "title": summary.annotation_title(problem),
    }
    if 0 < problem.line <= MAX_POSITION and 0 < problem.column <= MAX_POSITION:
        note["start_column"] = problem.column
        note["end_column"] = problem.column
    return note


def batches(items: Sequence[Any], size: int = ANNOTATIONS_PER_REQUEST) -> Iterator[list[Any]]:
    """``items`` in lists of at most ``size``; one empty list when there are none."""
    if not items:
        yield []
        return
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def split_by_changed(
    problems: Sequence[Problem], changed: frozenset[str] | None
) -> tuple[list[Problem], list[Problem]]:
    """(problems to annotate, the others): a problem is annotated when its path is a plain
    relative path (:func:`annotation_path`) and, with ``changed``, one the PR changes."""
    inside: list[Problem] = []
    outside: list[Problem] = []
    for problem in problems:
        path = annotation_path(problem.path)
        ok = path is not None and (changed is None or path in changed)
        (inside if ok else outside).append(problem)
    return inside, outside


def capped(problems: Sequence[Problem], cap: int = MAX_ANNOTATIONS) -> tuple[list[Problem], int]:
    """At most ``cap`` problems to annotate, errors first, then in report order; and how many
    were left out."""
    ordered = sorted(problems, key=lambda p: -p.severity)  # stable: keeps the report order
    return ordered[:cap], max(len(ordered) - cap, 0)


def sections(
    inside: Sequence[Problem], outside: Sequence[Problem], with_pr: bool
) -> list[summary.Section]:
    if not with_pr:
        if not outside:
            return [summary.Section("", inside)]
        return [
            summary.Section("Annotated", inside),
            summary.Section("Not annotated (not a plain path in the repository)", outside),
        ]
    return [
        summary.Section("In files this pull request changes", inside),
        summary.Section("In files this pull request does not change (not annotated)", outside),
    ]
