"""``--fix``: run the fixers, then report what they fixed as fixed (ruff's way), not as errors.

A fixer is a function ``(report) -> FixResult``: it edits files and says which problems no
longer hold, as :class:`Fixed` records (path, line and rule code of the problem, and what was
done), plus notes for what it could not fix. :func:`apply_fixes` runs every fixer in
:data:`FIXERS`, removes the fixed problems from the report before it is rendered, and gives
the lines to print (``path:line: fixed CODE name (what)`` and ``Fixed N problems``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mdvalidator.problem import AssetResult, AssetStatus, Problem, Report
from mdvalidator.registry import rules_by_code


@dataclass(frozen=True, order=True)
class Fixed:
    """A problem that a fixer made hold no longer: where it was reported, and what was done."""

    path: str
    line: int
    rule: str
    message: str = ""


@dataclass(frozen=True)
class FixResult:
    fixed: tuple[Fixed, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "card.md:12: not fixed: the file has changed"
    # Asset results as they stand after the fix (replacing the report's, same refs' order).
    assets: tuple[AssetResult, ...] | None = field(default=None)


Fixer = Callable[[Report], FixResult]

_SHA_RULES = ("MDV201", "MDV122")


def fix_assets(report: Report) -> FixResult:
    """Write each computed sha256 into its card (``mdvalidator.assets.fix``)."""
    from mdvalidator.assets.fix import apply_fixes

    outcomes = apply_fixes(report.assets)
    by_place = {(r.ref.path, r.ref.line): r for r in report.assets}
    records: list[Fixed] = []
    notes: list[str] = []
    assets = list(report.assets)
    for outcome in outcomes:
        result = by_place.get((outcome.path, outcome.asset_line))
        if not outcome.fixed or result is None:
            notes.append(str(outcome))
            continue
        what = f"asset-sha256 set to {outcome.new}"
        for problem in _problems_of(report.problems, result):
            records.append(Fixed(problem.path, problem.line, problem.rule, what))
        index = assets.index(result)
        assets[index] = dataclasses.replace(
            result,
            ref=dataclasses.replace(result.ref, expected=outcome.new),
            status=AssetStatus.VERIFIED,
            detail="asset-sha256 fixed",
        )
    return FixResult(tuple(records), tuple(notes), tuple(assets))


def fix_moved_links(report: Report) -> FixResult:
    """Write each moved link whose bytes were verified in this run into its card
    (``mdvalidator.assets.movefix``): MDV231 fixed, the asset then verified at its new link."""
    if not any(result.moved_to for result in report.assets):
        return FixResult()
    from mdvalidator.assets.movefix import apply_moves

    assets = list(report.assets)
    by_place = {(r.ref.path, r.ref.line): i for i, r in enumerate(assets) if r.moved_to}
    records: list[Fixed] = []
    notes: list[str] = []
    for outcome in apply_moves(report.assets):
        index = by_place.get((outcome.path, outcome.line))
        if not outcome.fixed or index is None:
            notes.append(str(outcome))
            continue
        result = assets[index]
        what = f"asset-link set to {outcome.new}"
        records += [
            Fixed(p.path, p.line, p.rule, what)
            for p in report.problems
            if (p.path, p.line, p.rule) == (outcome.path, outcome.line, _MOVED_RULE)
        ]
        assets[index] = dataclasses.replace(
            result,
            ref=dataclasses.replace(result.ref, url=outcome.new),
            status=AssetStatus.VERIFIED,
            detail="asset-link moved",
            moved_to="",
        )
    return FixResult(tuple(records), tuple(notes), tuple(assets))


_MOVED_RULE = "MDV231"  # asset-moved


def fix_card_text(report: Report) -> FixResult:
    """Rewrite card text the checks know the fix of (``evaluation: -`` -> ``no``), in place:
    no line moves, so the asset fixes that follow still find their lines."""
    from mdvalidator.families.mindspore.fix import fix_card_text as fix_text

    records: list[Fixed] = []
    notes: list[str] = []
    for outcome in fix_text(report.problems):
        if not outcome.fixed:
            notes.append(outcome.message)
            continue
        for problem in report.problems:
            if (problem.path, problem.line) == (outcome.path, outcome.line) and (
                problem.rule in _TEXT_RULES
            ):
                records.append(Fixed(problem.path, problem.line, problem.rule, outcome.message))
    return FixResult(tuple(records), tuple(notes))


_TEXT_RULES = ("MDV012", "MDV135")


def _problems_of(problems: Sequence[Problem], result: AssetResult) -> list[Problem]:
    """The problems that writing ``result.actual`` as the digest settles."""
    ref = result.ref
    sha_line = ref.sha_line or ref.line
    mine = [p for p in problems if p.path == ref.path]
    settled = [p for p in mine if p.rule in _SHA_RULES and p.line == sha_line]
    if not ref.expected:  # the digest was missing: its item's "asset-sha256" problem
        missing = [
            p
            for p in mine
            if p.rule == "MDV121" and "asset-sha256" in p.message and p.line <= ref.line
        ]
        settled += sorted(missing, key=lambda p: p.line)[-1:]
    return settled


# Link rewrites come before digest fixes: they move no line, and a digest inserted below a
# link would shift the lines the others were found at.
FIXERS: list[Fixer] = [fix_card_text, fix_moved_links, fix_assets]


def apply_fixes(report: Report, fixers: Sequence[Fixer] | None = None) -> tuple[Report, list[str]]:
    """Run the fixers; the report without the problems they fixed, and the lines to print."""
    lines: list[str] = []
    fixed: list[Fixed] = []
    for fixer in FIXERS if fixers is None else fixers:
        result = fixer(report)
        fixed.extend(result.fixed)
        lines.extend(result.notes)
        if result.assets is not None:
            report = dataclasses.replace(report, assets=result.assets)
    gone = {(f.path, f.line, f.rule) for f in fixed}
    kept = tuple(p for p in report.problems if (p.path, p.line, p.rule) not in gone)
    report = dataclasses.replace(report, problems=kept)
    names = rules_by_code()
    for record in sorted(set(fixed)):
        name = names[record.rule].name if record.rule in names else ""
        what = f" ({record.message})" if record.message else ""
        lines.append(f"{record.path}:{record.line}: fixed {record.rule} {name}{what}".rstrip())
    count = len(gone)
    if count or fixed:
        plural = "problem" if count == 1 else "problems"
        lines.append(f"Fixed {count} {plural} ({len(kept)} remaining).")
    return report, lines


__all__ = [
    "FIXERS",
    "FixResult",
    "Fixed",
    "Fixer",
    "apply_fixes",
    "fix_assets",
    "fix_card_text",
    "fix_moved_links",
]
