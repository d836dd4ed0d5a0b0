"""Acceptance tests through the real command line (``python -m mdvalidator``)."""

from __future__ import annotations

import json
import subprocess
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


def test_a_mistyped_command_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    for args, meant in ((["chek", "."], "check"), (["sotre", "x"], "store"), (["rule"], "rules")):
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout)
        assert f"did you mean `mdvalidator {meant}`?" in result.stderr
        assert result.stdout == ""  # nothing was checked, nothing downloaded


def test_a_folder_named_like_a_command(tmp_path: Path) -> None:
    """A first word naming a command is the command; a folder of that name is checked when
    written as a path (``./rules``, ``rules/``) or after ``check``."""
    card = tmp_path / "rules" / "mindspore" / "1.10" / "lenet_mnist.md"
    card.parent.mkdir(parents=True)
    card.write_bytes(GOOD_CARD.read_bytes())
    options = ["--offline", "--format", "json"]
    for args in ([*options, "./rules"], [*options, "rules/"], ["check", *options, "rules"]):
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        assert json.loads(result.stdout)["checked"] == 1
    listing = run_cli(["rules"], cwd=tmp_path)
    assert listing.returncode == 0 and "MDV122  error    invalid-sha256" in listing.stdout
    store = run_cli(["store", "./no-such-store"], cwd=tmp_path)
    assert "MDV" in store.stdout + store.stderr and "checked" not in store.stdout
    assert "named like a command" in run_cli(["--help"]).stdout


def test_a_run_that_checked_nothing_says_so(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("prose", "utf-8")
    (tmp_path / "README.md").write_text("# hub\n", "utf-8")
    empty = run_cli(["--offline", "--format", "json", "docs"], cwd=tmp_path)
    assert empty.returncode == 2
    assert "no descriptor found in docs: nothing was checked" in empty.stderr
    [problem] = json.loads(empty.stdout)["problems"]
    assert (problem["rule"], problem["path"], problem["severity"]) == ("MDV018", "docs", "warning")

    excluded = run_cli(["--offline", "--strict", "--format", "json", "README.md"], cwd=tmp_path)
    assert excluded.returncode == 0  # pre-commit naming a README is not a mistake
    [note] = json.loads(excluded.stdout)["problems"]
    assert (note["rule"], note["severity"]) == ("MDV018", "info")

    card = tmp_path / "assets" / "mindspore" / "1.10" / "lenet_mnist.md"
    card.parent.mkdir(parents=True)
    card.write_bytes(GOOD_CARD.read_bytes())
    mixed = run_cli(["--offline", "assets", "docs"], cwd=tmp_path)
    assert mixed.returncode == 0 and "MDV018" in mixed.stdout and "docs" in mixed.stdout
    assert run_cli(["--offline", "--strict", "assets", "docs"], cwd=tmp_path).returncode == 1


def _limited_run(args: list[str], cwd: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """The CLI with a file-size limit: writing more than ``limit`` bytes fails (EFBIG), the
    way a full disk fails a write."""
    import resource
    import sys

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "mdvalidator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=limit_files,  # only sets a resource limit
    )


def test_output_is_written_atomically_or_not_at_all(
    make_card: Callable[..., Path], tmp_path: Path
) -> None:
    card = make_card(replace={"license: Apache2.0": None, "author: MindSpore team": None})
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    out.write_text("previous report\n", "utf-8")
    full = _limited_run(["--offline", "--format", "json", "-o", str(out), str(card)], tmp_path, 200)
    assert full.returncode == 2, full.stderr
    assert f"cannot write the report to {out}" in full.stderr and "Traceback" not in full.stderr
    assert out.read_text("utf-8") == "previous report\n"  # never half written
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.json"]  # no temporary left

    missing = run_cli(["--offline", "-o", str(tmp_path / "no" / "dir" / "r.txt"), str(card)])
    assert missing.returncode == 2 and "cannot write the report" in missing.stderr
    done = run_cli(["--offline", "--format", "json", "-o", str(out), str(card)])
    assert done.returncode == 1 and json.loads(out.read_text("utf-8"))["status"] == "fail"


def test_fix_reports_fixed_problems_as_fixed(
    make_card: Callable[..., Path], tmp_path: Path
) -> None:
    """ruff's way: what --fix fixed is not an error any more, and the run says how many."""
    import hashlib

    mirror = tmp_path / "mirror" / "r1.10"
    mirror.mkdir(parents=True)
    (mirror / "lenet_mnist.ckpt").write_bytes(b"\x0a\x20weights")
    actual = hashlib.sha256(b"\x0a\x20weights").hexdigest()
    card = make_card()
    args = ["--mirror", f"https://download.example.org/models/={tmp_path / 'mirror'}/"]
    before = run_cli([*args, "--format", "json", str(card)])
    assert before.returncode == 1 and '"MDV201"' in before.stdout

    fixed = run_cli([*args, "--fix", "--format", "json", str(card)])
    assert fixed.returncode == 0, (fixed.stdout, fixed.stderr)
    report = json.loads(fixed.stdout)
    assert report["status"] == "pass" and report["problems"] == []
    assert [a["status"] for a in report["assets"]] == ["verified"]
    assert report["assets"][0]["expected"] == actual
    assert f":36: fixed MDV201 asset-sha256-mismatch (asset-sha256 set to {actual})" in (
        fixed.stderr
    )
    assert "Fixed 1 problem (0 remaining)." in fixed.stderr
    assert f"asset-sha256: {actual}" in card.read_text("utf-8")

    card.write_text(card.read_text("utf-8").replace(actual, "e616cdcb"), "utf-8")
    card.write_text(card.read_text("utf-8").replace("license: Apache2.0\n", ""), "utf-8")
    partly = run_cli([*args, "--fix", str(card)])
    assert partly.returncode == 1 and "MDV101" in partly.stdout and "MDV122" not in partly.stdout
    assert "Fixed 1 problem (1 remaining)." in partly.stderr


def test_examples_in_docstrings_name_real_rules() -> None:
    """``[MDV106 unknown-key]`` in a docstring's example output is a real code and its name."""
    import re

    from mdvalidator.registry import rules_by_code

    names = {code: rule.name for code, rule in rules_by_code().items()}
    seen = 0
    for module in (FIXTURES.parent / "mdvalidator").rglob("*.py"):
        for code, name in re.findall(r"\[(MDV\d{3}) ([a-z0-9-]+)\]", module.read_text("utf-8")):
            assert names.get(code) == name, (module.name, code, name)
            seen += 1
    assert seen >= 2
