"""The result cache: a warm re-run downloads nothing; a change is noticed; corruption ignored."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mdvalidator.assets.cache import CacheEntry, ResultCache, default_cache_dir
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.verify import verify_assets
from mdvalidator.problem import AssetRef, AssetStatus

if TYPE_CHECKING:
    from conftest import AssetServer

BODY = random.Random(1).randbytes(300_000)
DIGEST = hashlib.sha256(BODY).hexdigest()


def ref(url: str, expected: str = DIGEST) -> AssetRef:
    return AssetRef("card.md", 3, url, expected, 4, "ckpt")


def cache_files(options: AssetOptions) -> list[Path]:
    assert options.cache_dir is not None
    return sorted(options.cache_dir.rglob("*")) if options.cache_dir.exists() else []


def test_warm_run_revalidates_and_downloads_nothing(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY)
    [cold] = verify_assets([ref(server.url("/a.bin"))], options)
    assert cold.status is AssetStatus.VERIFIED
    [warm] = verify_assets([ref(server.url("/a.bin"))], options)
    assert (warm.status, warm.actual, warm.bytes) == (AssetStatus.CACHED, DIGEST, len(BODY))
    assert server.seen[1].headers.get("If-None-Match")
    assert server.seen[1].headers.get("If-Modified-Since")
    assert not any(p.name.startswith(".tmp") for p in cache_files(options))


def test_changed_asset_is_downloaded_and_judged_again(
    server: AssetServer, options: AssetOptions
) -> None:
    route = server.route("/a.bin", body=BODY)
    verify_assets([ref(server.url("/a.bin"))], options)
    route.body = b"replaced by something else"
    [again] = verify_assets([ref(server.url("/a.bin"))], options)
    assert again.status is AssetStatus.MISMATCH
    [third] = verify_assets([ref(server.url("/a.bin"))], options)
    assert third.status is AssetStatus.MISMATCH  # the stale entry was dropped, not reused
    assert "If-None-Match" not in server.seen[2].headers


def test_mismatches_are_not_cached(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    other = hashlib.sha256(b"x").hexdigest()
    verify_assets([ref(server.url("/a.bin"), other)], options)
    assert [p for p in cache_files(options) if p.is_file()] == []


def test_key_includes_the_expected_digest(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    verify_assets([ref(server.url("/a.bin"))], options)
    other = hashlib.sha256(b"x").hexdigest()
    [result] = verify_assets([ref(server.url("/a.bin"), other)], options)
    assert result.status is AssetStatus.MISMATCH


def test_without_validators_the_asset_is_downloaded_again(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY, etag=False, last_modified=False)
    verify_assets([ref(server.url("/a.bin"))], options)
    [again] = verify_assets([ref(server.url("/a.bin"))], options)
    assert again.status is AssetStatus.VERIFIED
    assert len(server.seen) == 2


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"[]", b'{"version": 1}', b'{"version": 1, "url": 3}', b"\xff\xfe"],
)
def test_corrupt_cache_file_is_ignored(
    server: AssetServer, options: AssetOptions, content: bytes
) -> None:
    server.route("/a.bin", body=BODY)
    verify_assets([ref(server.url("/a.bin"))], options)
    [entry_file] = [p for p in cache_files(options) if p.is_file()]
    entry_file.write_bytes(content)
    [result] = verify_assets([ref(server.url("/a.bin"))], options)
    assert result.status is AssetStatus.VERIFIED
    assert "If-None-Match" not in server.seen[1].headers
    [third] = verify_assets([ref(server.url("/a.bin"))], options)
    assert third.status is AssetStatus.CACHED  # rewritten whole


def test_entry_for_another_key_in_the_file_is_ignored(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    cache.put(CacheEntry("https://a.example/x", DIGEST, '"e"', None, 5))
    assert cache.get("https://a.example/x", DIGEST) is not None
    source = cache._file("https://a.example/x", DIGEST)
    target = cache._file("https://b.example/y", DIGEST)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    assert cache.get("https://b.example/y", DIGEST) is None


def test_no_cache_writes_nothing(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    uncached = dataclasses.replace(options, use_cache=False)
    verify_assets([ref(server.url("/a.bin"))], uncached)
    [again] = verify_assets([ref(server.url("/a.bin"))], uncached)
    assert again.status is AssetStatus.VERIFIED
    assert cache_files(options) == []


def test_unwritable_cache_is_not_an_error(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    assert options.cache_dir is not None
    options.cache_dir.parent.mkdir(parents=True, exist_ok=True)
    options.cache_dir.write_bytes(b"a file where the folder should be")
    [result] = verify_assets([ref(server.url("/a.bin"))], options)
    assert result.status is AssetStatus.VERIFIED


def test_default_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "mdvalidator" / "assets"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert default_cache_dir() == Path.home() / ".cache" / "mdvalidator" / "assets"
