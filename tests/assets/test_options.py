"""Asset flags and config keys -> AssetOptions."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mdvalidator.assets.options import (
    DEFAULT_MAX_SIZE,
    add_arguments,
    from_args,
    parse_connections,
    parse_mirror,
    parse_shard,
    parse_size,
)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--jobs", type=int)
    add_arguments(parser)
    return parser.parse_args(argv)


@pytest.mark.parametrize(
    ("text", "size"),
    [("2G", 2 * 1024**3), ("500M", 500 * 1024**2), ("1.5k", 1536), ("123", 123), ("4GiB", 4 << 30)],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "-1G", "0", "2X", "lots"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


def test_shards_and_mirrors() -> None:
    assert parse_shard("2/5") == (2, 5)
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)
    assert parse_mirror("https://a/=/srv/m") == ("https://a/", "/srv/m")
    with pytest.raises(ValueError):
        parse_mirror("nothing")


def test_defaults() -> None:
    options = from_args(parse(), {})
    assert not options.allow_private_network and options.use_cache and not options.offline
    assert options.max_size == DEFAULT_MAX_SIZE and options.shard is None and not options.fix
    assert not options.progress  # tests do not run on a terminal


def test_command_line() -> None:
    args = parse(
        "--allow-private-network",
        "--mirror", "https://a/=https://m/a/",
        "--mirror", "https://b/=/srv/b",
        "--cache-dir", "/tmp/c",
        "--no-cache",
        "--max-asset-size", "2G",
        "--timeout", "7",
        "--shard", "1/3",
        "--fix",
        "--changed-since", "origin/main",
        "--jobs", "8",
        "--offline",
    )  # fmt: skip
    options = from_args(args, {})
    assert options.allow_private_network and options.fix and options.offline
    assert options.mirrors == (("https://a/", "https://m/a/"), ("https://b/", "/srv/b"))
    assert options.cache_dir == Path("/tmp/c") and not options.use_cache
    assert options.max_size == 2 << 30 and options.read_timeout == 7.0
    assert options.shard == (1, 3) and options.jobs == 8
    assert args.changed_since == "origin/main"


def test_config_fills_in_and_command_line_wins() -> None:
    config = {
        "allow-private-network": "true",
        "max-asset-size": "500M",
        "mirror": "https://a/=/srv/a\nhttps://b/=https://m/b/",
        "cache-dir": "/var/cache/x",
        "allow-networks": "10.1.2.0/24, fd00::/64",
    }
    options = from_args(parse(), config)
    assert options.allow_private_network and options.max_size == 500 << 20
    assert options.mirrors == (("https://a/", "/srv/a"), ("https://b/", "https://m/b/"))
    assert options.cache_dir == Path("/var/cache/x")
    assert options.allow_networks == ("10.1.2.0/24", "fd00::/64")
    assert from_args(parse("--max-asset-size", "1G"), config).max_size == 1 << 30


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("max-asset-size", "huge"),
        ("allow-private-network", "perhaps"),
        ("mirror", "no-equals"),
        ("allow-networks", "10.0.0.0/33"),
    ],
)
def test_bad_config_names_the_key(key: str, value: str) -> None:
    with pytest.raises(ValueError, match=key):
        from_args(parse(), {key: value})


def test_bad_flag_values_are_usage_errors() -> None:
    with pytest.raises(argparse.ArgumentError):
        parse("--max-asset-size", "lots")
    with pytest.raises(argparse.ArgumentError):
        parse("--shard", "5/2")


def test_allow_networks_and_ca_file_have_flags() -> None:
    args = parse("--allow-networks", "10.1.2.0/24,fd00::/64", "--ca-file", "/etc/hub-ca.pem")
    options = from_args(args, {})
    assert options.allow_networks == ("10.1.2.0/24", "fd00::/64")
    assert options.ca_file == Path("/etc/hub-ca.pem")
    with pytest.raises(argparse.ArgumentError):
        parse("--allow-networks", "10.0.0.0/33")


def test_hash_and_store_share_the_network_flags() -> None:
    from mdvalidator.cli import build_parser

    for command in ("hash", "store"):
        parser = build_parser([command])
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        flags = {o for a in sub.choices[command]._actions for o in a.option_strings}
        assert {"--allow-private-network", "--allow-networks", "--ca-file", "--timeout"} <= flags


def test_mirrors_from_flags_and_file_add_up() -> None:
    config = {"mirror": "https://b/=/srv/b"}
    options = from_args(parse("--mirror", "https://a/=/srv/a"), config)
    assert options.mirrors == (("https://a/", "/srv/a"), ("https://b/", "/srv/b"))


def test_connections_from_the_command_line_and_the_settings_file() -> None:
    assert from_args(parse(), {}).connections == 8
    assert from_args(parse("--connections", "3"), {"connections": "5"}).connections == 3
    assert from_args(parse(), {"connections": "1"}).connections == 1  # not a network-safety key
    for bad in ("0", "17", "many"):
        with pytest.raises(ValueError, match="connections"):
            parse_connections(bad)
        with pytest.raises(ValueError, match="connections"):
            from_args(parse(), {"connections": bad})
        with pytest.raises(argparse.ArgumentError):
            parse("--connections", bad)
