"""Hand-built reports shared by the reporter tests (the golden cases live in fixtures/golden/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mdvalidator.problem import AssetRef, AssetResult, AssetStatus, Problem, Report, Severity
from mdvalidator.reporters import ReportOptions
from mdvalidator.rule import Rule

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
SARIF_SCHEMA = (
    Path(__file__).resolve().parents[2] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
)

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CARD = "assets/acme/1.8/resnet50_imagenet2012.md"
OTHER = "assets/acme/gpu/1.8/lenet_v1_mnist.md"

# The rules the cases use, as the registry would describe them. MDV999 is left out on purpose:
# SARIF must still give it a rule entry.
RULES: tuple[Rule, ...] = (
    Rule(
        "MDV001",
        "invalid-yaml",
        "The header is not valid YAML.",
        "Doc of invalid-yaml.",
        ERR,
        "parse",
    ),
    Rule(
        "MDV101",
        "required-field",
        "A required field is missing.",
        "Doc of required-field.",
        ERR,
        "card",
    ),
    Rule(
        "MDV104",
        "sha256-format",
        "sha256 is not 64 hex digits.",
        "Doc of sha256-format.",
        ERR,
        "card",
    ),
    Rule(
        "MDV110", "unknown-key", "A key the hub does not know.", "Doc of unknown-key.", WARN, "card"
    ),
    Rule(
        "MDV120",
        "heading-colon",
        "A heading ends with a colon.",
        "Doc of heading-colon.",
        WARN,
        "card",
    ),
    Rule("MDV130", "dataset-known", "Unknown training dataset.", "", INFO, "card"),
    Rule("MDV201", "sha256-mismatch", "Downloaded bytes differ.", "Doc.", ERR, "assets"),
    Rule("MDV202", "asset-unreachable", "The asset link failed.", "Doc.", ERR, "assets"),
)


def p(path: str, line: int, column: int, rule: str, severity: Severity, message: str) -> Problem:
    name = next((r.name for r in RULES if r.code == rule), "made-up-rule")
    return Problem(path, line, column, rule, name, severity, message)


HOSTILE_MESSAGE = (
    "value 'x\n::error file=evil.md,line=1::pwned' has %0A, commas, colons: "
    "\x1b[31mred\x1b[0m \u202eevil\u202c `tick` | pipe @octocat #1 <b>html</b>"
    "\r\n::stop-commands::tok"
)

CASES: dict[str, Report] = {
    "none": Report(checked=3, problems=()),
    "warnings": Report(
        checked=2,
        problems=(
            p(OTHER, 7, 1, "MDV120", WARN, "heading 'Usage:' ends with a colon"),
            p(
                CARD,
                14,
                1,
                "MDV110",
                WARN,
                "unknown key 'asset_sha256' (did you mean 'asset-sha256'?)",
            ),
            p(CARD, 9, 17, "MDV130", INFO, "train-dataset 'imagenet2012' is not in the hub's list"),
        ),
    ),
    "errors": Report(
        checked=4,
        problems=(
            p(CARD, 0, 0, "MDV101", ERR, "required field 'license' is missing"),
            p(CARD, 21, 19, "MDV104", ERR, "asset-sha256 'a1b2c3d4' is 8 characters, not 64"),
            p(CARD, 21, 0, "MDV999", WARN, "a rule the registry does not know"),
            p(OTHER, 5, 3, "MDV001", ERR, "invalid YAML: mapping values are not allowed here"),
            p(OTHER, 12, 1, "MDV110", WARN, "unknown key 'fine_tunable'"),
        ),
    ),
    "hostile": Report(
        checked=1,
        problems=(
            p("assets/we,ird:dir/100% a\u202e.md", 3, 2, "MDV110", ERR, HOSTILE_MESSAGE),
            p("assets/we,ird:dir/100% a\u202e.md", 0, 0, "MDV101", WARN, "::warning::%25\r\rline"),
        ),
    ),
    "assets": Report(
        checked=2,
        problems=(
            p(CARD, 24, 19, "MDV201", ERR, "sha256 mismatch: expected 0f1e…, got 9a8b…"),
            p(OTHER, 18, 17, "MDV202", ERR, "unreachable: HTTP 404"),
        ),
        assets=(
            AssetResult(
                AssetRef(
                    CARD,
                    23,
                    "https://user:pw@cdn.example/r50.ckpt?token=s3cr3t&v=2",
                    "0f" * 32,
                    24,
                    "ckpt",
                ),
                AssetStatus.MISMATCH,
                actual="9a" * 32,
                bytes=1048576,
            ),
            AssetResult(
                AssetRef(CARD, 30, "https://cdn.example/r50.mindir", "11" * 32, 31, "mindir"),
                AssetStatus.VERIFIED,
                actual="11" * 32,
                bytes=2048,
            ),
            AssetResult(
                AssetRef(OTHER, 17, "https://cdn.example/lenet.ckpt", "22" * 32, 18, "ckpt"),
                AssetStatus.UNREACHABLE,
                detail="HTTP 404",
            ),
            AssetResult(
                AssetRef(OTHER, 40, "https://cdn.example/lenet.onnx", "33" * 32, 41, "onnx"),
                AssetStatus.CACHED,
                actual="33" * 32,
                bytes=512,
            ),
            AssetResult(
                AssetRef(OTHER, 50, "https://cdn.example/lenet.air", "1234abcd", 51, "air"),
                AssetStatus.SKIPPED,
            ),
        ),
    ),
}

OPTIONS = ReportOptions(tool_version="9.9.9-test", rules=RULES)


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> tuple[str, Report]:
    """Each golden case in turn, as (name, report)."""
    name: str = request.param
    return name, CASES[name]


@pytest.fixture
def cases() -> dict[str, Report]:
    return CASES


@pytest.fixture
def options() -> ReportOptions:
    """Fixed version and rule table, so outputs do not change with the package."""
    return OPTIONS


@pytest.fixture
def golden_dir() -> Path:
    return GOLDEN


@pytest.fixture
def sarif_schema_path() -> Path:
    return SARIF_SCHEMA


@pytest.fixture
def hostile_message() -> str:
    return HOSTILE_MESSAGE


@pytest.fixture
def make_problem() -> Callable[[str, int, int, str, Severity, str], Problem]:
    """``make_problem(path, line, column, code, severity, message)`` with the code's name."""
    return p
