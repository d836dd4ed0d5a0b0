"""``mdvalidator rules [CODE|NAME]``: list every rule, or explain one."""

from __future__ import annotations

import argparse
import sys

from mdvalidator.registry import all_rules, find_rule

HELP = "list the rules, or explain one"
DESCRIPTION = """\
Without an argument: one line per rule (code, default severity, name, summary).
With a code or a name: the rule's full documentation.

examples:
  mdvalidator rules
  mdvalidator rules MDV122
  mdvalidator rules unknown-key
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", nargs="?", metavar="CODE|NAME", help="the rule to explain")
    parser.add_argument(
        "--markdown", action="store_true", help="print the rule table as Markdown (for the README)"
    )


def run(args: argparse.Namespace) -> int:
    if args.rule:
        found = find_rule(args.rule)
        if found is None:
            print(f"mdvalidator: no rule has the code or name {args.rule!r}", file=sys.stderr)
            return 2
        print(f"{found.code} {found.name} ({found.severity.label}, {found.family})")
        print()
        print(found.summary)
        print()
        print(found.doc)
        return 0
    rules = all_rules()
    if args.markdown:
        print("| code | name | default | what it finds |")
        print("| --- | --- | --- | --- |")
        for rule in rules:
            summary = rule.summary.replace("|", "\\|")
            print(f"| {rule.code} | `{rule.name}` | {rule.severity.label} | {summary} |")
        return 0
    width = max(len(r.name) for r in rules)
    for rule in rules:
        print(f"{rule.code}  {rule.severity.label:<7}  {rule.name:<{width}}  {rule.summary}")
    return 0
