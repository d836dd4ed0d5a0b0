"""Findings of the loadability checks: card values (and a conf file) in, typed findings out.

- :func:`card_findings`: the offline checks (link shape, weights) on a card's values;
- :func:`conf_target`: the conf file URL a card's link names, if there is one to check;
- :func:`conf_findings`: what a fetched (or unavailable) conf file means for that card.

Each finding names its check (:mod:`mdvalidator.loadability.codes`), a line of the card, and,
for conf files, the line in the conf file. Text from the card or the conf file is cleaned
before it enters a message. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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
from mdvalidator.loadability.loader_facts import CONF_FILE, DOWNLOADER_SUFFIXES, ENTRY_POINT
from mdvalidator.loadability.repo_link import LinkRefusal, LoaderLink, describe, read_repo_link
from mdvalidator.loadability.weights import downloader_suffix, loader_choice, suffix_accepted
from mdvalidator.problem import Severity
from mdvalidator.sanitize import clean

__all__ = ["Finding", "card_findings", "conf_findings", "conf_target"]


@dataclass(frozen=True)
class Finding:
    check: C.LoaderCheck
    line: int  # in the card
    message: str
    conf_line: int = 0  # in the conf file, when the finding is about a line there

    @property
    def code(self) -> str:
        return self.check.code

    @property
    def name(self) -> str:
        return self.check.name

    @property
    def severity(self) -> Severity:
        return self.check.severity


def _show(text: str, limit: int = 120) -> str:
    return repr(clean(text, limit))


def card_findings(values: CardValues) -> list[Finding]:
    """The offline checks: how the loader reads the repo-link, which weights it loads."""
    return [*_link_findings(values), *_weights_findings(values)]


def _link_findings(values: CardValues) -> Iterator[Finding]:
    if values.repo_link is None:
        return
    line = values.repo_link.line
    read = read_repo_link(values.repo_link.text)
    if isinstance(read, LinkRefusal):
        yield Finding(C.REPO_LINK_SHAPE, line, f"repo-link: {clean(read.message, 300)}")
        return
    for defect in read.defects:
        message = (
            f"repo-link: mindspore_hub.load fails: {clean(defect.message, 300)} ({describe(read)})"
        )
        yield Finding(C.REPO_LINK_SHAPE, line, clean(message, 600))


def _weights_findings(values: CardValues) -> Iterator[Finding]:
    choice = loader_choice(values.assets)
    if choice is None:
        return
    asset = choice.asset
    fmt = _show(asset.file_format or "", 40)
    if not choice.is_ckpt:
        message = (
            f"no asset has file-format ckpt: mindspore_hub.load takes asset {choice.ordinal} "
            f"(file-format {fmt}) as the weights and calls load_checkpoint on it, which reads "
            "only checkpoints (load with pretrained=False to skip the weights)"
        )
        if asset.link is not None and not suffix_accepted(asset.link):
            suffix = _show(downloader_suffix(asset.link), 40)
            message += f"; its downloader also deletes a file with suffix {suffix}"
        yield Finding(C.WEIGHTS_CHOICE, asset.line, message)
        return
    if asset.link is not None and not suffix_accepted(asset.link):
        suffix = _show(downloader_suffix(asset.link), 40)
        message = (
            f"mindspore_hub.load downloads asset {choice.ordinal} as the weights, but its "
            f"downloader deletes it: the suffix of the link's last part is {suffix}, and it keeps "
            f"only {' '.join(DOWNLOADER_SUFFIXES)} (case-sensitive, query string included)"
        )
        yield Finding(C.WEIGHTS_SUFFIX, asset.where, message)


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
                f"; if the branch is really {_show(link.branch + '/' + first, 60)}, note that a "
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
        shown = ", ".join(f"{_show(lit.text, 60)} (line {lit.line})" for lit in uncased[:5])
        more = f" and {len(uncased) - 5} more" if len(uncased) > 5 else ""
        message = (
            f"{ENTRY_POINT} ({where}) compares the model name with {shown}{more}: the loader "
            "lower-cases the name first, so these never match"
        )
        yield Finding(C.CONF_LITERAL_CASE, line, message, uncased[0].line)


def _unknown_name(values: CardValues, conf: ConfReading) -> Finding:
    assert values.model_name is not None
    wanted = values.model_name.text.lower()
    known = ", ".join(_show(lit.text, 60) for lit in conf.literals[:8])
    if len(conf.literals) > 8:
        known += f" and {len(conf.literals) - 8} more"
    message = (
        f"the loader calls {ENTRY_POINT}({_show(wanted, 80)}), the lower-cased model-name, and "
        f"{CONF_FILE} (line {conf.entry_line}) knows only {known}"
    )
    near = [lit for lit in conf.literals if lit.text.lower() == wanted]
    if near:
        message += f"; {_show(near[0].text, 60)} differs only by case, and can never match"
    return Finding(C.CONF_NAME_UNKNOWN, values.model_name.line, message, conf.entry_line)
