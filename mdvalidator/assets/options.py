"""Settings of asset verification, and the ``check`` command's flags that fill them.

Standard library only: this module is imported on the offline lint path too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mdvalidator.argtypes import parse_mirror, parse_shard, parse_size, parse_timeout
from mdvalidator.settings import DEFAULT_MAX_SIZE, DEFAULT_TIMEOUT

DEFAULT_DEADLINE = 3600.0
DEFAULT_RETRIES = 4

__all__ = [
    "ASSET_FLAGS",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_SIZE",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "AssetOptions",
    "Resolver",
    "add_arguments",
    "add_network_arguments",
    "from_args",
    "parse_mirror",
    "parse_shard",
    "parse_size",
    "parse_timeout",
]

# (host, port) -> addresses, the signature of socket.getaddrinfo reduced to what we use.
Resolver = Callable[[str, int], Sequence[str]]


@dataclass(frozen=True)
class AssetOptions:
    """How assets are fetched and verified. The defaults are safe for untrusted links."""

    offline: bool = False
    allow_private_network: bool = False
    mirrors: tuple[tuple[str, str], ...] = ()
    cache_dir: Path | None = None
    use_cache: bool = True
    max_size: int = DEFAULT_MAX_SIZE
    connect_timeout: float = 10.0
    read_timeout: float = DEFAULT_TIMEOUT
    deadline: float = DEFAULT_DEADLINE
    retries: int = DEFAULT_RETRIES
    jobs: int = 4
    progress: bool = False
    fix: bool = False
    shard: tuple[int, int] | None = None
    # Non-public networks allowed anyway (CIDR text), narrower than allow_private_network:
    # e.g. ("10.1.2.0/24",) for one internal mirror. Config key "allow-networks".
    allow_networks: tuple[str, ...] = ()
    # Extra certificate authorities (PEM bundle) trusted for https, for a mirror with a private
    # CA. Config key "ca-file".
    ca_file: Path | None = None
    # Below: knobs for tests and embedders, not on the command line.
    max_redirects: int = 5
    backoff: float = 0.5  # first retry waits this long, doubling each time
    retry_after_cap: float = 30.0  # a server's Retry-After is honoured up to this many seconds
    resolver: Resolver | None = None  # None: the system resolver (socket.getaddrinfo)


def add_network_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags shared by ``check``, ``hash`` and ``store``: network safety, size cap, timeout
    (from the one table of settings, :mod:`mdvalidator.settings`)."""
    from mdvalidator.settings import NETWORK_FLAGS, add_flags

    add_flags(parser, NETWORK_FLAGS)


ASSET_FLAGS = ("mirror", "cache-dir", "no-cache", "shard", "fix", "changed-since")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the asset flags of ``mdvalidator check`` (``--offline``/``--jobs`` are the caller's)."""
    from mdvalidator.settings import add_flags

    add_network_arguments(parser)  # the caller decides on grouping (nested groups are deprecated)
    add_flags(parser, ASSET_FLAGS)


def from_args(args: argparse.Namespace, config: Mapping[str, str]) -> AssetOptions:
    """Options from the command line, falling back to the ``[mdvalidator]`` settings values.

    ``config`` holds only what may be honoured: the caller drops the network-safety keys of
    a settings file it found rather than was given (``mdvalidator.config``). Raises
    ``ValueError`` naming the key when a value is malformed.
    """
    from mdvalidator.settings import resolve

    def pick(key: str) -> Any:
        return resolve(key, args, config, "config key")

    timeout = float(pick("timeout"))
    jobs = getattr(args, "jobs", None)
    return AssetOptions(
        offline=bool(getattr(args, "offline", False)),
        allow_private_network=bool(pick("allow-private-network")),
        mirrors=tuple(pick("mirror")),
        allow_networks=tuple(pick("allow-networks")),
        ca_file=pick("ca-file"),
        cache_dir=pick("cache-dir"),
        use_cache=not pick("no-cache"),
        max_size=int(pick("max-asset-size")),
        connect_timeout=min(timeout, 10.0),
        read_timeout=timeout,
        deadline=max(DEFAULT_DEADLINE, timeout),
        jobs=max(1, int(jobs)) if jobs else 4,
        progress=sys.stderr.isatty() and not os.environ.get("CI"),
        fix=bool(getattr(args, "fix", False)),
        shard=getattr(args, "shard", None),
    )
