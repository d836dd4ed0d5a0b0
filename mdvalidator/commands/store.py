"""`mdvalidator store` (not yet available)."""

from __future__ import annotations

import argparse
import sys

HELP = "store"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*")


def run(args: argparse.Namespace) -> int:
    print("mdvalidator: 'store' is not available yet", file=sys.stderr)
    return 2
