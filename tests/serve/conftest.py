"""Fixtures of the service tests: the stand-in forges, an asset server, an App key pair.

The service needs the serve extra (``pip install 'mdvalidator[serve]'``); without it these
tests are skipped with that reason (requirements/lock.txt installs it, so CI runs them).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest

if not all(find_spec(m) for m in ("huey", "starlette", "uvicorn", "prometheus_client", "redis")):
    pytest.skip("the serve extra is not installed", allow_module_level=True)

from serve_forges import GiteeApi, GithubApi
from serve_standin import (
    GITEE_SPEC,
    GITHUB_SPEC,
    AssetServer,
    Hub,
    Spec,
    asset_server,
    running,
)
from serve_support import redis_on_loopback


@pytest.fixture(scope="session")
def app_key() -> tuple[str, str]:
    """A GitHub App's private key (PEM) and its public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def gitee_api() -> Iterator[GiteeApi]:
    with running(GiteeApi(Spec(GITEE_SPEC), Hub())) as api:
        assert isinstance(api, GiteeApi)
        yield api
    assert api.errors == [], api.errors


@pytest.fixture
def github_api(app_key: tuple[str, str]) -> Iterator[GithubApi]:
    with running(GithubApi(Spec(GITHUB_SPEC), Hub(), app_key[1])) as api:
        assert isinstance(api, GithubApi)
        yield api
    assert api.errors == [], api.errors


@pytest.fixture
def assets() -> Iterator[AssetServer]:
    with asset_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a loopback port (Debian's package; .ci/run installs it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with redis_on_loopback(binary, tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The Redis server, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder
