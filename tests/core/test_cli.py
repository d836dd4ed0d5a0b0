"""Acceptance tests through the real command line (``python -m mdvalidator``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
from helpers import CORPUS, FIXTURES, GOOD_CARD, run_cli

GOOD_SHA_LINE = "    asset-sha256: 0b7d1c3ff1a2f4ecf4bf5a1f3f3c88d0c1fb9b9a9d2e8fdbbd7e0d6b4c2a3e51"


def test_good_card_all_passed() -> None:
    result = run_cli(["--offline", str(GOOD_CARD)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == "All Passed"
    assert result.stderr == ""


def test_bad_card_fails_with_positions(make_card: Callable[..., Path]) -> None:
    card = make_card(replace={GOOD_SHA_LINE: "    asset-sha256: e616cdcb"})
    result = run_cli(["--offline", str(card)])
    assert result.returncode == 1
    assert "36:19" in result.stdout and "MDV122" in result.stdout
    assert "All Passed" not in result.stdout


def test_json_contract(make_card: Callable[..., Path]) -> None:
    bad = make_card(
        name="a_b.md",
        replace={
            "license: Apache2.0": None,
            'model = "mindspore/1.10/lenet_mnist"': 'model = "mindspore/1.10/a_b"',
        },
    )
    result = run_cli(["--offline", "--format", "json", str(bad.parent)])
    assert result.returncode == 1
    report = json.loads(result.stdout)
    schema = json.loads((FIXTURES / "golden" / "report.schema.json").read_text("utf-8"))
    jsonschema.validate(report, schema)
    assert report["status"] == "fail" and report["checked"] == 1
    assert report["problems"][0]["rule"] == "MDV101"
    assert report["problems"][0]["name"] == "missing-field"
    assert report["assets"][0]["status"] == "skipped"


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli(["--offline", "--format", "json", "-o", str(out), str(GOOD_CARD)])
    assert result.returncode == 0 and result.stdout == ""
    assert json.loads(out.read_text("utf-8"))["status"] == "pass"


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    for args in (
        ["--offline"],
        ["--no-such-option", "x.md"],
        ["--format", "xml", "x.md"],
        ["--jobs", "-3", "x"],
    ):
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert result.stderr.strip()


def test_missing_path_and_unknown_file_kind(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", "utf-8")
    result = run_cli(["--offline", "missing.md", "notes.txt"], cwd=tmp_path)
    assert result.returncode == 1
    assert "MDV008" in result.stdout and "no such file or folder" in result.stdout
    assert "MDV009" in result.stdout


def test_help_explains_commands() -> None:
    top = run_cli(["--help"])
    assert top.returncode == 0
    for command in ("check", "rules", "hash", "store", "publish"):
        assert command in top.stdout
    check = run_cli(["check", "--help"])
    assert (
        "--offline" in check.stdout and "--select" in check.stdout and "Exit status" in check.stdout
    )


def test_rules_list_and_explain() -> None:
    listing = run_cli(["rules"])
    assert listing.returncode == 0
    assert "MDV122  error    invalid-sha256" in listing.stdout
    one = run_cli(["rules", "unknown-key"])
    assert one.returncode == 0 and one.stdout.startswith("MDV106 unknown-key (warning")
    assert "did you mean" in one.stdout
    assert run_cli(["rules", "MDV999"]).returncode == 2


def test_hostile_bytes_never_traceback(make_card: Callable[..., Path]) -> None:
    binary = make_card(name="x_y.md", text=b"\x00\xff\xfe---\n\x1b[31m\n---\n" * 50)
    hostile = make_card(
        name="z_w.md",
        replace={"author: MindSpore team": "author: \u202eevil\u202c \x1b]0;pwned\x07"},
    )
    result = run_cli(["--offline", str(binary), str(hostile)])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


def test_file_over_size_cap_is_reported(make_card: Callable[..., Path]) -> None:
    big = make_card(name="big_card.md", text="# t\n" + "x" * 5000)
    result = run_cli(["--offline", "--max-file-size", "1K", str(big)])
    assert result.returncode == 1 and "MDV007" in result.stdout
    assert "5004 bytes, over the 1024-byte cap" in result.stdout


def test_folders_walked_readme_skipped(make_card: Callable[..., Path], tmp_path: Path) -> None:
    make_card()
    (tmp_path / "assets" / "README.md").write_text("# not a card\n", "utf-8")
    result = run_cli(["--offline", "--format", "json", str(tmp_path)])
    assert json.loads(result.stdout)["checked"] == 1


def test_parallel_run_equals_serial_run(tmp_path: Path) -> None:
    import shutil

    from mdvalidator.engine import PARALLEL_THRESHOLD

    copies = PARALLEL_THRESHOLD // 72 + 1  # enough cards that the process pool is used
    for index in range(copies):
        shutil.copytree(CORPUS, tmp_path / f"hub{index}")
    serial = run_cli(["--offline", "--format", "json", "--jobs", "1", str(tmp_path)])
    parallel = run_cli(["--offline", "--format", "json", "--jobs", "2", str(tmp_path)])
    assert serial.returncode == parallel.returncode == 1
    report = json.loads(serial.stdout)
    assert report["checked"] == 72 * copies > PARALLEL_THRESHOLD
    assert report == json.loads(parallel.stdout)


def test_excluded_files_skipped_even_when_named(tmp_path: Path) -> None:
    # pre-commit names every changed file; a hub's README is not a card.
    (tmp_path / "README.md").write_text("# My hub\n", "utf-8")
    result = run_cli(["--offline", "--format", "json", "README.md"], cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["checked"] == 0


def test_require_checksums_for_digits_store(tmp_path: Path) -> None:
    import shutil

    store = tmp_path / "models"
    shutil.copytree(FIXTURES / "digits" / "store", store)
    assert "MDV328" not in run_cli(["--offline", str(store)]).stdout
    strict = run_cli(["--offline", "--require-checksums", str(store)])
    assert strict.returncode == 1 and "MDV328" in strict.stdout
