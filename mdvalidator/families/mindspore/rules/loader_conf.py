"""MDV153-MDV159: the conf file ``mindspore_hub.load`` imports (``--check-conf``).

The raw ``mindspore_hub_conf.py`` of the folder a card's repo-link names is read with the
asset fetcher (URL reading, SSRF gate on every hop, 64 KiB cap; or a local checkout through
``--mirror``), once per run whatever the number of cards naming it, and parsed with ``ast``,
never run (``docs/loadability.md``). An online check: it runs after asset verification, over
the cards of the run read again, only when the run asks for it and never offline; the
fetching code is imported only then.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject
from mdvalidator.families.mindspore.rules.loader import loader_rule, problem_of
from mdvalidator.family import OnlineContext
from mdvalidator.loadability import codes as C
from mdvalidator.loadability.card_values import from_card
from mdvalidator.problem import Problem

if TYPE_CHECKING:
    from mdvalidator.loadability.conf_fetch import ConfFetcher

EVERY_CARD = Key(
    "conf-every-card",
    Kind.BOOL,
    False,
    "--check-conf also reads the conf file of cards whose code blocks never call "
    "mindspore_hub.load (catalog cards, whose folders usually have none).",
)

ONLINE = {
    rule.code: rule
    for rule in (
        loader_rule(check)
        for check in (
            C.CONF_MISSING,
            C.CONF_NO_CREATE_NETWORK,
            C.CONF_SIGNATURE,
            C.CONF_NAME_UNKNOWN,
            C.CONF_LITERAL_CASE,
            C.CONF_SYNTAX_ERROR,
            C.CONF_UNAVAILABLE,
        )
    )
}
_FETCHER = "mindspore-hub/conf-fetcher"  # the run's one fetcher, in the online memo


def _fetcher(online: OnlineContext) -> ConfFetcher:
    from mdvalidator.loadability.conf_fetch import ConfFetcher

    fetcher = online.memo.get(_FETCHER)
    if not isinstance(fetcher, ConfFetcher):
        fetcher = ConfFetcher(online.assets)
        online.memo[_FETCHER] = fetcher
    return fetcher


def online(
    subjects: Sequence[Subject], context: OnlineContext, options: CardOptions
) -> Iterator[Problem]:
    from mdvalidator.loadability.conf_check import check_conf

    fetcher = _fetcher(context)
    needs_call = not options.card.get(EVERY_CARD)

    def one(subject: Subject) -> list[Problem]:
        card = subject.card
        findings = check_conf(from_card(card), fetcher, needs_call)
        return [problem_of(ONLINE, card.path, finding) for finding in findings]

    workers = min(max(1, context.assets.jobs), len(subjects))
    if workers <= 1:
        found = [one(subject) for subject in subjects]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers, thread_name_prefix="conf") as pool:
            found = list(pool.map(one, subjects))
    for problems in found:
        yield from problems


CHECK = CardRules(rules=tuple(ONLINE.values()), keys=(EVERY_CARD,), online=online)
