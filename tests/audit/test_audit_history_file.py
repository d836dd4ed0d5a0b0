"""The history file: JSON lines, read strictly but for a cut-short last line, appended in one
step. A full disk and a killed writer are real here: the CLI runs in a child process whose
file-size limit (RLIMIT_FSIZE) stops its write half way, once with an error (as a full disk
answers) and once with SIGXFSZ killing it (as a crash would)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from audit_support import FIXTURES, mdvalidator

from mdvalidator.audit.files import append_history, read_history
from mdvalidator.audit.history import (
    HistoryError,
    HistoryRecord,
    last_verified,
    parse_history,
    record_line,
)

HUB = FIXTURES / "hub.json"
KEY = "0123456789abcdef0123"


def line(date: str, outcome: str = "verified") -> str:
    return record_line(HistoryRecord(date=date, counts={"assets": 1}, outcomes={KEY: outcome}))


def test_records_round_trip() -> None:
    text = line("2024-05-01") + line("2024-05-08T03:00:00Z", "dead:404")
    read = parse_history(text, "h")
    assert [r.date for r in read.records] == ["2024-05-01", "2024-05-08T03:00:00Z"]
    assert read.records[1].outcomes == {KEY: "dead:404"}
    assert read.records[0].counts["assets"] == 1 and read.records[0].counts["dead"] == 0
    assert read.warnings == ()
    assert last_verified(read.records) == {KEY: "2024-05-01"}


def test_a_cut_short_last_line_is_ignored_and_reported() -> None:
    text = line("2024-05-01") + line("2024-05-08")[:40]
    read = parse_history(text, "h.jsonl")
    assert [r.date for r in read.records] == ["2024-05-01"]
    (warning,) = read.warnings
    assert warning.startswith("h.jsonl:2: the last line is cut short")


def test_a_last_line_without_newline_that_is_whole_is_kept() -> None:
    read = parse_history(line("2024-05-01") + line("2024-05-08").rstrip("\n"), "h")
    assert len(read.records) == 2 and not read.warnings


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "h:2: not a JSON object"),
        ("[1, 2]", "h:2: not a JSON object"),
        ('{"version": 2, "date": "2024-05-01"}', "h:2: not a version 1"),
        ('{"version": 1, "date": "yesterday"}', "h:2: date"),
        ('{"version": 1, "date": "2024-05-01", "counts": {"dead": -1}}', "counts.dead"),
        ('{"version": 1, "date": "2024-05-01", "counts": {"dead": true}}', "counts.dead"),
        ('{"version": 1, "date": "2024-05-01", "assets": {"x": "verified"}}', "asset key"),
        (f'{{"version": 1, "date": "2024-05-01", "assets": {{"{KEY}": "ok"}}}}', "outcome"),
        (f'{{"version": 1, "date": "2024-05-01", "assets": {{"{KEY}": "dead:999"}}}}', "outcome"),
    ],
)
def test_a_bad_line_in_the_middle_is_an_error_at_its_line(bad: str, message: str) -> None:
    with pytest.raises(HistoryError, match=message.replace("(", r"\(")):
        parse_history(line("2024-04-24") + bad + "\n" + line("2024-05-08"), "h")


def test_append_keeps_earlier_lines_as_written_and_drops_a_cut_short_one(tmp_path: Path) -> None:
    history = tmp_path / "h.jsonl"
    first = line("2024-05-01").replace('"counts"', ' "counts"')  # spacing of another writer
    history.write_text(first + line("2024-05-08")[:30], encoding="utf-8")
    read = read_history(history)
    assert read.warnings
    append_history(history, read, HistoryRecord(date="2024-05-15"))
    lines = history.read_text(encoding="utf-8").splitlines()
    assert lines[0] == first.rstrip("\n")
    assert json.loads(lines[1])["date"] == "2024-05-15"
    assert len(lines) == 2


def test_keep_drops_the_oldest_runs(tmp_path: Path) -> None:
    history = tmp_path / "h.jsonl"
    history.write_text("".join(line(f"2024-05-{d:02d}") for d in range(1, 6)), encoding="utf-8")
    dropped = append_history(history, read_history(history), HistoryRecord("2024-05-06"), keep=3)
    assert dropped == 3
    dates = [r.date for r in read_history(history).records]
    assert dates == ["2024-05-04", "2024-05-05", "2024-05-06"]


def test_an_absent_history_is_the_first_run_and_a_huge_one_is_refused(tmp_path: Path) -> None:
    assert read_history(tmp_path / "none.jsonl").records == ()
    big = tmp_path / "big.jsonl"
    big.write_text(line("2024-05-01") * 100, encoding="utf-8")
    with pytest.raises(HistoryError, match="larger than 1000 bytes"):
        read_history(big, max_bytes=1000)


def test_a_history_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(line("2024-05-01").encode() + b'{"x": "\xff"}\n')
    with pytest.raises(HistoryError, match=r"bad.jsonl:2: not UTF-8"):
        read_history(bad)


# The CLI's entry point under a file-size limit (argv[1], bytes): a write past it fails with
# EFBIG, as on a full disk; with argv[2] == "die", SIGXFSZ (which Python ignores from start-up)
# is restored and kills the process half way through the write, as a crash would.
_LIMITED = (
    "import resource, signal, sys; size = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (size, size)); "
    "sys.argv[2] == 'die' and signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
    "from mdvalidator.cli import main; sys.exit(main(sys.argv[3:]))"
)


@pytest.mark.parametrize("die", [False, True], ids=["disk-full", "killed"])
def test_a_write_stopped_half_way_leaves_the_history_whole(tmp_path: Path, die: bool) -> None:
    import subprocess
    import sys

    history = tmp_path / "history.jsonl"
    many = {f"{n:020x}": "verified" for n in range(300)}
    history.write_text(
        "".join(record_line(HistoryRecord(f"2024-04-{d:02d}", {}, many)) for d in range(1, 29)),
        encoding="utf-8",
    )
    before = history.read_bytes()
    assert len(before) > 2 * len(HUB.read_bytes())  # the merged report is written in full
    size = len(before) + 100  # the new file's copy of the old lines fits; the new line does not
    out = tmp_path / "hub.json"
    args = [
        sys.executable,
        "-c",
        _LIMITED,
        str(size),
        "die" if die else "fail",
        "report",
        "merge",
        str(HUB),
        "-o",
        str(out),
        "--history",
        str(history),
        "--date",
        "2024-05-01",
    ]
    # No bytecode written under the limit: a .pyc cut short would break later imports.
    env = {
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    if die:
        assert done.returncode == -signal.SIGXFSZ
    else:
        assert done.returncode == 2, done.stderr
        assert "cannot append to the history" in done.stderr
        assert "File too large" in done.stderr
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".history")]
    assert history.read_bytes() == before  # never a half line
    read = read_history(history)
    assert len(read.records) == 28 and not read.warnings
    # and the next run, with room to write, appends normally
    again = mdvalidator(
        "report",
        "merge",
        str(HUB),
        "-o",
        str(out),
        "--history",
        str(history),
        "--date",
        "2024-05-02",
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr
    assert len(read_history(history).records) == 29
