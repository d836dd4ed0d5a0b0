"""``report html``: the dashboard's pages, as plain data (relative path -> bytes).

``index.html`` holds the headline counts, the health chart and a table of every card (sorted
and filtered by its one script); each card that needs a maintainer gets ``cards/<id>.html``
with its problems at their lines and its assets with their evidence. Writing the folder is
:func:`mdvalidator.audit.files.write_site`'s job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from mdvalidator.audit.auditreport import AuditReport
from mdvalidator.audit.cards import Card, CardAsset, cards_of
from mdvalidator.audit.chart import health_chart
from mdvalidator.audit.health import WORST_FIRST, Health
from mdvalidator.audit.history import HistoryRecord, health_counts, last_verified
from mdvalidator.audit.html_parts import badge, href, number, page, size, source_link, text
from mdvalidator.audit.html_script import SCRIPT


@dataclass(frozen=True)
class SiteOptions:
    title: str = "Asset health"
    generated: str = ""  # the date shown as "generated"
    source_url: str = ""  # base URL of the hub's files (e.g. .../blob/COMMIT/), for links
    version: str = ""  # mdvalidator's


def build_site(
    report: AuditReport, history: Sequence[HistoryRecord], options: SiteOptions
) -> dict[str, bytes]:
    cards = cards_of(report, last_verified(history))
    files = {"index.html": _index(report, cards, history, options).encode("utf-8")}
    for card in cards:
        if card.failing:
            files[card.page] = _card_page(card, options).encode("utf-8")
    files[".nojekyll"] = b""
    return files


def _index(
    report: AuditReport, cards: list[Card], history: Sequence[HistoryRecord], options: SiteOptions
) -> str:
    counts = health_counts(report)
    made = f"Generated {text(options.generated)}" if options.generated else "Generated"
    by = f" by mdvalidator {text(options.version)}" if options.version else ""
    runs = f", {number(len(history))} runs in the history" if history else ""
    body = (
        f"<h1>{text(options.title)}</h1>\n"
        f'<p class="meta">{made}{by} from {number(report.checked)} checked files{runs}.</p>\n'
        f"{_headline(counts)}\n"
        '<section aria-labelledby="over-time"><h2 id="over-time">Over time</h2>\n'
        f"{health_chart(history)}</section>\n"
        '<section aria-labelledby="all-cards"><h2 id="all-cards">Cards</h2>\n'
        f"{_filters(cards)}\n{_cards_table(cards, options)}</section>"
    )
    return page(text(options.title), body, script=SCRIPT)


def _headline(counts: dict[str, int]) -> str:
    items = [
        ("cards", number(counts["cards"]), "files checked"),
        ("assets", number(counts["assets"]), "assets"),
        ("verified", number(counts["verified"]), "verified"),
        ("dead", number(counts["dead"]), "dead"),
        ("flaky", number(counts["flaky"]), "flaky"),
        ("mismatch", number(counts["mismatch"]), "mismatched"),
        ("bytes", size(counts["bytes_verified"]), "verified"),
    ]
    more = ", ".join(
        f"{number(counts[h.value])} {h.value}"
        for h in (Health.MOVED, Health.BLOCKED, Health.SKIPPED)
    )
    lis = "".join(
        f'<li id="count-{key}"><span class="n">{value}</span> {label}</li>'
        for key, value, label in items
    )
    return (
        f'<ul class="counts" aria-label="Headline counts">{lis}</ul>'
        f'<p class="meta">Also {more}; {number(counts["errors"])} errors in the cards.</p>'
    )


def _filters(cards: list[Card]) -> str:
    present = Counter(h for card in cards for h in card.healths)
    options = ['<option value="">any</option>'] + [
        f'<option value="{h.value}">{h.value} ({number(present[h])})</option>' for h in WORST_FIRST
    ]
    options.append(
        f'<option value="none">no asset ({number(sum(1 for c in cards if not c.assets))})</option>'
    )
    return (
        '<form id="filters" class="filters" hidden role="search" aria-label="Filter the cards">'
        '<div><label for="health-filter">Asset health</label>'
        f'<select id="health-filter">{"".join(options)}</select></div>'
        '<div><label for="search">Search</label>'
        '<input id="search" type="search" autocomplete="off" '
        'placeholder="publisher, model, path"></div></form>'
        f'<p id="shown" role="status" aria-live="polite">{number(len(cards))} cards</p>'
    )


_COLUMNS = ("Publisher", "Version", "Model", "Asset health", "Last verified", "Problems", "Link")
_COLUMN_CLASSES = ("publisher", "version", "model", "health", "verified", "problems", "link")


def _cards_table(cards: list[Card], options: SiteOptions) -> str:
    head = "".join(
        f'<th scope="col" aria-sort="none"><button type="button">{name}</button></th>'
        if name != "Link"
        else f'<th scope="col">{name}</th>'
        for name in _COLUMNS
    )
    rows = "\n".join(_card_row(card, options) for card in cards)
    columns = "".join(f'<col class="c-{name}">' for name in _COLUMN_CLASSES)
    return (
        '<table id="cards"><caption>Every card with assets or problems, the worst health '
        "first; choose a column heading to sort by it</caption>"
        f"<colgroup>{columns}</colgroup>"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>"
    )


def _card_row(card: Card, options: SiteOptions) -> str:
    name = card.name
    version = text(name.version) + (f" ({text(name.platform)})" if name.platform else "")
    health = card.health
    counts = Counter(a.asset.observed for a in card.assets)
    badges = "".join(badge(h, counts[h]) for h in card.healths) or "no asset"
    rank = f"{health.rank}" if health is not None else "9"
    healths = " ".join(h.value for h in card.healths) or "none"
    links = []
    if card.failing:
        links.append(
            f'<a href="{card.page}">details<span class="visually-hidden"> of '
            f"{text(card.path)}</span></a>"
        )
    source = source_link(options.source_url, card.path)
    if source:
        links.append(
            f'<a href="{source}">source<span class="visually-hidden"> of '
            f"{text(card.path)}</span></a>"
        )
    errors = card.errors
    others = len(card.problems) - errors
    problems = _plural(errors, "error") if errors else ""
    if others:
        problems += (", " if problems else "") + _plural(others, "other")
    return (
        f'<tr data-health="{healths}"><td>{text(name.publisher)}</td><td>{version}</td>'
        f'<td title="{text(card.path)}">{text(name.model)}'
        + (' <span class="meta">(cn)</span>' if name.translation else "")
        + f'</td><td data-sort="{rank} {healths}">{badges}</td>'
        f"<td>{text(card.last_verified) or 'never'}</td>"
        f'<td data-sort="{errors:06d} {len(card.problems):06d}">{problems}</td>'
        f"<td>{' · '.join(links)}</td></tr>"
    )


def _plural(count: int, word: str) -> str:
    return f"{number(count)} {word}" + ("" if count == 1 or word == "other" else "s")


def _card_page(card: Card, options: SiteOptions) -> str:
    name = card.name
    facts = [
        ("Publisher", name.publisher),
        ("Platform", name.platform),
        ("Version", name.version),
        ("Model", name.model),
        ("Last verified", card.last_verified or "never"),
    ]
    rows = "".join(f"<dt>{label}</dt><dd>{text(v)}</dd>" for label, v in facts if v)
    source = source_link(options.source_url, card.path)
    if source:
        rows += f'<dt>File</dt><dd><a href="{source}">the card on the forge</a></dd>'
    body = (
        '<p><a href="../index.html">All cards</a></p>\n'
        f"<h1><code>{text(card.path)}</code></h1>\n<dl>{rows}</dl>\n"
        f"{_problems_table(card, options)}\n{_assets_table(card, options)}"
    )
    return page(f"{text(card.path, 200)} — {text(options.title)}", body, root="../")


def _line(card: Card, line: int, options: SiteOptions) -> str:
    label = number(line) if line else "file"
    link = source_link(options.source_url, card.path, line) if line else None
    return f'<a href="{link}">{label}</a>' if link else label


def _problems_table(card: Card, options: SiteOptions) -> str:
    if not card.problems:
        return '<h2 id="problems">Problems</h2><p>None.</p>'
    rows = "".join(
        f'<tr><td class="num">{_line(card, p.line, options)}</td>'
        f'<td class="num">{p.column or ""}</td><td>{p.severity.label}</td>'
        f"<td><code>{text(p.rule)}</code> {text(p.name)}</td><td>{text(p.message)}</td></tr>"
        for p in card.problems
    )
    return (
        '<h2 id="problems">Problems</h2><table><caption>Problems at their lines</caption>'
        '<thead><tr><th scope="col" class="num">Line</th><th scope="col" class="num">Column'
        '</th><th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Message'
        f"</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _assets_table(card: Card, options: SiteOptions) -> str:
    if not card.assets:
        return '<h2 id="assets">Assets</h2><p>None.</p>'
    rows = "".join(_asset_row(card, item, options) for item in card.assets)
    return (
        '<h2 id="assets">Assets</h2><table><caption>Assets, with what the audit saw</caption>'
        '<thead><tr><th scope="col" class="num">Line</th><th scope="col">Link</th>'
        '<th scope="col">Health</th><th scope="col">Evidence</th><th scope="col">Since</th>'
        '<th scope="col">Last verified</th><th scope="col">sha256</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _asset_row(card: Card, item: CardAsset, options: SiteOptions) -> str:
    asset = item.asset
    result = asset.result
    url = href(result.ref.url)
    link = f'<a href="{url}" rel="nofollow noopener noreferrer">{text(result.ref.url)}</a>'
    evidence = []
    if asset.evidence is not None:
        found = asset.evidence
        if found.http_status is not None:
            evidence.append(f"HTTP {found.http_status}")
        if found.host:
            evidence.append(f"host {text(found.host)}")
        if found.attempts:
            evidence.append(f"{found.attempts} attempts")
        if found.moved_to:
            target = href(found.moved_to)
            moved = text(found.moved_to)
            evidence.append(
                f'moved to <a href="{target}" rel="nofollow noopener noreferrer">{moved}</a>'
                if target
                else f"moved to {moved}"
            )
    if result.bytes:
        evidence.append(size(result.bytes))
    digests = f'expected <span class="hash">{text(result.ref.expected) or "none"}</span>'
    if result.actual and result.actual != result.ref.expected:
        digests += f'<br>served <span class="hash">{text(result.actual)}</span>'
    return (
        f'<tr><td class="num">{_line(card, result.ref.line, options)}</td>'
        f"<td>{link if url else text(result.ref.url)}</td><td>{badge(asset.observed)}</td>"
        f"<td>{'; '.join(evidence)}</td><td>{text(asset.since or '')}</td>"
        f"<td>{text(item.last_verified) or 'never'}</td><td>{digests}</td></tr>"
    )
