"""`mdvalidator hash` (not yet available)."""

from __future__ import annotations

import argparse
import sys

HELP = "hash"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*")


def run(args: argparse.Namespace) -> int:
    print("mdvalidator: 'hash' is not available yet", file=sys.stderr)
    return 2
