"""Fixtures of the asset tests: the loopback server (``asset_server.py``), options, keys."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from asset_server import (
    PART_SIZE,
    AssetServer,
    Route,
    Seen,
    _Handler,
    _Server,
    prepare,
    running_server,
)

from mdvalidator.assets.options import AssetOptions

__all__ = ["PART_SIZE", "AssetServer", "Route", "Seen"]


@pytest.fixture
def server() -> Iterator[AssetServer]:
    with running_server() as running:
        yield running


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test seals its cache entries with a key of its own, and caches (also in the CLI's
    subprocesses) under its own folder: never the user's."""
    key = tmp_path / "state" / "cache-key"
    monkeypatch.setenv("MDVALIDATOR_CACHE_KEY_FILE", str(key))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return key


@pytest.fixture
def options(tmp_path: Path) -> AssetOptions:
    """Options for loopback tests: private network allowed, short timeouts, tiny backoff; one
    stream per asset (``parallel`` is the multi-connection path)."""
    return AssetOptions(
        allow_private_network=True,
        cache_dir=tmp_path / "cache",
        connect_timeout=2.0,
        read_timeout=2.0,
        deadline=10.0,
        retries=3,
        backoff=0.01,
        retry_after_cap=0.05,
        jobs=2,
        connections=1,
    )


@pytest.fixture
def parallel(options: AssetOptions) -> AssetOptions:
    """``options`` with 4 connections in parts of 64 KiB, at most 8 parts ahead of the hash."""
    return dataclasses.replace(
        options, connections=4, part_size=PART_SIZE, window_bytes=8 * PART_SIZE
    )


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for ``asset.test`` signed by it: (ca, cert, key) files."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mdvalidator test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "asset.test")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("asset.test")]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = (folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class TlsServer(AssetServer):
    """The same server behind TLS, with a certificate for ``asset.test`` only."""

    ca_file: Path
    sni: list[str | None]

    def url(self, path: str, host: str = "asset.test") -> str:
        return f"https://{host}:{self.port}{path}"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[TlsServer]:
    import ssl

    pytest.importorskip("cryptography")
    ca, cert, key = _certificates(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    sni: list[str | None] = []
    context.sni_callback = lambda _sock, name, _ctx: sni.append(name)  # type: ignore[assignment,func-returns-value]
    httpd = prepare(_Server(("127.0.0.1", 0), _Handler))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        server = TlsServer(httpd)
        server.ca_file = ca
        server.sni = sni
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
