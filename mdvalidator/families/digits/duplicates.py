"""MDV338: two model folders of one store carrying the same job id (across files)."""

from __future__ import annotations

from collections.abc import Sequence

from mdvalidator.families.digits.model import ModelId
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.family import FileResult, Target
from mdvalidator.problem import Problem, Severity

DUPLICATE_MODEL_ID = rule(
    "MDV338",
    "duplicate-model-id",
    "Two model folders carry the same job id",
    """
Two info.json files with one `id` are usually a folder copied without re-exporting the job.

Failing:  lenet/info.json and lenet-copy/info.json both say "id": "20171020-140211-4a2b"
Passing:  each model folder holds its own job's export
""",
    Severity.WARNING,
)


def duplicate_ids(items: Sequence[tuple[Target, FileResult]]) -> list[Problem]:
    """Two info.json of one store carrying the same job id (reported at the later ones)."""

    first: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    for target, result in sorted(items, key=lambda item: item[0].display):
        fact = result.facts
        if not isinstance(fact, ModelId):
            continue
        key = (fact.store, fact.value)
        if key in first:
            message = f"job id {fact.value!r} is also the id of {first[key]}"
            problems.append(
                DUPLICATE_MODEL_ID.problem(target.display, fact.line, fact.column, message)
            )
        else:
            first[key] = target.display
    return problems


RULES = (DUPLICATE_MODEL_ID,)
