"""Reports are untrusted input: `report merge` and `report html` cap, validate and recompute.

Each case runs the real CLI (`mdvalidator.cli.main`, in-process) on a report a job that ran pull
request content could have written, and asserts the exit status, the message (file and key,
never a traceback) and that nothing was written.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from audit_support import FIXTURES

from mdvalidator.cli import main

HUB = json.loads((FIXTURES / "hub.json").read_text(encoding="utf-8"))


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def merge(tmp_path: Path, *reports: Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            ["report", "merge", *map(str, reports), "-o", str(tmp_path / "out.json"), *extra]
        )
    return code, err.getvalue()


def edited(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(HUB)
    change(data)
    return data


def test_a_forged_pass_is_recomputed(tmp_path: Path) -> None:
    forged = edited(lambda d: d.update(status="pass"))
    code, _ = merge(tmp_path, write(tmp_path / "r.json", forged))
    assert code == 0
    assert json.loads((tmp_path / "out.json").read_text())["status"] == "fail"


def test_a_report_that_says_fail_with_nothing_failing_passes_when_merged(tmp_path: Path) -> None:
    clean = {"version": 1, "status": "fail", "checked": 3, "problems": [], "assets": []}
    code, _ = merge(tmp_path, write(tmp_path / "r.json", clean))
    assert code == 0
    merged = json.loads((tmp_path / "out.json").read_text())
    assert merged["status"] == "pass" and merged["checked"] == 3


def _set_asset(index: int, **fields: Any) -> Any:
    return lambda d: d["assets"][index].update(fields)


def _find(status: str) -> int:
    return next(i for i, a in enumerate(HUB["assets"]) if a["status"] == status)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=2), "unsupported report version 2"),
        (lambda d: d.pop("problems"), "problems: Missing data"),
        (lambda d: d.update(checked=-1), "checked"),
        (_set_asset(0, status="fine"), "assets.0.status"),
        (_set_asset(0, line="3"), "assets.0.line"),
        (
            _set_asset(_find("unreachable"), health="verified"),
            "is not the health of an asset whose status is 'unreachable'",
        ),
        (
            _set_asset(_find("mismatch"), health="skipped"),
            "is not the health of an asset whose status is 'mismatch'",
        ),
        (
            _set_asset(_find("skipped"), health="dead"),
            "is not the health of an asset whose status is 'skipped'",
        ),
        (_set_asset(0, health="healthy"), "assets.0.health: Must be one of"),
        (_set_asset(0, actual="<script>"), "assets.0.actual: not a sha256"),
        (_set_asset(0, evidence=[]), "assets.0.evidence"),
        (_set_asset(0, evidence={"http_status": 99}), "http_status"),
        (_set_asset(0, evidence={"http_status": True}), "http_status"),
        (_set_asset(0, evidence={"attempts": -1}), "attempts"),
        (_set_asset(0, evidence={"host": 5}), "host"),
        (
            _set_asset(0, evidence={"http_status": 404, "host": "h", "attempts": 1, "moved_to": 5}),
            "moved_to",
        ),
        (_set_asset(0, since="last week"), "assets.0.since"),
    ],
)
def test_a_malformed_report_is_refused_naming_the_key(
    tmp_path: Path, change: Any, message: str
) -> None:
    bad = write(tmp_path / "shard-2.json", edited(change))
    code, err = merge(tmp_path, write(tmp_path / "shard-1.json", HUB), bad)
    assert code == 2
    assert "shard-2.json" in err and message in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not JSON (line 1, column 1)"),
        (b"[]", "the top level must be a JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_what_is_not_a_report_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "r.json"
    bad.write_bytes(content)
    code, err = merge(tmp_path, bad)
    assert code == 2 and message in err, err


def test_a_report_over_the_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = write(tmp_path / "big.json", HUB)
    code, err = merge(tmp_path, big, extra=("--max-report-size", "1K"))
    assert code == 2
    assert "larger than 1024 bytes, the cap for a report" in err


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "r.json"
    os.mkfifo(fifo)
    result: list[tuple[int, str]] = []
    worker = threading.Thread(target=lambda: result.append(merge(tmp_path, fifo)), daemon=True)
    worker.start()
    worker.join(10)
    assert result, "report merge blocked on a FIFO"
    code, err = result[0]
    assert code == 2 and "not a regular file" in err


def test_a_missing_report_is_a_usage_error(tmp_path: Path) -> None:
    code, err = merge(tmp_path, tmp_path / "nope.json")
    assert code == 2 and "cannot read the report" in err and "nope.json" in err


def test_text_from_a_report_is_cleaned_when_merged(tmp_path: Path) -> None:
    hostile = edited(
        lambda d: d["problems"][0].update(message="a\x1b[31mred\u202e\n::error::x ##[set-output]")
    )
    code, _ = merge(tmp_path, write(tmp_path / "r.json", hostile))
    assert code == 0
    message = json.loads((tmp_path / "out.json").read_text())["problems"][0]["message"]
    assert "\x1b" not in message and "\u202e" not in message and "\n" not in message
    assert "##[" not in message


def test_duplicate_entries_in_one_report_are_merged(tmp_path: Path) -> None:
    doubled = edited(
        lambda d: (d["assets"].extend(d["assets"]), d["problems"].extend(d["problems"]))
    )
    code, _ = merge(tmp_path, write(tmp_path / "r.json", doubled))
    assert code == 0
    merged = json.loads((tmp_path / "out.json").read_text())
    assert len(merged["assets"]) == len(HUB["assets"])
    assert len(merged["problems"]) == len(HUB["problems"])


def test_two_reports_that_disagree_keep_the_worse_and_say_so(tmp_path: Path) -> None:
    index = _find("verified")
    other = edited(_set_asset(index, status="mismatch", health="mismatch", actual="b" * 64))
    code, err = merge(tmp_path, write(tmp_path / "a.json", HUB), write(tmp_path / "b.json", other))
    assert code == 0
    assert "verified differently by two reports" in err
    merged = json.loads((tmp_path / "out.json").read_text())
    assert merged["assets"][index]["status"] == "mismatch"


def test_the_html_command_refuses_a_bad_report_too(tmp_path: Path) -> None:
    bad = write(tmp_path / "r.json", edited(lambda d: d.update(version=3)))
    site = tmp_path / "site"
    assert main(["report", "html", str(bad), "-o", str(site)]) == 2
    assert not site.exists()
