"""``mdvalidator hash FILE_OR_URL...``: print sha256 digests, the way ``sha256sum`` does."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdvalidator.assets.cache import ResultCache
    from mdvalidator.assets.options import AssetOptions

HELP = "print the sha256 of files or URLs"
DESCRIPTION = """\
Print `<sha256>  <name>` for each file or URL (the format of sha256sum), streaming in
constant memory. URLs are fetched as asset links are: http(s) only, public addresses only
(unless --allow-private-network), no decoding of compressed bodies, size cap and timeouts, in
parts over several connections hashed in order when the server supports ranges
(--connections); the asset cache is used and filled like `check` does (a URL unchanged since it
was last hashed is not downloaded again). `-` reads standard input. Exit status 1 when any input
failed.

  mdvalidator hash lenet.ckpt
  mdvalidator hash https://download.example.org/models/lenet.ckpt
"""


def configure(parser: argparse.ArgumentParser) -> None:
    from mdvalidator.assets.options import add_network_arguments

    parser.add_argument("inputs", nargs="+", metavar="FILE_OR_URL", help="files, URLs or -")
    add_network_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from mdvalidator.assets.cache import ResultCache
    from mdvalidator.assets.options import from_args

    options = from_args(args, {})
    cache = ResultCache(options.cache_dir) if options.use_cache else None
    failed = False
    for name in args.inputs:
        line, error = _hash_one(name, options, cache)
        if error.startswith("note: "):
            print(line, flush=True)
            print(f"mdvalidator: hash: {error}", file=sys.stderr)
        elif error:
            failed = True
            sys.stdout.flush()
            print(f"mdvalidator: hash: {error}", file=sys.stderr)
        else:
            print(line, flush=True)
    return 1 if failed else 0


def _hash_one(name: str, options: AssetOptions, cache: ResultCache | None) -> tuple[str, str]:
    """(output line, "" or a "note: ...") or ("", error message)."""
    from mdvalidator.assets.hashing import sha256_file, sha256_stream
    from mdvalidator.assets.mirror import is_url
    from mdvalidator.assets.verify import fetch_digest
    from mdvalidator.sanitize import clean, redact_url

    if is_url(name) or "://" in name:
        fetched = fetch_digest(name, options, cache)
        if fetched.status is not None or fetched.digest is None:
            return "", fetched.detail
        note = ""
        if not fetched.delimited:
            note = (
                f"note: {redact_url(name)}: the server marked no end of the body;"
                " a cut-short download would look whole"
            )
        return f"{fetched.digest}  {redact_url(name)}", note
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
