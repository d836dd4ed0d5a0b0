"""The model names a ``create_network`` knows: the literals it compares its name with.

Recognised, with ``name`` the function's first parameter (or ``name.lower()``, which accepts
the same names, since the loader passes a lower-cased name):

- ``name == "x"``, ``name != "x"``, ``"x" == name``;
- ``name in ("x", "y")`` (tuple, list, set, dict literal; ``not in`` too);
- ``name in NAMES``, ``NETS[name]``, ``NETS.get(name)`` where ``NAMES``/``NETS`` is assigned
  once, to such a literal, and never changed;
- ``match name:`` with ``case "x":`` / ``case "x" | "y":``.

The set is *closed* when ``name`` is never rebound and no path through the function returns a
value for a name outside the set. Paths are followed through ``if``/``match`` (a name outside
the set fails every positive test above and passes every negative one; other tests go both
ways), loops, ``with`` and ``try`` (every ``except`` clause counts as reachable); a ``raise``,
a ``return None``, the end of the function (the loader wants a network, not None) and a
``NETS[name]`` lookup (a KeyError) end a path as a failure; any other ``return`` is a success.
Where the set is open nothing is claimed about the card's name; where ``name`` is rebound,
nothing at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = ["NameLiteral", "NameReading", "read_name_literals"]

_KEEPS_VALUE = frozenset({"lower"})  # lower(lower(x)) == lower(x): the same set of names
_MUTATORS = frozenset(
    {"append", "add", "update", "setdefault", "extend", "insert", "pop", "clear", "remove"}
)
_DEFERRED = (
    ast.Lambda,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
Outcome = Literal["through", "fails", "succeeds"]
Truth = Literal["false", "true", "unknown"]  # a test's value for a name outside the set


@dataclass(frozen=True)
class NameLiteral:
    text: str
    line: int  # in the conf file


@dataclass(frozen=True)
class NameReading:
    literals: tuple[NameLiteral, ...]
    closed: bool
    why_open: str = ""


def _constant_strings(node: ast.expr | None) -> list[NameLiteral] | None:
    """The strings of a str constant or a tuple/list/set/dict literal of them, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [NameLiteral(node.value, node.lineno)]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items: list[ast.expr | None] = list(node.elts)
    elif isinstance(node, ast.Dict):
        items = list(node.keys)
    else:
        return None
    found: list[NameLiteral] = []
    for item in items:
        if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
            return None
        found.append(NameLiteral(item.value, item.lineno))
    return found


