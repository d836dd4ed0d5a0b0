"""Asset health over time: an inline SVG of stacked bars, one per run, and its numbers.

The picture is for eyes; the same numbers follow in a table (inside ``<details>``) for screen
readers and for anyone who wants the figures. Colours come with a legend in words, and each bar
has a tooltip (``<title>``) with its date and counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from mdvalidator.audit.health import Health
from mdvalidator.audit.history import HistoryRecord
from mdvalidator.audit.html_parts import number, text

# Bottom to top: the good news at the base, the worst on top where it shows.
STACK: tuple[Health, ...] = (
    Health.VERIFIED,
    Health.SKIPPED,
    Health.MOVED,
    Health.FLAKY,
    Health.BLOCKED,
    Health.DEAD,
    Health.MISMATCH,
)
MAX_BARS = 180
_WIDTH, _HEIGHT = 720, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 8, 8, 28


def health_chart(records: Sequence[HistoryRecord]) -> str:
    """The chart section's HTML (an empty-history note when there is nothing to draw)."""
    if not records:
        return (
            '<p id="no-history">No history yet: run <code>mdvalidator report merge ... '
            "--history FILE</code> on a schedule and pass the same <code>--history FILE</code> "
            "here to chart asset health over time.</p>"
        )
    shown = list(records)[-MAX_BARS:]
    return _svg(shown, len(records)) + _legend() + _table(records)


def _svg(records: list[HistoryRecord], total: int) -> str:
    tallest = max([1, *(sum(r.counts.get(h.value, 0) for h in STACK) for r in records)])
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    step = plot_w / len(records)
    bar = min(max(step * 0.8, 1.0), 48.0)
    parts = []
    for index, record in enumerate(records):
        x = _LEFT + index * step + (step - bar) / 2
        base = float(_TOP + plot_h)
        summary = ", ".join(
            f"{number(record.counts.get(h.value, 0))} {h.value}"
            for h in STACK
            if record.counts.get(h.value, 0)
        )
        parts.append(f"<g><title>{text(record.date)}: {summary or 'no assets'}</title>")
        for health in STACK:
            count = record.counts.get(health.value, 0)
            if not count:
                continue
            height = plot_h * count / tallest
            base -= height
            parts.append(
                f'<rect class="f-{health.value}" x="{x:.2f}" y="{base:.2f}" '
                f'width="{bar:.2f}" height="{height:.2f}"/>'
            )
        parts.append("</g>")
    first, last = records[0].date, records[-1].date
    latest = records[-1].counts
    description = (
        f"{len(records)} runs from {first} to {last}"
        + (f" (the last {len(records)} of {total})" if total > len(records) else "")
        + ". Latest: "
        + ", ".join(f"{number(latest.get(h.value, 0))} {h.value}" for h in STACK)
        + "."
    )
    axis_y = _TOP + plot_h
    ticks = "".join(
        f'<text x="{_LEFT - 6}" y="{_TOP + plot_h * (1 - f) + 4:.1f}" text-anchor="end">'
        f"{number(round(tallest * f))}</text>"
        for f in (0.0, 0.5, 1.0)
    )
    return (
        f'<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" width="{_WIDTH}" height="{_HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-title">Asset health per run</title>'
        f'<desc id="chart-desc">{text(description)}</desc>'
        f'<line class="axis" x1="{_LEFT}" y1="{axis_y}" x2="{_WIDTH - _RIGHT}" y2="{axis_y}"/>'
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{axis_y}"/>'
        f"{ticks}"
        f'<text x="{_LEFT}" y="{_HEIGHT - 8}">{text(first)}</text>'
        f'<text x="{_WIDTH - _RIGHT}" y="{_HEIGHT - 8}" text-anchor="end">{text(last)}</text>'
        + "".join(parts)
        + "</svg>"
    )


def _legend() -> str:
    items = "".join(
        f'<li><span class="k-{h.value}" aria-hidden="true"></span>{h.value}</li>'
        for h in reversed(STACK)
    )
    return f'<ul class="legend" aria-label="Legend">{items}</ul>'


def _table(records: Sequence[HistoryRecord]) -> str:
    head = "".join(f'<th scope="col" class="num">{h.value}</th>' for h in STACK)
    rows = []
    for record in reversed(records):
        cells = "".join(
            f'<td class="num">{number(record.counts.get(h.value, 0))}</td>' for h in STACK
        )
        rows.append(f'<tr><th scope="row">{text(record.date)}</th>{cells}</tr>')
    return (
        "<details><summary>The numbers, run by run</summary>"
        '<table id="runs"><caption>Assets by health, newest run first</caption>'
        f'<thead><tr><th scope="col">Run</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )
