"""Command line: ``mdvalidator [check] PATH...`` and the other subcommands.

Each subcommand lives in ``mdvalidator.commands.<name>`` and exposes ``HELP``, ``DESCRIPTION``,
``configure(parser)`` and ``run(args) -> int``; they are imported only when chosen, so the
common lint path does not pay for network or publishing imports. Exit status: 0 passed,
1 problems found, 2 usage error or internal failure.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable, Sequence

from mdvalidator import __version__

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

# name -> one-line help; the module is mdvalidator.commands.<name>
COMMANDS: dict[str, str] = {
    "check": "validate descriptors (the default: `mdvalidator PATH...`)",
    "rules": "list the rules, or explain one: `mdvalidator rules MDV122`",
    "hash": "print the sha256 of files or URLs",
    "store": "validate DIGITS model stores (folders or live URLs); `store add` imports a tarball",
    "publish": "publish a JSON report to a pull request (GitHub check run / Gitee comment) "
    "or to one rolling issue (--issue)",
    "serve": "run the bot as a webhook service for Gitee and a GitHub App (docs/serve.md)",
    "report": "merge the JSON reports of a sharded run; build the audit dashboard",
}

_TOP_DESCRIPTION = """\
Validate model-hub descriptors: MindSpore Hub asset cards (*.md with a YAML header) and
DIGITS Model Store entries (master.json, info.json, aux.json, snapshot tarballs).

  mdvalidator card.md hub/assets/          check files and folders (same as `check`)
  mdvalidator rules                        list every rule with its code
  mdvalidator COMMAND --help               the options of one command

A first argument that names a command is that command (`mdvalidator store ./x` validates the
store ./x). To check a folder named like a command, write it as a path: `mdvalidator ./store`
or `mdvalidator check store`. A first word that is neither a path nor a command is refused
with the closest command (`mdvalidator chek .`: did you mean `check`?).

Exit status: 0 nothing failed, 1 problems found, 2 usage error or internal failure.
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with our status 2 and no traceback (as argparse does)."""


def build_parser(names: Iterable[str] = tuple(COMMANDS)) -> argparse.ArgumentParser:
    """The parser with the subcommands ``names`` (each module is imported to configure it)."""
    parser = _Parser(
        prog="mdvalidator",
        description=_TOP_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mdvalidator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in names:
        module = _command_module(name)
        command_parser = sub.add_parser(
            name,
            help=COMMANDS[name],
            description=getattr(module, "DESCRIPTION", COMMANDS[name]),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(command_parser)
    return parser


def _command_module(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"mdvalidator.commands.{name.replace('-', '_')}")


def _with_default_command(argv: list[str]) -> list[str]:
    """``mdvalidator a.md`` means ``mdvalidator check a.md``."""
    for arg in argv:
        if arg in ("-h", "--help", "--version"):
            return argv
        if not arg.startswith("-"):
            return argv if arg in COMMANDS else ["check", *argv]
    return ["check", *argv]


def _mistyped_command(argv: list[str]) -> str | None:
    """The command a first word that is no path was meant to be (``chek`` -> ``check``)."""
    import difflib
    import re

    first = argv[0] if argv else ""
    if first in COMMANDS or not re.fullmatch(r"[A-Za-z][A-Za-z_-]*", first):
        return None
    if os.path.lexists(first):
        return None
    close = difflib.get_close_matches(first.lower(), list(COMMANDS), n=1, cutoff=0.6)
    return close[0] if close else None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    meant = _mistyped_command(args_list)
    if meant is not None:
        from mdvalidator.sanitize import clean

        word = clean(args_list[0], 80)
        print(
            f"mdvalidator: {word!r} is neither a command nor an existing path; "
            f"did you mean `mdvalidator {meant}`? (to check a path, write `./{word}`)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    args_list = _with_default_command(args_list)
    parser = _build_for(args_list)
    args = parser.parse_args(args_list)
    module = _command_module(args.command)
    try:
        status: int = module.run(args)
    except KeyboardInterrupt:
        print("mdvalidator: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (``mdvalidator ... | head``): not our failure to report.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("MDVALIDATOR_DEBUG"):
            raise
        from mdvalidator.sanitize import clean

        print(
            f"mdvalidator: internal error: {type(exc).__name__}: {clean(str(exc))}", file=sys.stderr
        )
        print("mdvalidator: set MDVALIDATOR_DEBUG=1 to see the traceback", file=sys.stderr)
        return EXIT_USAGE
    return status


def _build_for(argv: list[str]) -> argparse.ArgumentParser:
    """Only the chosen subcommand's module is imported, keeping a one-card run fast."""
    chosen = next((a for a in argv if not a.startswith("-")), None)
    if chosen in COMMANDS and argv[:1] not in (["-h"], ["--help"]):
        return build_parser([chosen])
    return build_parser()
