"""The digest cache: a warm re-run downloads nothing, matches and mismatches alike; a change is
noticed; corrupt, foreign or unsealed entries are ignored."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mdvalidator.assets.cache import (
    FORGED_NOTE,
    CacheEntry,
    CacheRead,
    ResultCache,
    default_cache_dir,
)
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.verify import asset_problems, verify_assets
from mdvalidator.problem import AssetRef, AssetStatus

if TYPE_CHECKING:
    from conftest import AssetServer

BODY = random.Random(1).randbytes(300_000)
DIGEST = hashlib.sha256(BODY).hexdigest()
OTHER_BODY_DIGEST = hashlib.sha256(b"replaced by something else").hexdigest()


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
    assert (again.status, again.actual) == (AssetStatus.MISMATCH, OTHER_BODY_DIGEST)
    sent = route.sent
    [third] = verify_assets([ref(server.url("/a.bin"))], options)
    # The new digest was remembered: the mismatch stands, and nothing was downloaded for it.
    assert (third.status, third.actual) == (AssetStatus.MISMATCH, OTHER_BODY_DIGEST)
    assert "unchanged since last downloaded" in third.detail
    assert server.seen[2].headers.get("If-None-Match") and route.sent == sent


def test_a_mismatch_is_not_downloaded_again(server: AssetServer, options: AssetOptions) -> None:
    route = server.route("/a.bin", body=BODY)
    other = hashlib.sha256(b"x").hexdigest()
    [cold] = verify_assets([ref(server.url("/a.bin"), other)], options)
    [warm] = verify_assets([ref(server.url("/a.bin"), other)], options)
    assert (cold.status, cold.actual) == (AssetStatus.MISMATCH, DIGEST)
    assert (warm.status, warm.actual) == (AssetStatus.MISMATCH, DIGEST)
    assert warm.bytes == len(BODY) and route.sent == len(BODY)
    [problem] = asset_problems([warm])
    assert "unchanged since last downloaded" in problem.message


def test_the_digest_serves_every_expected_value(server: AssetServer, options: AssetOptions) -> None:
    route = server.route("/a.bin", body=BODY)
    verify_assets([ref(server.url("/a.bin"))], options)
    other = hashlib.sha256(b"x").hexdigest()
    [result] = verify_assets([ref(server.url("/a.bin"), other)], options)
    assert (result.status, result.actual) == (AssetStatus.MISMATCH, DIGEST)
    [computed] = verify_assets(
        [ref(server.url("/a.bin"), "1234abcd")], dataclasses.replace(options, fix=True)
    )
    assert (computed.status, computed.actual) == (AssetStatus.SKIPPED, DIGEST)
    assert route.sent == len(BODY)


def test_the_size_cap_applies_to_cached_assets(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=BODY)
    verify_assets([ref(server.url("/a.bin"))], options)
    small = dataclasses.replace(options, max_size=1000)
    [result] = verify_assets([ref(server.url("/a.bin"))], small)
    assert result.status is AssetStatus.TOO_LARGE


def test_a_304_from_another_place_is_not_trusted(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a.bin", body=BODY)
    server.route("/b.bin", body=BODY)
    hop = server.route("/go", location="/a.bin")
    verify_assets([ref(server.url("/go"))], options)
    hop.location = "/b.bin"  # the same ETag there: the 304 says nothing about /a.bin's bytes
    [result] = verify_assets([ref(server.url("/go"))], options)
    assert result.status is AssetStatus.VERIFIED
    assert [s.path for s in server.seen] == ["/go", "/a.bin", "/go", "/b.bin", "/go", "/b.bin"]
    assert "If-None-Match" not in server.seen[-1].headers


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


def entry(url: str = "https://a.example/x") -> CacheEntry:
    return CacheEntry(url, url, DIGEST, 5, '"e"', None)


def test_entry_for_another_key_in_the_file_is_ignored(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    cache.put(entry())
    found = cache.get("https://a.example/x")
    assert found is not None and found == dataclasses.replace(entry(), stored_at=found.stored_at)
    source = cache._file("https://a.example/x")
    target = cache._file("https://b.example/y")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    assert cache.read("https://b.example/y") == CacheRead(None)


def test_an_entry_sealed_with_another_key_is_ignored_with_a_note(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    ResultCache(folder, key=b"k" * 32).put(entry())
    assert ResultCache(folder, key=b"k" * 32).get("https://a.example/x") is not None
    assert ResultCache(folder, key=b"x" * 32).read("https://a.example/x") == CacheRead(
        None, FORGED_NOTE
    )


def test_the_key_is_private_and_made_once(tmp_path: Path, private_cache_key: Path) -> None:
    ResultCache(tmp_path / "cache").put(entry())
    assert private_cache_key.stat().st_mode & 0o777 == 0o600
    assert private_cache_key.parent.stat().st_mode & 0o077 == 0
    text = private_cache_key.read_text()
    assert len(bytes.fromhex(text.strip())) == 32
    assert ResultCache(tmp_path / "cache").get("https://a.example/x") is not None
    assert private_cache_key.read_text() == text


def test_a_key_others_can_read_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "shared-key"
    key.write_text("ab" * 32)
    key.chmod(0o644)
    monkeypatch.setenv("MDVALIDATOR_CACHE_KEY_FILE", str(key))
    cache = ResultCache(tmp_path / "cache")
    assert cache.key is None
    cache.put(entry())
    assert cache_files_in(tmp_path / "cache") == []


def test_a_key_inside_the_cache_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MDVALIDATOR_CACHE_KEY_FILE", str(tmp_path / "cache" / "key"))
    assert ResultCache(tmp_path / "cache").key is None


def cache_files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


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


def test_a_forged_entry_is_downloaded_again_with_a_note(
    server: AssetServer, options: AssetOptions
) -> None:
    route = server.route("/a.bin", body=BODY, lie_not_modified=True)
    url = server.url("/a.bin")
    assert options.cache_dir is not None
    ResultCache(options.cache_dir, key=b"f" * 32).put(CacheEntry(url, url, DIGEST, 1, '"x"', None))
    [result] = verify_assets([ref(url)], options)
    assert (result.status, result.actual) == (AssetStatus.VERIFIED, DIGEST)
    assert FORGED_NOTE in result.detail and route.sent == len(BODY)
    assert "If-None-Match" not in server.seen[0].headers
    [again] = verify_assets([ref(url)], options)  # the genuine entry replaced the forged one
    assert again.status is AssetStatus.CACHED and FORGED_NOTE not in again.detail
