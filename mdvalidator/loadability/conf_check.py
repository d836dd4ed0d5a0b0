"""The conf check of one card: derive the URL, read it once per run, parse it once, judge it.

``check_conf(values, fetcher)`` is all a rule needs (the fetcher is the run's one
:class:`~mdvalidator.loadability.conf_fetch.ConfFetcher`, so cards sharing a conf file share
its read and its parse).
"""

from __future__ import annotations

from functools import lru_cache

from mdvalidator.loadability.card_values import CardValues
from mdvalidator.loadability.conf_ast import ConfReading, ConfSyntaxError, read_conf
from mdvalidator.loadability.conf_fetch import ConfFetcher, ConfUnavailable
from mdvalidator.loadability.conf_findings import conf_findings, conf_target
from mdvalidator.loadability.findings import Finding

__all__ = ["check_conf", "parsed_conf"]


@lru_cache(maxsize=512)
def parsed_conf(data: bytes) -> ConfReading | ConfSyntaxError:
    """:func:`read_conf`, once per distinct file content."""
    return read_conf(data)


def check_conf(
    values: CardValues, fetcher: ConfFetcher, require_load_call: bool = True
) -> list[Finding]:
    """The conf findings of one card (none when :func:`conf_target` finds nothing to check)."""
    target = conf_target(values, require_load_call)
    if target is None:
        return []
    link, url = target
    fetched = fetcher.get(url)
    conf: ConfReading | ConfSyntaxError | ConfUnavailable
    conf = fetched if isinstance(fetched, ConfUnavailable) else parsed_conf(fetched.data)
    return conf_findings(values, link, url, conf)
