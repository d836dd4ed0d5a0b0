"""``mdvalidator hash FILE_OR_URL...``: print sha256 digests, the way ``sha256sum`` does."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdvalidator.assets.options import AssetOptions

HELP = "print the sha256 of files or URLs"
DESCRIPTION = """\
Print `<sha256>  <name>` for each file or URL (the format of sha256sum), streaming in
constant memory. URLs are fetched as asset links are: http(s) only, public addresses only
(unless --allow-private-network), no decoding of compressed bodies, size cap and timeouts.
`-` reads standard input. Exit status 1 when any input failed.

  mdvalidator hash lenet.ckpt
  mdvalidator hash https://download.example.org/models/lenet.ckpt
"""


def configure(parser: argparse.ArgumentParser) -> None:
    from mdvalidator.assets.options import add_network_arguments

    parser.add_argument("inputs", nargs="+", metavar="FILE_OR_URL", help="files, URLs or -")
    add_network_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from mdvalidator.assets.options import from_args

    options = from_args(args, {})
    failed = False
    for name in args.inputs:
        line, error = _hash_one(name, options)
        if error:
            failed = True
            sys.stdout.flush()
            print(f"mdvalidator: hash: {error}", file=sys.stderr)
        else:
            print(line, flush=True)
    return 1 if failed else 0


def _hash_one(name: str, options: AssetOptions) -> tuple[str, str]:
    """(output line, "") or ("", error message)."""
    from mdvalidator.assets.download import download
    from mdvalidator.assets.fetch import FetchError
    from mdvalidator.assets.hashing import sha256_file, sha256_stream
    from mdvalidator.assets.mirror import is_url
    from mdvalidator.sanitize import clean, redact_url

    if is_url(name) or "://" in name:
        try:
            got = download(name, options)
        except FetchError as error:
            return "", error.message
        return f"{got.digest}  {redact_url(name)}", ""
    shown = clean(name)
    try:
        if name == "-":
            digest, _ = sha256_stream(sys.stdin.buffer)
        else:
            digest, _ = sha256_file(name)
    except IsADirectoryError:
        return "", f"{shown}: is a directory"
    except FileNotFoundError:
        return "", f"{shown}: no such file"
    except OSError as exc:
        return "", f"{shown}: {clean(exc.strerror or type(exc).__name__, 100)}"
    return f"{digest}  {shown}", ""
