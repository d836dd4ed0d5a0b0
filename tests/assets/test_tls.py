"""https through the pinned connection: SNI and certificate checks use the host name."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from typing import TYPE_CHECKING

import pytest
from asset_server import PART_SIZE

from mdvalidator.assets.download import download
from mdvalidator.assets.fetch import FetchError, fetch_small
from mdvalidator.assets.options import AssetOptions
from mdvalidator.problem import AssetStatus

if TYPE_CHECKING:
    from conftest import TlsServer


def loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


@pytest.fixture
def tls_options(options: AssetOptions, tls_server: TlsServer) -> AssetOptions:
    return dataclasses.replace(
        options,
        allow_private_network=False,
        allow_networks=("127.0.0.1/32",),
        resolver=loopback,
        ca_file=tls_server.ca_file,
    )


def test_https_sends_the_name_in_sni_and_host(
    tls_server: TlsServer, tls_options: AssetOptions
) -> None:
    tls_server.route("/a.bin", body=b"payload")
    assert fetch_small(tls_server.url("/a.bin"), tls_options, 100) == b"payload"
    assert tls_server.sni == ["asset.test"]
    assert tls_server.seen[0].headers["Host"] == f"asset.test:{tls_server.port}"


def test_untrusted_certificate_is_refused(tls_server: TlsServer, tls_options: AssetOptions) -> None:
    tls_server.route("/a.bin", body=b"payload")
    with pytest.raises(FetchError) as caught:
        fetch_small(tls_server.url("/a.bin"), dataclasses.replace(tls_options, ca_file=None), 100)
    assert (caught.value.status, caught.value.reason) == (AssetStatus.UNREACHABLE, "tls")
    assert "certificate" in caught.value.message
    assert tls_server.seen == []


def test_certificate_for_another_name_is_refused(
    tls_server: TlsServer, tls_options: AssetOptions
) -> None:
    tls_server.route("/a.bin", body=b"payload")
    with pytest.raises(FetchError) as caught:
        fetch_small(tls_server.url("/a.bin", host="other.test"), tls_options, 100)
    assert caught.value.reason == "tls"
    assert tls_server.seen == []


def test_parts_over_kept_alive_tls_connections(
    tls_server: TlsServer, tls_options: AssetOptions
) -> None:
    body = random.Random(5).randbytes(10 * PART_SIZE + 7)
    tls_server.route("/a.bin", body=body, keep_alive=True)
    parts = dataclasses.replace(tls_options, connections=3, part_size=PART_SIZE)
    result = download(tls_server.url("/a.bin"), parts)
    assert result.digest == hashlib.sha256(body).hexdigest()
    assert len(tls_server.seen) == 11  # one request per part
    assert len({s.client for s in tls_server.seen}) <= 3  # on three kept-alive connections
    assert set(tls_server.sni) == {"asset.test"} and len(tls_server.sni) <= 3