class _Reader:
    def __init__(self, tree: ast.Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.tree = tree
        self.function = function
        positional = [*function.args.posonlyargs, *function.args.args]
        self.param = positional[0].arg if positional else ""
        self.literals: list[NameLiteral] = []
        self.tables = _constant_tables(tree)

    # ----- what a node is -------------------------------------------------------------------

    def is_name(self, node: ast.expr) -> ast.Name | None:
        """The parameter's Name node if ``node`` is the name (or a case-keeping method of it)."""
        if isinstance(node, ast.Name) and node.id == self.param:
            return node
        if (
            isinstance(node, ast.Call)
            and not node.args
            and not node.keywords
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _KEEPS_VALUE
        ):
            return self.is_name(node.func.value)
        return None

    def constant(self, node: ast.expr) -> list[NameLiteral] | None:
        """Strings of a literal, or of a variable bound once (to such a literal) and never
        changed anywhere in the file."""
        direct = _constant_strings(node)
        if direct is not None or not isinstance(node, ast.Name):
            return direct
        return self.tables.get(node.id)

    # ----- collecting literals ----------------------------------------------------------------

    def comparison(self, node: ast.Compare) -> tuple[bool, list[NameLiteral]] | None:
        """(positive, literals) for a name comparison: positive is == / in."""
        if len(node.ops) != 1:
            return None
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if self.is_name(left) is None:
            left, right = right, left
            if not isinstance(op, (ast.Eq, ast.NotEq)):
                return None
        if self.is_name(left) is None:
            return None
        if isinstance(op, (ast.Eq, ast.NotEq)):
            found = _constant_strings(right)
            ok = isinstance(right, ast.Constant) and found is not None
            return (isinstance(op, ast.Eq), found or []) if ok else None
        if isinstance(op, (ast.In, ast.NotIn)):
            found = self.constant(right)
            return (isinstance(op, ast.In), found) if found is not None else None
        return None

    def lookup(self, node: ast.expr) -> list[NameLiteral] | None:
        """Keys of ``NETS[name]`` / ``NETS.get(name)`` when NETS is a constant mapping."""
        if isinstance(node, ast.Subscript) and self.is_name(node.slice) is not None:
            return self.constant(node.value)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and len(node.args) == 1
            and not node.keywords
            and self.is_name(node.args[0]) is not None
        ):
            return self.constant(node.func.value)
        return None

    def collect(self) -> None:
        for node in ast.walk(self.function):
            found: list[NameLiteral] | None = None
            subject: ast.expr | None = None
            if isinstance(node, ast.Compare):
                compared = self.comparison(node)
                if compared is not None:
                    found, subject = compared[1], node
            elif isinstance(node, (ast.Subscript, ast.Call)):
                found = self.lookup(node)
                subject = node
            elif isinstance(node, ast.Match) and self.is_name(node.subject) is not None:
                found = [lit for case in node.cases for lit in _case_literals(case.pattern)]
                subject = node.subject
            if found is not None and subject is not None:
                self.literals.extend(found)

    # ----- following paths --------------------------------------------------------------------

    def truth(self, test: ast.expr) -> Truth:
        if isinstance(test, ast.Compare):
            compared = self.comparison(test)
            if compared is None:
                return "unknown"
            return "false" if compared[0] else "true"
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return _flip(self.truth(test.operand))
        if isinstance(test, ast.BoolOp):
            values = [self.truth(v) for v in test.values]
            short: Truth = "false" if isinstance(test.op, ast.And) else "true"
            if short in values:
                return short
            other = _flip(short)
            return other if all(v == other for v in values) else "unknown"
        if self.lookup(test) is not None:
            return "false" if isinstance(test, ast.Call) else "unknown"
        return "unknown"

    def fails_on_lookup(self, node: ast.AST) -> bool:
        """Does evaluating ``node`` surely do ``NETS[name]`` (a KeyError for an unknown name)?"""
        return any(
            isinstance(inner, ast.Subscript) and self.lookup(inner) is not None
            for inner in _surely_evaluated(node)
        )

    def run(self, body: list[ast.stmt]) -> Outcome:
        """How a name outside the set leaves ``body``."""
        for statement in body:
            outcome = self.step(statement)
            if outcome != "through":
                return outcome
        return "through"

    def step(self, statement: ast.stmt) -> Outcome:
        if isinstance(statement, ast.Raise):
            return "fails"
        if isinstance(statement, ast.Return):
            value = statement.value
            if value is None or (isinstance(value, ast.Constant) and value.value is None):
                return "fails"  # the loader wants a Cell
            if self.fails_on_lookup(value):
                return "fails"
            return "succeeds"
        if isinstance(statement, ast.If):
            truth = self.truth(statement.test)
            branches = {"false": [statement.orelse], "true": [statement.body]}.get(
                truth, [statement.body, statement.orelse]
            )
            return _join([self.run(b) for b in branches])
        if isinstance(statement, ast.Match):
            return self.match(statement)
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            inside = self.run(statement.body)
            return "succeeds" if "succeeds" in (inside, self.run(statement.orelse)) else "through"
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            return self.run(statement.body)
        if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            return self.attempt(statement)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return "through"
        if self.fails_on_lookup(statement):
            return "fails"
        return "through"

    def match(self, statement: ast.Match) -> Outcome:
        on_name = self.is_name(statement.subject) is not None
        outcomes: list[Outcome] = []
        for case in statement.cases:
            if on_name and _case_literals(case.pattern) and _only_literals(case.pattern):
                continue  # a name outside the set matches no literal case
            outcomes.append(self.run(case.body))
            if case.guard is None and _irrefutable(case.pattern):
                return _join(outcomes)
        return _join([*outcomes, "through"])

    def attempt(self, statement: ast.stmt) -> Outcome:
        body: list[ast.stmt] = getattr(statement, "body", [])
        handlers: list[ast.ExceptHandler] = getattr(statement, "handlers", [])
        outcomes = [self.run(body)]
        outcomes += [self.run(h.body) for h in handlers]
        outcomes.append(self.run(getattr(statement, "orelse", [])))
        final = self.run(getattr(statement, "finalbody", []))
        if final != "through":
            return final
        if "succeeds" in outcomes:
            return "succeeds"
        return (
            "fails"
            if outcomes[0] == "fails" and all(o == "fails" for o in outcomes[1:-1])
            else "through"
        )


def _join(outcomes: list[Outcome]) -> Outcome:
    if "succeeds" in outcomes:
        return "succeeds"
    if outcomes and all(o == "fails" for o in outcomes):
        return "fails"
    return "through"


