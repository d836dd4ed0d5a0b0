"""The cache of validated rule-set options: hits, content keys, and untrusted entries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdvalidator import options_cache
from mdvalidator.ruleset import builtin_text, parse_ruleset


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(options_cache.DISABLE_ENV, raising=False)
    return tmp_path / "cache"


def test_validated_options_are_cached_and_reused() -> None:
    text = builtin_text("mindspore-hub")
    first = parse_ruleset("a.toml", text).options
    entries = list(options_cache.cache_folder().glob("*.pickle"))
    assert len(entries) == 1
    again = parse_ruleset("b.toml", text)
    assert options_cache.load(again.fingerprint) == first
    assert again.options == first


def test_changed_rule_set_misses_the_cache() -> None:
    text = builtin_text("mindspore-hub")
    assert parse_ruleset("a.toml", text).options is not None
    edited = parse_ruleset(
        "a.toml", text.replace('ckpt = [".ckpt"]', 'ckpt = [".ckpt", ".pt"]'), validate=False
    )
    assert options_cache.load(edited.fingerprint) is None
    assert edited.options.formats["ckpt"] == (".ckpt", ".pt")


def test_corrupt_or_foreign_entries_are_ignored() -> None:
    ruleset = parse_ruleset("a.toml", builtin_text("mindspore-hub"))
    _ = ruleset.options
    (entry,) = options_cache.cache_folder().glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert options_cache.load(ruleset.fingerprint) is None
    os.chmod(entry.parent, 0o777)  # a folder others can write to is never trusted
    options_cache.store(ruleset.fingerprint, {"x": 1})
    assert options_cache.load(ruleset.fingerprint) is None
