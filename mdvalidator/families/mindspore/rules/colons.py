"""MDV109: no ':' in a header value, but under the keys the hub's validator allows it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mdvalidator.document import Mapping, Node, Scalar
from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject, show
from mdvalidator.problem import Problem
from mdvalidator.rule import Rule

F = "mindspore-hub"

COLON_ALLOWED_IN = Key[tuple[str, ...] | None](
    "colon-allowed-in",
    Kind.TEXTS,
    None,
    "When set, header values must not contain ':' except under these keys (the hub's rule).",
)

COLON_IN_VALUE = Rule(
    "MDV109",
    "colon-in-value",
    "A header value contains ':', which the hub's validator refuses.",
    "The hub's validator fails every card with a ':' in a value, except under repo-link,\n"
    "asset and evaluation (the rule set's [card] colon-allowed-in). Such a value is usually\n"
    "two facts in one ('accuracy: top1: 76.5'): give each its own key, or drop the ':'.",
    family=F,
)


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    allowed_in = options.card.get(COLON_ALLOWED_IN)
    card = subject.card
    if allowed_in is not None and card.header is not None:
        yield from check_colons(card.path, card.header, allowed_in)


def check_colons(path: str, header: Mapping, allowed_in: Iterable[str]) -> Iterator[Problem]:
    """The hub's rule: no ':' in any header value (what ``str(value)`` shows), but under
    ``allowed_in``. A mapping value always shows one."""
    exempt = set(allowed_in)
    for key, value in header.pairs:
        if key.text in exempt:
            continue
        at = _colon_at(value)
        if at is None:
            continue
        shown = f" {show(at.text)}" if isinstance(at, Scalar) else " (a mapping)"
        yield COLON_IN_VALUE.problem(
            path,
            at.line,
            at.column,
            f"{show(key.text)} has ':' in its value{shown}; the hub's validator refuses it "
            f"(':' may only appear under {', '.join(sorted(exempt)) or 'no key'})",
        )


def _colon_at(node: Node) -> Node | None:
    """The first node (depth first) that shows a ':'. Each node is looked at once: YAML
    aliases make the header a graph in which one list can be reached many times (the
    billion laughs), and a walk of every path would take time exponential in the card."""
    seen: set[int] = set()
    stack: list[Node] = [node]
    while stack:
        at = stack.pop()
        if id(at) in seen:
            continue
        seen.add(id(at))
        if isinstance(at, Scalar):
            if ":" in at.text:
                return at
        elif isinstance(at, Mapping):
            if at.pairs:
                return at
        else:
            stack.extend(reversed(at.items))
    return None


CHECK = CardRules(rules=(COLON_IN_VALUE,), keys=(COLON_ALLOWED_IN,), check=check)