def _case_literals(pattern: ast.pattern) -> list[NameLiteral]:
    if isinstance(pattern, ast.MatchValue):
        found = _constant_strings(pattern.value)
        return found if found and isinstance(pattern.value, ast.Constant) else []
    if isinstance(pattern, ast.MatchOr):
        return [lit for p in pattern.patterns for lit in _case_literals(p)]
    if isinstance(pattern, ast.MatchAs) and pattern.pattern is not None:
        return _case_literals(pattern.pattern)
    return []


def _only_literals(pattern: ast.pattern) -> bool:
    if isinstance(pattern, ast.MatchValue):
        return bool(_case_literals(pattern))
    if isinstance(pattern, ast.MatchOr):
        return all(_only_literals(p) for p in pattern.patterns)
    if isinstance(pattern, ast.MatchAs) and pattern.pattern is not None:
        return _only_literals(pattern.pattern)
    return False


def _irrefutable(pattern: ast.pattern) -> bool:
    if isinstance(pattern, ast.MatchAs):
        return pattern.pattern is None or _irrefutable(pattern.pattern)
    if isinstance(pattern, ast.MatchOr):
        return any(_irrefutable(p) for p in pattern.patterns)
    return False


def _bound(node: ast.AST) -> str | None:
    """The variable ``node`` binds (assignment and loop targets, with/except/match names,
    imports, defs), or None."""
    if isinstance(node, ast.Name):
        return None if isinstance(node.ctx, ast.Load) else node.id
    if isinstance(node, ast.alias):
        return node.asname or node.name.split(".")[0]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return node.name
    if isinstance(node, ast.MatchMapping):
        return node.rest
    return None


def _rebinds(node: ast.AST, variable: str) -> bool:
    """Does ``node`` bind ``variable``, or declare it global/nonlocal?"""
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return variable in node.names
    return _bound(node) == variable


def _changed(node: ast.AST) -> list[str]:
    """Variables ``node`` changes in place or may rebind: ``NETS[k] = v``, ``del NETS[k]``,
    ``NETS.update(...)``, ``global NETS``."""
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
        return [node.value.id] if isinstance(node.value, ast.Name) else []
    if isinstance(node, ast.Attribute) and node.attr in _MUTATORS:
        return [node.value.id] if isinstance(node.value, ast.Name) else []
    return []


def _constant_tables(tree: ast.Module) -> dict[str, list[NameLiteral]]:
    """Variables bound exactly once in the whole file, by ``X = <literal>`` (or ``X: T = ...``),
    and never changed: their strings. One pass, whatever the number of lookups."""
    stores: dict[str, int] = {}
    changed: set[str] = set()
    values: dict[str, ast.expr | None] = {}
    for node in ast.walk(tree):
        bound = _bound(node)
        if bound is not None:
            stores[bound] = stores.get(bound, 0) + 1
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                values[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            values[node.target.id] = node.value
        else:
            changed.update(_changed(node))
    tables: dict[str, list[NameLiteral]] = {}
    for variable, value in values.items():
        if stores.get(variable) == 1 and variable not in changed:
            found = _constant_strings(value)
            if found is not None:
                tables[variable] = found
    return tables


def _surely_evaluated(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and the parts of it that run whenever it does: not the branches of ``a if t
    else b``, not the operands after the first of ``and``/``or``, not comprehensions, lambdas
    or nested definitions."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if isinstance(current, ast.IfExp):
            pending.append(current.test)
        elif isinstance(current, ast.BoolOp):
            pending.append(current.values[0])
        elif not isinstance(current, _DEFERRED):
            pending.extend(ast.iter_child_nodes(current))


def _flip(truth: Truth) -> Truth:
    if truth == "false":
        return "true"
    if truth == "true":
        return "false"
    return "unknown"


def read_name_literals(
    tree: ast.Module, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> NameReading:
    """The literals ``function`` compares its name with, and whether they are all it accepts."""
    reader = _Reader(tree, function)
    if not reader.param:
        return NameReading((), False, "no name parameter")
    if any(_rebinds(node, reader.param) for node in ast.walk(function)):
        return NameReading((), False, f"'{reader.param}' is rebound")
    reader.collect()
    literals = _unique(reader.literals)
    if not literals:
        return NameReading((), False, "no literal")
    if reader.run(function.body) == "succeeds":
        return NameReading(literals, False, "a name outside the literals may succeed")
    return NameReading(literals, True)


def _unique(literals: list[NameLiteral]) -> tuple[NameLiteral, ...]:
    seen: dict[str, NameLiteral] = {}
    for literal in sorted(literals, key=lambda lit: lit.line):
        seen.setdefault(literal.text, literal)
    return tuple(seen.values())
