"""Settings of asset verification, and the ``check`` command's flags that fill them.

Standard library only: this module is imported on the offline lint path too.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mdvalidator.argtypes import argtype, parse_size
from mdvalidator.config import parse_bool

DEFAULT_MAX_SIZE = 20 * 1024**3  # 20 GiB: generous, model checkpoints are large
DEFAULT_TIMEOUT = 30.0
DEFAULT_DEADLINE = 3600.0
DEFAULT_RETRIES = 4

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


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/5"`` -> (2, 5); requires 1 <= I <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"not a shard: {text!r} (say I/N, e.g. 1/4)")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise ValueError(f"shard {text!r} needs 1 <= I <= N")
    return index, count


def parse_mirror(text: str) -> tuple[str, str]:
    """``"https://hub.example/=/srv/mirror/"`` -> (prefix, target)."""
    prefix, sep, target = text.partition("=")
    if not sep or not prefix.strip() or not target.strip():
        raise ValueError(f"not a mirror: {text!r} (say PREFIX=TARGET)")
    return prefix.strip(), target.strip()


def parse_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise ValueError(f"timeout must be positive: {text!r}")
    return value


def add_network_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags shared by ``check`` and ``hash``: network safety, size cap, timeout."""
    parser.add_argument(
        "--allow-private-network",
        action="store_true",
        default=None,
        help="allow asset links to loopback/private/link-local addresses (internal mirrors, tests)",
    )
    parser.add_argument(
        "--max-asset-size",
        type=argtype(parse_size),
        metavar="SIZE",
        help="refuse assets larger than SIZE (e.g. 500M, 2G; default 20G)",
    )
    parser.add_argument(
        "--timeout",
        type=argtype(parse_timeout),
        metavar="SECONDS",
        help=f"connect/read timeout per network operation (default {DEFAULT_TIMEOUT:g})",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the asset flags of ``mdvalidator check`` (``--offline``/``--jobs`` are the caller's)."""
    group = parser  # the caller decides on grouping (nested groups are deprecated)
    add_network_arguments(group)
    group.add_argument(
        "--mirror",
        action="append",
        type=argtype(parse_mirror),
        metavar="PREFIX=TARGET",
        help="fetch links starting with PREFIX from TARGET (a URL or a local folder); repeatable",
    )
    group.add_argument(
        "--cache-dir", type=Path, metavar="DIR", help="where verified results are cached"
    )
    group.add_argument(
        "--no-cache", action="store_true", default=None, help="neither read nor write the cache"
    )
    group.add_argument(
        "--shard",
        type=argtype(parse_shard),
        metavar="I/N",
        help="verify only the I-th of N deterministic slices of the assets (CI matrices)",
    )
    group.add_argument(
        "--fix",
        action="store_true",
        help="write the computed sha256 into cards whose asset-sha256 is missing or wrong",
    )
    group.add_argument(
        "--changed-since",
        metavar="REF",
        help="check only descriptors changed since the git REF; fetch only changed assets",
    )


def _config_mirrors(text: str) -> list[tuple[str, str]]:
    """Mirrors in a config value: one PREFIX=TARGET per line (or comma-separated)."""
    items = [part.strip() for line in text.splitlines() for part in line.split(",")]
    return [parse_mirror(item) for item in items if item]


def _config_networks(text: str) -> list[str]:
    import ipaddress

    items = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"not a network: {item!r} (say e.g. 10.1.2.0/24)") from None
    return items


def from_args(args: argparse.Namespace, config: Mapping[str, str]) -> AssetOptions:
    """Options from the command line, falling back to the ``[mdvalidator]`` config section.

    Raises ``ValueError`` naming the config key when a config value is malformed.
    """

    def cfg(key: str, parse: Callable[[str], Any]) -> Any:
        if key not in config:
            return None
        try:
            return parse(config[key])
        except ValueError as exc:
            raise ValueError(f"config key {key!r}: {exc}") from None

    def pick(attr: str, key: str, parse: Callable[[str], Any], default: Any) -> Any:
        value = getattr(args, attr, None)
        if value is not None:
            return value
        value = cfg(key, parse)
        return default if value is None else value

    mirrors = list(getattr(args, "mirror", None) or [])
    mirrors += cfg("mirror", _config_mirrors) or []
    timeout = pick("timeout", "timeout", parse_timeout, DEFAULT_TIMEOUT)
    cache_dir = pick("cache_dir", "cache-dir", lambda t: Path(t.strip()).expanduser(), None)
    no_cache = pick("no_cache", "no-cache", parse_bool, False)
    jobs = getattr(args, "jobs", None)
    networks = cfg("allow-networks", _config_networks) or ()
    return AssetOptions(
        offline=bool(getattr(args, "offline", False)),
        allow_private_network=pick(
            "allow_private_network", "allow-private-network", parse_bool, False
        ),
        mirrors=tuple(mirrors),
        allow_networks=tuple(networks),
        ca_file=cfg("ca-file", lambda t: Path(t.strip()).expanduser()),
        cache_dir=cache_dir,
        use_cache=not no_cache,
        max_size=pick("max_asset_size", "max-asset-size", parse_size, DEFAULT_MAX_SIZE),
        connect_timeout=min(timeout, 10.0),
        read_timeout=timeout,
        deadline=max(DEFAULT_DEADLINE, timeout),
        jobs=max(1, int(jobs)) if jobs else 4,
        progress=sys.stderr.isatty() and not os.environ.get("CI"),
        fix=bool(getattr(args, "fix", False)),
        shard=getattr(args, "shard", None),
    )
