"""Hostile links: every non-public form is refused before any connection, also via redirects.

Positive cases reach the loopback server only with an explicit opt-in. Host names are resolved by
a stub resolver (or ``localhost``), never by real DNS.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import TYPE_CHECKING

import pytest

from mdvalidator.assets.addresses import blocked_reason, literal_address
from mdvalidator.assets.download import download
from mdvalidator.assets.fetch import FetchError, fetch_small, probe
from mdvalidator.assets.options import AssetOptions
from mdvalidator.problem import AssetStatus

if TYPE_CHECKING:
    from conftest import AssetServer

STUB_DNS = {
    "metadata.test": ["169.254.169.254"],
    "private.test": ["10.1.2.3"],
    "cgnat.test": ["100.64.0.7"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "sixtofour.test": ["2002:a00:1::1"],
    "nat64.test": ["64:ff9b::a9fe:a9fe"],
    "ula.test": ["fd00::1"],
    "mixed.test": ["93.184.216.34", "127.0.0.1"],  # one bad address is enough to refuse
    "loop.test": ["127.0.0.1"],
}


def stub_resolver(host: str, port: int) -> list[str]:
    if host not in STUB_DNS:
        raise OSError("unknown host")
    return STUB_DNS[host]


@pytest.fixture
def strict(options: AssetOptions) -> AssetOptions:
    """The defaults for untrusted links (no private network), with the stub resolver."""
    return dataclasses.replace(options, allow_private_network=False, resolver=stub_resolver)


BLOCKED_URLS = [
    "http://127.0.0.1/a.ckpt",
    "http://127.8.9.10/a.ckpt",
    "http://2130706433/a.ckpt",  # 127.0.0.1 as one number
    "http://0x7f.1/a.ckpt",
    "http://0x7f000001/a.ckpt",
    "http://0177.0.0.1/a.ckpt",  # octal
    "http://127.1/a.ckpt",
    "http://017700000001/a.ckpt",
    "http://10.0.0.1/a.ckpt",
    "http://172.16.5.4/a.ckpt",
    "http://192.168.1.1/a.ckpt",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/a.ckpt",  # CGNAT
    "http://100.127.255.254/a.ckpt",
    "http://0.0.0.0/a.ckpt",
    "http://0/a.ckpt",
    "http://224.0.0.1/a.ckpt",
    "http://239.255.255.250/a.ckpt",
    "http://240.0.0.1/a.ckpt",
    "http://255.255.255.255/a.ckpt",
    "http://198.18.0.1/a.ckpt",
    "http://[::1]/a.ckpt",
    "http://[::]/a.ckpt",
    "http://[::ffff:127.0.0.1]/a.ckpt",  # IPv4-mapped
    "http://[::ffff:a9fe:a9fe]/a.ckpt",
    "http://[::127.0.0.1]/a.ckpt",  # IPv4-compatible
    "http://[2002:7f00:1::1]/a.ckpt",  # 6to4 of 127.0.0.1
    "http://[2002:a9fe:a9fe::]/a.ckpt",  # 6to4 of the metadata address
    "http://[64:ff9b::7f00:1]/a.ckpt",  # NAT64 of 127.0.0.1
    "http://[64:ff9b::a00:1]/a.ckpt",  # NAT64 of 10.0.0.1
    "http://[64:ff9b:1::1]/a.ckpt",  # local-use NAT64
    "http://[fe80::1]/a.ckpt",
    "http://[fc00::1]/a.ckpt",
    "http://[ff02::1]/a.ckpt",
    "https://metadata.test/a.ckpt",
    "http://private.test/a.ckpt",
    "http://cgnat.test/a.ckpt",
    "http://mapped.test/a.ckpt",
    "http://sixtofour.test/a.ckpt",
    "http://nat64.test/a.ckpt",
    "http://ula.test/a.ckpt",
    "http://mixed.test/a.ckpt",
    "file:///etc/passwd",
    "ftp://example.org/a.ckpt",
    "gopher://example.org/a",
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_blocked_forms_are_refused_without_connecting(strict: AssetOptions, url: str) -> None:
    for call in (
        lambda: download(url, strict),
        lambda: fetch_small(url, strict, 1000),
        lambda: probe(url, strict),
    ):
        with pytest.raises(FetchError) as caught:
            call()
        assert caught.value.status is AssetStatus.BLOCKED, caught.value.message
        assert "http" in caught.value.message


def test_localhost_via_the_system_resolver_is_refused(options: AssetOptions) -> None:
    strict = dataclasses.replace(options, allow_private_network=False)
    with pytest.raises(FetchError) as caught:
        fetch_small("http://localhost:9/x", strict, 10)
    assert caught.value.status is AssetStatus.BLOCKED


def test_loopback_is_refused_by_default_and_reached_with_the_opt_in(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=b"payload")
    with pytest.raises(FetchError) as caught:
        fetch_small(server.url("/a.bin"), AssetOptions(), 100)
    assert caught.value.status is AssetStatus.BLOCKED
    assert "--allow-private-network" in caught.value.message
    assert server.seen == []
    assert fetch_small(server.url("/a.bin"), options, 100) == b"payload"


def test_connects_to_the_checked_address_and_sends_the_real_host(
    server: AssetServer, strict: AssetOptions
) -> None:
    server.route("/a.bin", body=b"payload")
    narrow = dataclasses.replace(strict, allow_networks=("127.0.0.1/32",))
    assert fetch_small(server.url("/a.bin", host="loop.test"), narrow, 100) == b"payload"
    assert server.seen[0].headers["Host"] == f"loop.test:{server.port}"


REDIRECT_TARGETS = [
    "http://127.0.0.2:{port}/a.bin",
    "http://0x7f.2:{port}/a.bin",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:{port}/a.bin",
    "http://[::ffff:10.0.0.1]/a.bin",
    "http://private.test/a.bin",
    "http://metadata.test/",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("target", REDIRECT_TARGETS)
def test_every_redirect_hop_is_checked(
    server: AssetServer, strict: AssetOptions, target: str
) -> None:
    # Only 127.0.0.1 itself is allowed: the first hop passes, the redirect must not.
    narrow = dataclasses.replace(strict, allow_networks=("127.0.0.1/32",))
    server.route("/a.bin", body=b"secret")
    server.route("/go", location=target.format(port=server.port))
    server.route("/hop", location="/go")
    with pytest.raises(FetchError) as caught:
        download(server.url("/hop"), narrow)
    assert caught.value.status is AssetStatus.BLOCKED
    assert [s.path for s in server.seen] == ["/hop", "/go"]


def test_redirect_to_an_allowed_place_is_followed(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=b"payload")
    server.route("/go", location=server.url("/a.bin"), status=301)
    got = download(server.url("/go"), options)
    assert got.url == server.url("/a.bin")
    assert got.size == 7


def test_no_proxy_from_the_environment(
    server: AssetServer, options: AssetOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", "http://10.9.9.9:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    server.route("/a.bin", body=b"payload")
    assert fetch_small(server.url("/a.bin"), options, 100) == b"payload"
    assert server.seen[0].path == "/a.bin"  # asked directly, not in proxy form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("example.org", None),
        ("deadbeef.example", None),
        ("abc.def", None),
    ],
)
def test_literal_address_spellings(text: str, expected: str | None) -> None:
    address = literal_address(text)
    assert (str(address) if address else None) == expected


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2002:808:808::1", "64:ff9b::808:808"],
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_reasons_name_the_kind() -> None:
    assert blocked_reason(ipaddress.ip_address("169.254.169.254")) == "a link-local address"
    assert blocked_reason(ipaddress.ip_address("100.64.1.1")) == "a carrier-grade NAT address"
    wrapped = blocked_reason(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert wrapped == "a loopback address wrapped in IPv6"


def test_each_checked_address_is_tried_in_order(server: AssetServer, strict: AssetOptions) -> None:
    # 127.0.0.2 refuses (the server listens on 127.0.0.1 only): the next checked address is used.
    def two_addresses(host: str, port: int) -> list[str]:
        return ["127.0.0.2", "127.0.0.1"]

    server.route("/a.bin", body=b"payload")
    narrow = dataclasses.replace(strict, allow_networks=("127.0.0.0/8",), resolver=two_addresses)
    assert fetch_small(server.url("/a.bin", host="two.test"), narrow, 100) == b"payload"
