"""Every format of every hand-built case, compared byte for byte with fixtures/golden/.

Regenerate after a deliberate change with ``MDV_UPDATE_GOLDEN=1 pytest tests/reporters`` and
review the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mdvalidator.problem import Report
from mdvalidator.reporters import ReportOptions, render
from mdvalidator.reporters.github import step_summary

UPDATE = os.environ.get("MDV_UPDATE_GOLDEN") == "1"


def _text_color(report: Report, options: ReportOptions) -> str:
    return render("text", report, dataclasses.replace(options, color=True))


def _strict_text(report: Report, options: ReportOptions) -> str:
    return render("text", report, dataclasses.replace(options, strict=True))


# file suffix -> how to produce it
OUTPUTS: dict[str, Callable[[Report, ReportOptions], str]] = {
    "text": lambda r, o: render("text", r, o),
    "color.text": _text_color,
    "strict.text": _strict_text,
    "json": lambda r, o: render("json", r, o),
    "github": lambda r, o: render("github", r, o),
    "sarif": lambda r, o: render("sarif", r, o),
    "summary.md": step_summary,
}


@pytest.mark.parametrize("suffix", sorted(OUTPUTS))
def test_output_matches_golden(
    case: tuple[str, Report], suffix: str, options: ReportOptions, golden_dir: Path
) -> None:
    name, report = case
    produced = OUTPUTS[suffix](report, options)
    golden = golden_dir / f"{name}.{suffix}"
    if UPDATE:
        golden.write_bytes(produced.encode("utf-8"))
    assert golden.exists(), f"missing {golden}: run with MDV_UPDATE_GOLDEN=1"
    assert produced.encode("utf-8") == golden.read_bytes()


def test_every_golden_file_is_produced(golden_dir: Path, cases: dict[str, Report]) -> None:
    expected = {f"{name}.{suffix}" for name in cases for suffix in OUTPUTS}
    present = {p.name for p in golden_dir.iterdir() if p.name != "report.schema.json"}
    assert present == expected
