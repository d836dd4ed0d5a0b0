"""Findings of the conf check: what a conf file (read, or why not) means for a card.

- :func:`conf_target`: the conf file URL a card's link names, if there is one to check;
- :func:`conf_findings`: what a fetched (or unavailable) conf file means for that card.

Text from the card or the conf file is cleaned before it enters a message. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator

from mdvalidator.loadability import codes as C
from mdvalidator.loadability.card_values import CardValues
from mdvalidator.loadability.conf_ast import (
    ConfReading,
    ConfSyntaxError,
    accepts,
    uncased_literals,
)
from mdvalidator.loadability.conf_fetch import ConfUnavailable
from mdvalidator.loadability.conf_url import conf_url
from mdvalidator.loadability.findings import Finding, quoted
from mdvalidator.loadability.loader_facts import CONF_FILE, ENTRY_POINT
from mdvalidator.loadability.repo_link import LoaderLink, describe, read_repo_link
from mdvalidator.sanitize import clean

__all__ = ["conf_findings", "conf_target"]


def conf_target(
    values: CardValues, require_load_call: bool = True
) -> tuple[LoaderLink, str] | None:
    """The link and conf-file URL to check, or None: no link, a link the loader cannot use
    (the shape check says so), a host without a known raw-file form, or (``require_load_call``)
    a card whose code blocks never call ``mindspore_hub.load``: the real hub lists on purpose
    models that are not loaded that way (catalog cards), and their folders have no conf file."""
    if values.repo_link is None or (require_load_call and not values.load_call):
        return None
    read = read_repo_link(values.repo_link.text)
    if not isinstance(read, LoaderLink) or read.defects:
        return None
    url = conf_url(read)
    return (read, url) if url is not None else None


def conf_findings(
    values: CardValues,
    link: LoaderLink,
    url: str,
    conf: ConfReading | ConfSyntaxError | ConfUnavailable,
) -> list[Finding]:
    """What the conf file (read, or why it is not) means for the card ``values`` belong to."""
    line = values.repo_link.line if values.repo_link is not None else values.line
    if isinstance(conf, ConfUnavailable):
        return list(_unavailable(conf, link, line))
    if isinstance(conf, ConfSyntaxError):
        message = (
            f"{CONF_FILE} line {conf.line}, column {conf.column}: {clean(conf.message, 200)}: "
            f"the loader's import fails ({clean(url, 200)})"
        )
        return [Finding(C.CONF_SYNTAX_ERROR, line, message, conf.line)]
    return list(_reading(values, conf, line))


def _unavailable(conf: ConfUnavailable, link: LoaderLink, line: int) -> Iterator[Finding]:
    if conf.kind == "offline":
        return
    if conf.kind == "missing":
        message = (
            f"no {CONF_FILE} where the loader imports it from: {describe(link)} "
            f"({clean(conf.message, 300)})"
        )
        first = link.folder.split("/", 1)[0]
        if first[:1].isdigit() or (first[:1] in "vV" and first[1:2].isdigit()):
            message += (
                f"; if the branch is really {quoted(link.branch + '/' + first, 60)}, note that a "
                "branch whose name holds '/' cannot be named in a repo-link"
            )
        yield Finding(C.CONF_MISSING, line, message)
        return
    yield Finding(C.CONF_UNAVAILABLE, line, f"{CONF_FILE} not checked: {clean(conf.message, 300)}")


def _reading(values: CardValues, conf: ConfReading, line: int) -> Iterator[Finding]:
    if conf.entry == "absent":
        message = f"{CONF_FILE} defines no {ENTRY_POINT}: the loader's call fails"
        yield Finding(C.CONF_NO_CREATE_NETWORK, line, message)
        return
    if conf.entry != "def":
        return
    where = f"{CONF_FILE} line {conf.entry_line}"
    if conf.call_problems:
        message = f"{ENTRY_POINT} ({where}) cannot be called as {ENTRY_POINT}(name): " + "; ".join(
            conf.call_problems
        )
        yield Finding(C.CONF_NO_CREATE_NETWORK, line, message, conf.entry_line)
    if conf.signature_problems:
        message = f"{ENTRY_POINT} ({where}): " + "; ".join(conf.signature_problems)
        yield Finding(C.CONF_SIGNATURE, line, message, conf.entry_line)
    if values.model_name is not None and accepts(conf, values.model_name.text) is False:
        yield _unknown_name(values, conf)
    uncased = uncased_literals(conf)
    if uncased:
        shown = ", ".join(f"{quoted(lit.text, 60)} (line {lit.line})" for lit in uncased[:5])
        more = f" and {len(uncased) - 5} more" if len(uncased) > 5 else ""
        message = (
            f"{ENTRY_POINT} ({where}) compares the model name with {shown}{more}: the loader "
            "lower-cases the name first, so these never match"
        )
        yield Finding(C.CONF_LITERAL_CASE, line, message, uncased[0].line)


def _unknown_name(values: CardValues, conf: ConfReading) -> Finding:
    assert values.model_name is not None
    wanted = values.model_name.text.lower()
    known = ", ".join(quoted(lit.text, 60) for lit in conf.literals[:8])
    if len(conf.literals) > 8:
        known += f" and {len(conf.literals) - 8} more"
    message = (
        f"the loader calls {ENTRY_POINT}({quoted(wanted, 80)}), the lower-cased model-name, and "
        f"{CONF_FILE} (line {conf.entry_line}) knows only {known}"
    )
    near = [lit for lit in conf.literals if lit.text.lower() == wanted]
    if near:
        message += f"; {quoted(near[0].text, 60)} differs only by case, and can never match"
    return Finding(C.CONF_NAME_UNKNOWN, values.model_name.line, message, conf.entry_line)
