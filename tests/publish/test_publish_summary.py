"""The Markdown summary: headline, escaping, links, sections and the size cap."""

from __future__ import annotations

from mdvalidator.problem import Problem, Report, Severity
from mdvalidator.publish import summary
from mdvalidator.publish.annotations import annotation, batches, split_by_changed


def problem(path="a.md", line=1, severity=Severity.ERROR, message="bad", column=0):
    return Problem(path, line, column, "MDV102", "missing-field", severity, message)


def report(*problems, passed=None):
    failed = any(p.severity is Severity.ERROR for p in problems)
    return Report(claimed_pass=not failed if passed is None else passed, checked=1,
                  problems=tuple(problems))  # fmt: skip


def test_headline_counts_by_severity():
    assert summary.headline(report()) == "All Passed"
    both = report(problem(), problem(severity=Severity.WARNING), problem(severity=Severity.ERROR))
    assert summary.headline(both) == "2 errors, 1 warning"
    # one name for one count, as in every other format (was "1 notice"; issue 10)
    assert summary.headline(report(problem(severity=Severity.INFO))) == "Passed with 1 info"
    assert summary.conclusion(both) == "failure" and summary.conclusion(report()) == "success"


def test_a_pipe_cannot_split_a_table_cell():
    text = summary.render(report(problem(path="a|b.md", message="x | y")), limit=10_000)
    row = next(line for line in text.splitlines() if line.startswith("| ❌"))
    assert row.count("|") - row.count("\\|") == 6  # five cells, six unescaped bars


def test_links_refuse_paths_that_climb_out():
    link = summary.blob_link("https://github.com/o/r", "abc")
    assert (
        link(problem(path="./d/e f.md", line=4)) == "https://github.com/o/r/blob/abc/d/e%20f.md#L4"
    )
    assert link(problem(path="../etc/passwd")) is None
    assert link(problem(path="/abs.md")) is None
    assert link(problem(line=0)) == "https://github.com/o/r/blob/abc/a.md"


def test_the_cap_counts_what_was_left_out():
    many = report(*[problem(line=i, message="m" * 300) for i in range(1, 201)])
    text = summary.render(many, limit=5_000)
    assert len(text) <= 5_000
    rows = text.count("\n| ❌ error |")
    assert 0 < rows < 200 and text.rstrip().endswith(f"... and {200 - rows} more")


def test_sections_and_marker():
    inside, outside = split_by_changed(
        [problem("a.md"), problem("./b.md"), problem("c.md")], frozenset({"a.md", "b.md"})
    )
    assert [p.path for p in inside] == ["a.md", "./b.md"] and [p.path for p in outside] == ["c.md"]
    text = summary.render(
        report(*inside, *outside), limit=10_000, marker=True,
        sections=[summary.Section("In", inside), summary.Section("Out", outside)],
    )  # fmt: skip
    assert text.startswith(summary.MARKER + "\n")
    assert text.index("#### In") < text.index("#### Out")


def test_annotations_fit_the_checks_api():
    note = annotation(problem(path="./a.md", line=0, message="x\ny\u202e"))
    assert note == {
        "path": "a.md", "start_line": 1, "end_line": 1, "annotation_level": "failure",
        "message": "x y", "title": "MDV102 missing-field",
    }  # fmt: skip
    assert annotation(problem(line=2, column=7, severity=Severity.INFO))["start_column"] == 7
    assert [len(b) for b in batches(list(range(101)))] == [50, 50, 1]
    assert list(batches([])) == [[]]


def test_pygithub_is_imported_only_when_publishing():
    import subprocess
    import sys

    code = (
        "import sys, mdvalidator.commands.publish, mdvalidator.publish.github, "
        "mdvalidator.publish.gitee; print('github' in sys.modules, 'requests' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_annotation_paths_are_plain_relative_paths():
    from mdvalidator.publish.annotations import annotation_path

    assert annotation_path("assets/a.md") == "assets/a.md"
    assert annotation_path("././assets/a b.md") == "assets/a b.md"
    assert annotation_path("assets/中文_cn.md") == "assets/中文_cn.md"
    for bad in (
        "", "./", "/etc/passwd", "../x.md", "a/../b.md", "a/./b.md", "a//b.md", "a/", "a\\b.md",
        "C:/x.md", "a\nb.md", "a\x1bb.md", "a\u202eb.md", "a\u00adb.md", "##[add-path]x.md",
        "x" * 1001,
    ):  # fmt: skip
        assert annotation_path(bad) is None, bad


def test_split_annotates_only_plain_paths_and_changed_files():
    inside, outside = split_by_changed(
        [problem("a.md"), problem("/abs.md"), problem("b.md")], frozenset({"a.md", "/abs.md"})
    )
    assert [p.path for p in inside] == ["a.md"]
    assert [p.path for p in outside] == ["/abs.md", "b.md"]
    inside, outside = split_by_changed([problem("a.md"), problem("../b.md")], None)
    assert [p.path for p in inside] == ["a.md"] and [p.path for p in outside] == ["../b.md"]


def test_the_annotation_cap_keeps_errors_first_in_report_order():
    from mdvalidator.publish.annotations import capped

    problems = [problem(f"{i}.md", severity=Severity.WARNING) for i in range(5)]
    problems += [problem(f"e{i}.md") for i in range(3)]
    kept, left = capped(problems, cap=4)
    assert [p.path for p in kept] == ["e0.md", "e1.md", "e2.md", "0.md"] and left == 4
    assert capped(problems, cap=100) == (sorted(problems, key=lambda p: -p.severity), 0)


def test_lines_and_columns_are_clamped_for_the_api():
    note = annotation(problem(line=0, column=5))
    assert note["start_line"] == 1 and "start_column" not in note
    note = annotation(problem(line=2**31 - 1, column=2**31 - 1))
    assert note["start_line"] == note["start_column"] == 2**31 - 1


def test_the_verdict_is_recomputed_from_problems_and_assets():
    from mdvalidator.problem import AssetRef, AssetResult, AssetStatus

    def with_asset(status, claimed=True):
        ref = AssetRef("a.md", 3, "https://x.example/a.ckpt", "ab" * 32)
        assets = (AssetResult(ref, AssetStatus(status)),)
        return Report(checked=1, problems=(), assets=assets, claimed_pass=claimed)

    assert report(problem(), passed=True).passed is False
    assert report(problem(), passed=True).contradicts_itself
    assert report(problem(severity=Severity.WARNING), passed=False).passed is False  # --strict
    assert report(passed=True).passed and not report(passed=True).contradicts_itself
    for status in ("mismatch", "blocked", "unreachable", "too-large"):
        forged = with_asset(status)
        assert not forged.passed and summary.conclusion(forged) == "failure"
        assert summary.headline(forged) == "1 asset not verified"
        assert "recomputed" in summary.render(forged, limit=10_000)
    for status in ("verified", "cached", "skipped"):
        assert with_asset(status).passed
    assert summary.headline(report(passed=False)) == "Failed"
