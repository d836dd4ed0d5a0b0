"""End to end through ``python -m mdvalidator``: the engine dispatches store files and explicit
tarballs to the DIGITS family; folder walks leave tarballs alone."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from digits_support import STORE, Member, build_tar, model_members


def run(*args: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "mdvalidator", *args],
        cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_check_dispatches_store_files_and_explicit_tarballs(store: Path, tmp_path: Path) -> None:
    info = store / "lenet-torch/info.json"
    info.write_text(info.read_text().replace('"torch"', '"Torch"'))
    evil = [Member("../x", b"x"), Member("l", kind=tarfile.SYMTYPE, link="/")]
    hostile = build_tar(
        store / "evil_epoch_1.0.tar.gz", [*model_members(STORE / "lenet-torch"), *evil]
    )
    status, report = run("--offline", "--format", "json", "./store", cwd=tmp_path)
    problems = report["problems"]
    assert status == 1 and isinstance(problems, list)
    assert [(p["path"], p["rule"], p["line"], p["column"]) for p in problems] == [
        ("store/lenet-torch/info.json", "MDV312", 5, 18)
    ]
    # the walk hands the tarball inside the store over, but it is read only when named
    assert report["checked"] == 10
    status, report = run("--offline", "--format", "json", str(hostile), cwd=tmp_path)
    assert status == 1
    assert [p["rule"] for p in report["problems"]] == ["MDV331", "MDV331"]


def test_store_command_runs_as_a_module(store: Path, tmp_path: Path) -> None:
    status, report = run("store", "--format", "json", str(store), cwd=tmp_path)
    assert (status, report["status"], report["checked"]) == (0, "pass", 9)
