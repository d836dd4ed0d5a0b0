"""The dashboard's pages as data: what they show, what they never let through, how they are
written. (tests/audit/test_audit_browser.py looks at them in a real browser.)"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from audit_support import FIXTURES, mdvalidator

from mdvalidator.audit import files as audit_files
from mdvalidator.audit.cards import CardName, card_name
from mdvalidator.audit.files import load_audit_report, read_history, write_site
from mdvalidator.audit.health import Health
from mdvalidator.audit.html_parts import INK, LINK, PALETTE, PAPER, href, source_link
from mdvalidator.audit.site import SiteOptions, build_site

HUB = FIXTURES / "hub.json"
HISTORY = FIXTURES / "history.jsonl"
OPTIONS = SiteOptions(generated="2024-05-13", source_url="https://gitee.com/o/hub/blob/master/")


@pytest.fixture(scope="module")
def site() -> dict[str, str]:
    report = load_audit_report(HUB)
    records = read_history(HISTORY).records
    return {
        name: data.decode("utf-8") for name, data in build_site(report, records, OPTIONS).items()
    }


def dead_paths() -> set[str]:
    data = json.loads(HUB.read_text(encoding="utf-8"))
    return {a["path"] for a in data["assets"] if a.get("health") == "dead"}


def test_the_index_lists_every_card_with_its_health(site: dict[str, str]) -> None:
    index = site["index.html"]
    rows = re.findall(r'<tr data-health="([a-z ]+)">', index)
    data = json.loads(HUB.read_text(encoding="utf-8"))
    paths = {a["path"] for a in data["assets"]} | {p["path"] for p in data["problems"]}
    assert len(rows) == len(paths)
    assert sum(1 for r in rows if "dead" in r.split()) == len(dead_paths()) == 3
    assert '<li id="count-dead"><span class="n">3</span> dead</li>' in index
    assert '<li id="count-cards"><span class="n">14</span> files checked</li>' in index
    assert "mismatch dead" in index  # bert_cnnews: its worst first


def test_each_failing_card_has_a_page_and_the_others_none(site: dict[str, str]) -> None:
    pages = {name for name in site if name.startswith("cards/")}
    index = site["index.html"]
    linked = set(re.findall(r'href="(cards/[0-9a-f]{16}\.html)"', index))
    assert pages == linked
    assert len(pages) == 10  # all but the two whose assets are all verified
    resnet = next(site[p] for p in pages if "resnet50_imagenet2012.md" in site[p])
    assert "cannot download https://download.example.org/models/resnet50.mindir: HTTP 404" in resnet
    # problems at their lines, linked to the forge's file at that line
    assert (
        'href="https://gitee.com/o/hub/blob/master/assets/mindspore/1.10/resnet50_imagenet2012.md#L40">40</a>'
        in resnet
    )
    assert "HTTP 404" in resnet and "since" in resnet.lower() and "2024-04-22" in resnet


def test_nothing_from_a_report_becomes_markup(site: dict[str, str]) -> None:
    for name, page in site.items():
        if not name.endswith(".html"):
            continue
        scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
        assert len(scripts) <= 1 and "alert" not in "".join(scripts), name
        assert "<img" not in page and "onerror=" not in page.replace("onerror=&quot;", "")
        assert "javascript:" not in re.sub(r">[^<]*<", "><", page), name  # not in any tag
        assert "\u202e" not in page
    evil = next(p for n, p in site.items() if n.startswith("cards/") and "evil" in p)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in evil
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;" in evil
    assert "javascript:alert(document.domain)" in evil  # shown as text, not a link


def test_the_pages_load_nothing_from_anywhere(site: dict[str, str]) -> None:
    for name, page in site.items():
        if not name.endswith(".html"):
            continue
        assert not re.search(r"<(link|img|iframe|object|embed)\b", page), name
        assert not re.search(r"<[^>]*\bsrc=", page), name
        assert "@import" not in page and "url(" not in page


def _hash(source: str) -> str:
    return base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()


def test_the_content_security_policy_allows_exactly_the_inline_style_and_script(
    site: dict[str, str],
) -> None:
    for name, page in site.items():
        if not name.endswith(".html"):
            continue
        (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
        (style,) = re.findall(r"<style>(.*?)</style>", page, re.S)
        assert f"style-src 'sha256-{_hash(style)}'" in policy
        assert "default-src 'none'" in policy and "unsafe" not in policy
        scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
        if scripts:
            assert f"script-src 'sha256-{_hash(scripts[0])}'" in policy
        else:
            assert "script-src 'none'" in policy


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_colours_meet_wcag_contrast() -> None:
    assert contrast(INK, PAPER) >= 7
    assert contrast(LINK, PAPER) >= 4.5
    assert set(PALETTE) == set(Health)
    for health, (ink, background, fill) in PALETTE.items():
        assert contrast(ink, background) >= 4.5, health  # badge text (1.4.3)
        assert contrast(fill, PAPER) >= 3, health  # chart bars and legend keys (1.4.11)


def test_the_table_is_accessible_markup(site: dict[str, str]) -> None:
    index = site["index.html"]
    assert '<html lang="en">' in index
    assert "<caption>" in index
    headers = re.findall(r"<th ([^>]*)>", index.split('<table id="cards">')[1].split("</thead>")[0])
    assert headers and all('scope="col"' in h for h in headers)
    assert index.count('aria-sort="none"><button type="button">') == 6
    assert '<label for="health-filter">' in index and '<label for="search">' in index
    assert 'role="status"' in index
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in index


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (
            "mshub_res/assets/mindspore/1.7/albert_squadv1.1.md",
            CardName("mindspore", "", "1.7", "albert"),
        ),
        (
            "assets/noah-cvlab/gpu/1.0/ghostnet_int8_v1.0_oxford_pets_cn.md",
            CardName("noah-cvlab", "gpu", "1.0", "ghostnet", True),
        ),
        ("store/lenet/info.json", CardName(model="lenet")),
        ("elsewhere/x_y.md", CardName(model="x")),
    ],
)
def test_a_card_is_named_by_its_path(path: str, name: CardName) -> None:
    assert card_name(path) == name


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,x", "//evil.example/x", "http:///x", "https://a\n.b/"],
)
def test_only_plain_http_links_become_hrefs(url: str) -> None:
    assert href(url) is None


def test_source_links_never_climb_out_of_the_base() -> None:
    base = "https://github.com/o/hub/blob/main/"
    assert source_link(base, "assets/a b.md", 3) == f"{base}assets/a%20b.md#L3"
    for path in ("../x.md", "/etc/passwd", "assets//x.md", "assets/../../x.md"):
        assert source_link(base, path) is None


def test_the_site_replaces_the_last_one_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "site"
    write_site(target, {"index.html": b"one", "cards/a.html": b"a"})
    write_site(target, {"index.html": b"two"})
    assert (target / "index.html").read_bytes() == b"two"
    assert not (target / "cards").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no leftovers


def test_a_failed_write_leaves_the_last_site_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site"
    write_site(target, {"index.html": b"one"})

    def broken(self: Path, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", broken)
    with pytest.raises(OSError, match="No space"):
        write_site(target, {"index.html": b"two"})
    monkeypatch.undo()
    assert (target / "index.html").read_bytes() == b"one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_folder_that_is_not_a_dashboard_is_never_replaced(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("years of work")
    with pytest.raises(OSError, match="not a dashboard mdvalidator wrote"):
        write_site(home, {"index.html": b"x"})
    assert (home / "thesis.tex").read_text() == "years of work"
    empty = tmp_path / "empty"
    empty.mkdir()
    write_site(empty, {"index.html": b"x"})
    assert (empty / audit_files.SITE_MARKER).is_file()


def test_report_html_writes_the_site_through_the_cli(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = mdvalidator(
        "report",
        "html",
        str(HUB),
        "--history",
        str(HISTORY),
        "-o",
        str(site),
        "--date",
        "2024-05-13",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "index.html and 10 card page(s)" in done.stderr
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Generated 2024-05-13" in index and "6 runs in the history" in index
    blocked = mdvalidator("report", "html", str(HUB), "-o", str(tmp_path), cwd=tmp_path)
    assert blocked.returncode == 2 and "not a dashboard mdvalidator wrote" in blocked.stderr


def test_report_html_classifies_a_report_without_health_against_the_history(
    tmp_path: Path,
) -> None:
    data = json.loads(HUB.read_text(encoding="utf-8"))
    for asset in data["assets"]:
        for key in ("health", "evidence", "since"):
            asset.pop(key, None)
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(data), encoding="utf-8")
    site = tmp_path / "site"
    done = mdvalidator(
        "report", "html", str(plain), "--history", str(HISTORY), "-o", str(site), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    index = (site / "index.html").read_text(encoding="utf-8")
    # unreachable, no evidence: "flaky" in the history before? then dead only where it repeated
    assert '<li id="count-flaky">' in index
    without = mdvalidator("report", "html", str(plain), "-o", str(tmp_path / "s2"), cwd=tmp_path)
    assert without.returncode == 0
    assert '<span class="n">0</span> dead' in (tmp_path / "s2" / "index.html").read_text()
