"""A ``mindspore_hub_conf.py`` read with :mod:`ast`: never imported, never executed.

The loader imports the file, takes its module-level ``create_network`` and calls
``create_network(model_name.lower(), *args, **kwargs)``. Read here, without running anything:

- whether the module binds ``create_network`` at all, and whether that is one plain ``def``
  whose signature can be read (two defs, an import, an assignment, a decorator, ``from x import
  *`` or a module ``__getattr__`` may provide it too: then nothing more is said);
- whether ``create_network(name)`` can be called at all, and whether its signature also takes
  the ``*args, **kwargs`` that load() passes on;
- which string literals the function compares its name parameter with, and whether a name
  outside them can succeed (:mod:`mdvalidator.loadability.conf_names`).

Pure functions, standard library only.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from mdvalidator.loadability.conf_names import NameLiteral, read_name_literals
from mdvalidator.loadability.loader_facts import ENTRY_POINT

__all__ = [
    "ConfReading",
    "ConfSyntaxError",
    "NameLiteral",
    "accepts",
    "read_conf",
    "uncased_literals",
]

EntryKind = Literal["def", "other", "absent"]
_BLOCKS: tuple[type[ast.stmt], ...] = (
    ast.If,
    ast.Try,
    ast.With,
    ast.AsyncWith,
    ast.For,
    ast.AsyncFor,
    ast.While,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),  # Python 3.11+
)


@dataclass(frozen=True)
class ConfSyntaxError:
    """The file does not parse: the loader's import fails here too."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class ConfReading:
    """What the conf file says about ``create_network``."""

    entry: EntryKind  # "other": bound some way whose signature cannot be read
    entry_line: int = 0
    call_problems: tuple[str, ...] = ()  # create_network(name) itself fails
    signature_problems: tuple[str, ...] = ()  # fails once load() passes more arguments
    literals: tuple[NameLiteral, ...] = ()
    closed: bool = False  # True: a name outside ``literals`` cannot succeed
    why_open: str = ""


def read_conf(source: bytes | str) -> ConfReading | ConfSyntaxError:
    """Read a conf file's text (bytes honour a PEP 263 coding line, as the import does)."""
    try:
        tree = ast.parse(source, filename="mindspore_hub_conf.py")
    except SyntaxError as error:
        return ConfSyntaxError(error.lineno or 1, error.offset or 1, error.msg)
    except (ValueError, UnicodeDecodeError) as error:  # NUL bytes; a bad coding line
        return ConfSyntaxError(1, 1, str(error))
    except (RecursionError, MemoryError):
        return ConfSyntaxError(1, 1, "too deeply nested to parse")
    kind, function = _entry(tree)
    if kind != "def" or function is None:
        return ConfReading(kind)
    calls = tuple(_call_problems(function))
    problems = tuple(_signature_problems(function))
    try:
        names = read_name_literals(tree, function)
    except RecursionError:
        return ConfReading("def", function.lineno, calls, problems, why_open="too deeply nested")
    return ConfReading(
        "def", function.lineno, calls, problems, names.literals, names.closed, names.why_open
    )


def accepts(reading: ConfReading, model_name: str) -> bool | None:
    """Can ``create_network(model_name.lower(), ...)`` get past the name checks? None: unknown."""
    if reading.entry != "def" or not reading.closed or not reading.literals:
        return None
    return model_name.lower() in {literal.text for literal in reading.literals}


def uncased_literals(reading: ConfReading) -> tuple[NameLiteral, ...]:
    """Literals compared with the lower-cased name that are not lower case: never equal."""
    return tuple(lit for lit in reading.literals if lit.text != lit.text.lower())


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run at import: the module's, and those in its blocks (not in defs)."""
    for statement in body:
        yield statement
        if isinstance(statement, _BLOCKS):
            for field in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(statement, field, []))
            for handler in getattr(statement, "handlers", []):
                yield from _module_statements(handler.body)
        elif isinstance(statement, ast.Match):
            for case in statement.cases:
                yield from _module_statements(case.body)


def _binds_entry(statement: ast.stmt) -> bool:
    """Does ``statement`` bind ENTRY_POINT other than by a plain def?"""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return any(
            alias.name == "*" or (alias.asname or alias.name.split(".")[0]) == ENTRY_POINT
            for alias in statement.names
        )
    if isinstance(statement, ast.ClassDef):
        return statement.name == ENTRY_POINT
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return statement.name == "__getattr__"  # a module __getattr__ answers hasattr()
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        targets = [statement.target]
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in statement.items if item.optional_vars]
    elif isinstance(statement, ast.Expr):
        return _dynamic_globals(statement.value)
    return any(
        isinstance(node, ast.Name) and node.id == ENTRY_POINT
        for target in targets
        for node in ast.walk(target)
    )


def _dynamic_globals(expression: ast.expr) -> bool:
    """``exec(...)``, ``globals()[...] = ...``-style calls may define anything."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("exec", "globals", "setattr", "vars")
        for node in ast.walk(expression)
    )


def _entry(tree: ast.Module) -> tuple[EntryKind, ast.FunctionDef | ast.AsyncFunctionDef | None]:
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    other = False
    for statement in _module_statements(tree.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            statement.name == ENTRY_POINT
        ):
            functions.append(statement)
        elif _binds_entry(statement):
            other = True
    # Two defs: which one the import leaves depends on what runs; say nothing.
    other = other or len(functions) > 1
    function = functions[0] if functions else None
    # ``(create_network := ...)``: anywhere in the file, to keep this one pass
    other = other or any(
        isinstance(node, ast.NamedExpr) and node.target.id == ENTRY_POINT for node in ast.walk(tree)
    )
    if other or (function is not None and function.decorator_list):
        return "other", None
    if function is None:
        return "absent", None
    return "def", function


def _call_problems(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    """Why even ``create_network(name)`` fails against this function."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if isinstance(function, ast.AsyncFunctionDef):
        yield "it is 'async def': calling it returns a coroutine, not a network"
    if not positional and arguments.vararg is None:
        yield "it has no positional parameter for the model name"
    required = len(positional) - len(arguments.defaults)
    if required > 1:
        names = ", ".join(a.arg for a in positional[1:required])
        yield f"it requires positional arguments after the name ({names})"
    needed = [
        a.arg
        for a, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        if default is None
    ]
    if needed:
        yield f"it requires keyword arguments ({', '.join(needed)})"


def _signature_problems(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    """Why ``create_network(name, *args, **kwargs)`` fails once load() is given arguments."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if arguments.vararg is None:
        extra = max(0, len(positional) - 1)
        if extra == 0:
            yield "it has no *args, so load(name, arg) fails"
        else:
            yield f"it has no *args, so load(name, ...) with more than {extra} argument(s) fails"
    if arguments.kwarg is None:
        yield "it has no **kwargs, so load(name, key=value) fails"
