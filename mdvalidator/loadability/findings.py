"""Findings of the loadability checks, and the offline ones: card values in, typed findings out.

- :class:`Finding`: a check (:mod:`mdvalidator.loadability.codes`), a line of the card, and,
  for conf files, the line in the conf file;
- :func:`card_findings`: the offline checks (link shape, weights) on a card's values.

The conf file's findings are in :mod:`.conf_findings` (kept apart so that the offline lint path
imports none of the conf-file reading). Text from the card is cleaned before it enters a
message. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mdvalidator.loadability import codes as C
from mdvalidator.loadability.card_values import CardValues
from mdvalidator.loadability.loader_facts import DOWNLOADER_SUFFIXES
from mdvalidator.loadability.repo_link import LinkRefusal, describe, read_repo_link
from mdvalidator.loadability.weights import downloader_suffix, loader_choice, suffix_accepted
from mdvalidator.problem import Severity
from mdvalidator.sanitize import clean

__all__ = ["Finding", "card_findings", "quoted"]


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


def quoted(text: str, limit: int = 120) -> str:
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
    fmt = quoted(asset.file_format or "", 40)
    if not choice.is_ckpt:
        message = (
            f"no asset has file-format ckpt: mindspore_hub.load takes asset {choice.ordinal} "
            f"(file-format {fmt}) as the weights and calls load_checkpoint on it, which reads "
            "only checkpoints (load with pretrained=False to skip the weights)"
        )
        if asset.link is not None and not suffix_accepted(asset.link):
            suffix = quoted(downloader_suffix(asset.link), 40)
            message += f"; its downloader also deletes a file with suffix {suffix}"
        yield Finding(C.WEIGHTS_CHOICE, asset.line, message)
        return
    if asset.link is not None and not suffix_accepted(asset.link):
        suffix = quoted(downloader_suffix(asset.link), 40)
        message = (
            f"mindspore_hub.load downloads asset {choice.ordinal} as the weights, but its "
            f"downloader deletes it: the suffix of the link's last part is {suffix}, and it keeps "
            f"only {' '.join(DOWNLOADER_SUFFIXES)} (case-sensitive, query string included)"
        )
        yield Finding(C.WEIGHTS_SUFFIX, asset.where, message)
