"""DIGITS Model Store family (placeholder until the store checks land)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mdvalidator.families import FileResult, Limits, Target
from mdvalidator.problem import Problem
from mdvalidator.ruleset import RuleSet


class DigitsFamily:
    name = "digits-model-store"

    def load_options(self, data: Mapping[str, Any]) -> Any:
        return dict(data)

    def check_file(self, target: Target, ruleset: RuleSet, limits: Limits) -> FileResult:
        return FileResult()

    def check_together(
        self, items: Sequence[tuple[Target, FileResult]], ruleset: RuleSet
    ) -> list[Problem]:
        return []


FAMILY = DigitsFamily()
