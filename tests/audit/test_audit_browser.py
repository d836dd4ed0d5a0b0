"""The dashboard in a real headless Chromium (Debian's package), driven over the DevTools pipe.

The site is written by the real CLI from fixtures/audit/, opened from file://, and used as a
person would: no console error on any page, the filter by "dead" shows exactly the cards with a
dead asset, the keyboard sorts the table, the hostile card stays text. Screenshots go to the
test's temporary folder. Skipped, saying why, where Chromium is not installed
(``apt-get install chromium``; .ci/run installs it on Debian).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from audit_support import FIXTURES, mdvalidator
from cdp_pipe import Browser, Page, find_chromium

HUB = FIXTURES / "hub.json"
HISTORY = FIXTURES / "history.jsonl"
ASSETS = json.loads(HUB.read_text(encoding="utf-8"))["assets"]

VISIBLE_PATHS = """
Array.prototype.filter.call(document.querySelectorAll('#cards tbody tr'), function (r) {
  return !r.hidden && r.offsetParent !== null;
}).map(function (r) { return r.cells[2].getAttribute('title'); })
"""


def paths_with(health: str) -> set[str]:
    return {a["path"] for a in ASSETS if a.get("health") == health}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dashboard")
    done = mdvalidator(
        "report",
        "html",
        str(HUB),
        "--history",
        str(HISTORY),
        "-o",
        str(folder / "site"),
        "--date",
        "2024-05-13",
        "--source-url",
        "https://gitee.com/o/hub/blob/master/",
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr
    return folder / "site"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with Browser(executable, tmp_path_factory.mktemp("profile")) as running:
        yield running


@pytest.fixture
def index(browser: Browser, site: Path) -> Page:
    page = Page(browser)
    page.open((site / "index.html").as_uri())
    return page


def test_the_index_loads_from_file_with_no_console_error(
    index: Page, tmp_path: Path, site: Path
) -> None:
    assert index.errors() == []
    rows = len(json.loads(index.evaluate("JSON.stringify(" + VISIBLE_PATHS + ")")))
    assert index.evaluate("document.getElementById('filters').hidden") is False  # script ran
    assert index.evaluate("document.getElementById('shown').textContent") == (
        f"{rows} of {rows} cards shown"
    )
    assert index.evaluate("document.querySelectorAll('#over-time ~ svg rect').length") > 0
    shot = tmp_path / "dashboard.png"
    index.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_filtering_by_dead_shows_exactly_the_dead_cards(index: Page, tmp_path: Path) -> None:
    index.evaluate(
        "var s = document.getElementById('health-filter'); s.value = 'dead';"
        "s.dispatchEvent(new Event('change'));"
    )
    shown = set(index.evaluate(VISIBLE_PATHS))
    assert shown == paths_with("dead") and len(shown) == 3
    assert index.evaluate("document.getElementById('shown').textContent").startswith("3 of ")
    index.screenshot(tmp_path / "dead.png")
    assert index.errors() == []


def test_the_filter_can_start_from_the_address(browser: Browser, site: Path) -> None:
    page = Page(browser)
    page.open((site / "index.html").as_uri() + "#health=flaky")
    assert set(page.evaluate(VISIBLE_PATHS)) == paths_with("flaky")
    assert page.errors() == []


def test_search_narrows_the_table_as_you_type(index: Page) -> None:
    index.evaluate("document.getElementById('search').focus()")
    index.send("Input.insertText", text="noah")
    shown = index.evaluate(VISIBLE_PATHS)
    assert shown and all("/noah-cvlab/" in path for path in shown)


def test_the_keyboard_reaches_and_sorts_the_table(index: Page) -> None:
    index.press("Tab", "Tab", 9)
    assert index.evaluate("document.activeElement.className") == "skip"  # first stop: skip link
    index.evaluate("document.querySelectorAll('#cards thead button')[2].focus()")  # Model
    index.press("Enter", "Enter", 13, "\r")
    header = "document.querySelectorAll('#cards thead th')[2].getAttribute('aria-sort')"
    assert index.evaluate(header) == "ascending"
    models = (
        "Array.prototype.map.call(document.querySelectorAll('#cards tbody tr'),"
        " function (r) { return r.cells[2].firstChild.textContent.trim(); })"
    )
    ascending = index.evaluate(models)
    assert ascending == sorted(ascending, key=str.lower)
    index.press(" ", "Space", 32, " ")
    assert index.evaluate(header) == "descending"
    descending = index.evaluate(models)
    assert descending == sorted(ascending, key=str.lower, reverse=True)
    others = (
        "Array.prototype.filter.call(document.querySelectorAll('#cards thead th[aria-sort]'),"
        " function (h) { return h.getAttribute('aria-sort') !== 'none'; }).length"
    )
    assert index.evaluate(others) == 1
    assert index.errors() == []


def test_every_card_page_loads_clean_and_the_hostile_one_stays_text(
    browser: Browser, site: Path, tmp_path: Path
) -> None:
    pages = sorted((site / "cards").glob("*.html"))
    assert len(pages) == 10
    for path in pages:
        page = Page(browser)
        page.open(path.as_uri())
        assert page.errors() == [], path.name
        if "evil" in page.evaluate("document.title"):
            assert page.evaluate("document.scripts.length") == 0
            assert page.evaluate("document.images.length") == 0
            assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
            links = page.evaluate(
                "Array.prototype.map.call(document.links, function (a) { return a.protocol; })"
            )
            assert set(links) <= {"file:", "https:"}
            body = page.evaluate("document.body.innerText")
            assert '<img src=x onerror="alert(1)">' in body
            assert "javascript:alert(document.domain)" in body
            page.screenshot(tmp_path / "hostile-card.png")


def test_a_script_the_policy_does_not_allow_is_caught(browser: Browser, site: Path) -> None:
    """The console check can fail: an inline script whose hash the policy lacks is refused,
    and the refusal is an error this test sees."""
    tampered = site.parent / "tampered.html"
    text = (site / "index.html").read_text(encoding="utf-8")
    tampered.write_text(text.replace('"use strict";', '"use strict"; var tampered = 1;', 1))
    page = Page(browser)
    page.open(tampered.as_uri())
    errors = page.errors()
    assert any("Content Security Policy" in e for e in errors), errors
    assert page.evaluate("document.getElementById('filters').hidden") is True
