"""The status page (``GET /``): recent jobs per repository and pull request, and problems.

A pure function of the ledger's records. Everything shown is escaped for HTML after
:func:`mdvalidator.sanitize.clean`, and the whole page is redacted against the secrets in
force, so neither a repository name from a payload nor a forge's message can inject markup,
and no token, webhook secret or key can appear.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping, Sequence

from mdvalidator import __version__
from mdvalidator.sanitize import clean, redact
from mdvalidator.serve.ledger import JobRecord

_STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
    ".pass{color:#1a7f37}.fail{color:#cf222e}.failed{color:#cf222e}"
)


def _e(text: object, limit: int = 300) -> str:
    return html.escape(clean(str(text), limit), quote=True)


def _when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp)) if stamp else "-"


def _row(record: JobRecord) -> str:
    mark = "!" if record.forge == "gitee" else "#"
    verdict = record.verdict or "-"
    if record.verdict and record.verdict_head and record.verdict_head != record.head:
        verdict += f" (for {record.verdict_head[:12]})"
    cells = [
        _e(record.forge),
        _e(record.repo),
        f"{mark}{record.number}",
        f'<span class="{_e(record.state)}">{_e(record.state)}</span>',
        f'<span class="{_e(record.verdict)}">{_e(verdict)}</span>',
        _e(record.head[:12] or "-"),
        f"{record.duration:.1f} s" if record.duration else "-",
        _e(_when(record.updated)),
        _e(record.error or "", 400),
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def render(
    records: Sequence[JobRecord],
    problems: Mapping[str, tuple[str, float]],
    info: Mapping[str, str],
    secrets: Sequence[str],
) -> str:
    """The page; ``info`` holds plain facts (forges, queue, role), already free of secrets."""
    facts = "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in info.items())
    trouble = "".join(
        f"<li><b>{_e(scope)}</b> ({_e(_when(at))}): {_e(text, 400)}</li>"
        for scope, (text, at) in problems.items()
    )
    head = (
        "<tr><th>forge</th><th>repository</th><th>pull request</th><th>state</th>"
        "<th>verdict</th><th>head</th><th>duration</th><th>updated</th><th>error</th></tr>"
    )
    rows = "".join(_row(r) for r in records) or '<tr><td colspan="9">no jobs yet</td></tr>'
    page = (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>mdvalidator serve</title><style>{_STYLE}</style></head><body>"
        f"<h1>mdvalidator serve {_e(__version__)}</h1><ul>{facts}</ul>"
        + (f"<h2>Problems</h2><ul>{trouble}</ul>" if trouble else "")
        + f"<h2>Recent jobs</h2><table>{head}{rows}</table></body></html>"
    )
    return redact(page, list(secrets))
