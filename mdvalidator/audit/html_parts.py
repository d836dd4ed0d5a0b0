"""The pieces every dashboard page is made of: escaping, links, the page frame, the style.

Every string from a report (paths, messages, links: written by strangers) goes through
:func:`text` (controls and bidi characters removed, length capped, then HTML-escaped), and a
link becomes an ``href`` only when it is plain http(s) (:func:`href`). The pages also carry a
Content-Security-Policy that allows their own inline style and script by hash and nothing else
(no other script, no request to anywhere): escaping is the defence, the policy the net below
it. No external file of any kind, so a page works from ``file://`` as well as from Pages.
"""

from __future__ import annotations

import base64
import hashlib
import html
from urllib.parse import quote, urlsplit

from mdvalidator.audit.health import Health
from mdvalidator.sanitize import clean

TEXT_LIMIT = 2000

# (text, background, chart fill) per health: text on background >= 4.5:1 and chart fill on
# white >= 3:1 (WCAG 2.1, 1.4.3 and 1.4.11; tests/audit/test_audit_html.py measures them).
PALETTE: dict[Health, tuple[str, str, str]] = {
    Health.VERIFIED: ("#14532d", "#dcfce7", "#15803d"),
    Health.MISMATCH: ("#7f1d1d", "#fee2e2", "#b91c1c"),
    Health.DEAD: ("#4a044e", "#fae8ff", "#86198f"),
    Health.BLOCKED: ("#7c2d12", "#ffedd5", "#c2410c"),
    Health.FLAKY: ("#713f12", "#fef9c3", "#a16207"),
    Health.MOVED: ("#1e3a8a", "#dbeafe", "#1d4ed8"),
    Health.SKIPPED: ("#374151", "#f3f4f6", "#6b7280"),
}
INK = "#1f2937"
PAPER = "#ffffff"
LINK = "#1d4ed8"


def text(value: object, limit: int = TEXT_LIMIT) -> str:
    """Report text, safe between tags and inside double-quoted attributes."""
    return html.escape(clean(str(value), limit), quote=True)


def href(url: str) -> str | None:
    """``url`` escaped for an ``href``, or None when it is not a plain http(s) link."""
    cleaned = clean(url, TEXT_LIMIT)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or cleaned != url:
        return None
    return html.escape(cleaned, quote=True)


def source_link(base: str, path: str, line: int = 0) -> str | None:
    """The card's file on the forge (``base`` from the command line), or None for a path
    that could climb out of it."""
    parts = path.replace("\\", "/").split("/")
    if not base or path.startswith("/") or ".." in parts or "" in parts:
        return None
    url = base.rstrip("/") + "/" + quote(path, safe="/")
    return href(url + (f"#L{line}" if line > 0 else ""))


def number(value: int) -> str:
    return f"{value:,}"


def size(value: int) -> str:
    """``1536`` -> ``1.5 KiB``."""
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if amount < 1024 or unit == "TiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


def badge(health: Health, count: int = 1) -> str:
    times = f" ×{count}" if count > 1 else ""
    return f'<span class="badge h-{health.value}">{health.value}{times}</span>'


def _digest(source: str) -> str:
    return base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def page(title: str, body: str, script: str = "", root: str = "") -> str:
    """A whole HTML document; ``root`` is the way back to the site's top (``../``)."""
    style = STYLE
    script_source = f"'sha256-{_digest(script)}'" if script else "'none'"
    policy = (
        f"default-src 'none'; style-src 'sha256-{_digest(style)}'; "
        f"script-src {script_source}; img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    script_tag = f"<script>{script}</script>\n" if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to the content</a>\n'
        f'<main id="main">\n{body}\n</main>\n'
        f'<footer><p>Made by <a href="{root}index.html">mdvalidator report html</a>.'
        "</p></footer>\n"
        f"{script_tag}</body>\n</html>\n"
    )


def _palette_css() -> str:
    rules = []
    for health, (ink, background, fill) in PALETTE.items():
        rules.append(f".h-{health.value}{{color:{ink};background:{background}}}")
        rules.append(f".f-{health.value}{{fill:{fill}}}")
        rules.append(f".k-{health.value}{{background:{fill}}}")
    return "\n".join(rules)


STYLE = f"""
:root{{color-scheme:light}}
*{{box-sizing:border-box}}
body{{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:{INK};background:{PAPER}}}
main,footer{{max-width:72rem;margin:0 auto;padding:0 1rem}}
footer{{border-top:1px solid #d1d5db;margin-top:2rem;font-size:.875rem}}
a{{color:{LINK}}}
a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,
summary:focus-visible{{outline:3px solid {LINK};outline-offset:2px}}
.skip{{position:absolute;left:-10000px}}
.skip:focus{{position:static;display:inline-block;padding:.5rem;background:#fff}}
h1{{font-size:1.75rem;margin:1rem 0 .25rem}}
h2{{font-size:1.25rem;margin:2rem 0 .5rem}}
.meta{{margin:0;color:#4b5563}}
h1 code{{font-size:1.25rem;word-break:break-all}}
dl{{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem}}
dt{{font-weight:600}}
dd{{margin:0}}
.counts{{display:flex;flex-wrap:wrap;gap:.75rem;list-style:none;padding:0;margin:1rem 0}}
.counts li{{border:1px solid #d1d5db;border-radius:.5rem;padding:.5rem .9rem;min-width:8rem}}
.counts .n{{display:block;font-size:1.5rem;font-weight:700}}
.badge{{display:inline-block;border-radius:.25rem;padding:0 .4rem;margin:0 .25rem .1rem 0;
font-size:.875rem;font-weight:600;white-space:nowrap}}
table{{border-collapse:collapse;width:100%;font-size:.9375rem}}
caption{{text-align:left;font-weight:600;padding:.25rem 0}}
#cards{{table-layout:fixed}}
#cards col.c-publisher{{width:12%}}
#cards col.c-version{{width:9%}}
#cards col.c-model{{width:15%}}
#cards col.c-health{{width:22%}}
#cards col.c-verified{{width:12%}}
#cards col.c-problems{{width:13%}}
#cards col.c-link{{width:17%}}
#cards td{{overflow-wrap:anywhere}}
th,td{{border-bottom:1px solid #e5e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}}
thead th{{background:#f9fafb;border-bottom:2px solid #9ca3af}}
th button{{font:inherit;font-weight:700;color:inherit;background:none;border:0;padding:0;
cursor:pointer;text-align:left}}
th[aria-sort=none] button::after{{content:" \\2195";color:#4b5563}}
th[aria-sort=ascending] button::after{{content:" \\25B2"}}
th[aria-sort=descending] button::after{{content:" \\25BC"}}
td.num,th.num{{text-align:right}}
code,.hash{{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.875rem;
word-break:break-all}}
.filters{{display:flex;flex-wrap:wrap;gap:1rem;align-items:end;margin:.5rem 0}}
.filters label{{display:block;font-weight:600}}
.filters select,.filters input{{font:inherit;padding:.25rem;border:1px solid #6b7280;
border-radius:.25rem}}
.visually-hidden{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}}
.chart{{max-width:100%;height:auto}}
.chart text{{font-size:12px;fill:{INK}}}
.chart .axis{{stroke:#6b7280;stroke-width:1}}
.legend{{display:flex;flex-wrap:wrap;gap:.75rem;list-style:none;padding:0}}
.legend span{{display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;
vertical-align:-.1rem;border-radius:.15rem}}
{_palette_css()}
"""
