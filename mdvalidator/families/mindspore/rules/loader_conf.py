"""MDV153-MDV159: the conf file ``mindspore_hub.load`` imports (``--check-conf``).

The raw ``mindspore_hub_conf.py`` of the folder a card's repo-link names is read with the
asset fetcher (URL reading, SSRF gate on every hop, 64 KiB cap; or a local checkout through
``--mirror``), once per run whatever the number of cards naming it, and parsed with ``ast``,
never run (``docs/loadability.md``). An online check: it runs after asset verification, over
what :func:`gather` kept of each card, only when the run asks for it and never offline; the
fetching code is imported only then.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject
from mdvalidator.families.mindspore.rules.loader import loader_rule, problem_of
from mdvalidator.family import OnlineContext, Target
from mdvalidator.loadability import codes as C
from mdvalidator.loadability.card_values import CardValues, from_card
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


def gather(subject: Subject, options: CardOptions) -> CardValues:
    """What the conf check needs of a card: its loader values (small, picklable)."""
    return from_card(subject.card)


def _fetcher(online: OnlineContext) -> ConfFetcher:
    from mdvalidator.loadability.conf_fetch import ConfFetcher

    fetcher = online.memo.get(_FETCHER)
    if not isinstance(fetcher, ConfFetcher):
        fetcher = ConfFetcher(online.assets)
        online.memo[_FETCHER] = fetcher
    return fetcher


def online(
    kept: Sequence[tuple[Target, object]], context: OnlineContext, options: CardOptions
) -> Iterator[Problem]:
    from mdvalidator.loadability.conf_check import check_conf

    fetcher = _fetcher(context)
    needs_call = not options.card.get(EVERY_CARD)
    cards = [(target, values) for target, values in kept if isinstance(values, CardValues)]

    def one(card: tuple[Target, CardValues]) -> list[Problem]:
        target, values = card
        findings = check_conf(values, fetcher, needs_call)
        return [problem_of(ONLINE, target.display, finding) for finding in findings]

    workers = min(max(1, context.assets.jobs), len(cards))
    if workers <= 1:
        found = [one(card) for card in cards]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers, thread_name_prefix="conf") as pool:
            found = list(pool.map(one, cards))
    for problems in found:
        yield from problems


CHECK = CardRules(rules=tuple(ONLINE.values()), keys=(EVERY_CARD,), gather=gather, online=online)
