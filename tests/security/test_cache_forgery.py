"""Attack class: a cache is not an oracle (issue 9, point 8).

The card promises the digest of GOOD; the server serves EVIL and answers 304 ("not modified")
to every conditional request, so a cache entry that claims GOOD's digest would turn EVIL into
"cached". Each row plants such an entry the way an attacker could (a CI cache restored from a
job that ran PR code, a shared machine, a copied or edited entry) and runs the real CLI. The
verdict must be the truth: exit 1, "mismatch" with the digest of the bytes actually served,
no conditional request sent on the planted entry's word.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import run_cli
from sec_support_assets import Lab, lab_for

from mdvalidator.assets.cache import CacheEntry, ResultCache

GOOD = b"\x0a\x05lenet" + bytes(range(256)) * 40
EVIL = b"\x0a\x05lenet" + bytes(range(255, -1, -1)) * 40
GOOD_SHA = hashlib.sha256(GOOD).hexdigest()
EVIL_SHA = hashlib.sha256(EVIL).hexdigest()


@pytest.fixture
def lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Lab]:
    with lab_for(tmp_path, monkeypatch, capsys) as running:
        yield running


def liar(lab: Lab) -> str:
    """The link of a route that serves EVIL and claims "not modified" to any conditional ask."""
    lab.server.route("/m.ckpt", body=EVIL, lie_not_modified=True)
    url = lab.url("/m.ckpt")
    lab.card([(url, GOOD_SHA)])
    return url


def claim(url: str) -> CacheEntry:
    return CacheEntry(url, url, GOOD_SHA, len(GOOD), '"planted"', None)


def entry_file(lab: Lab, url: str) -> Path:
    path = ResultCache(lab.cache_dir, key=b"-" * 32)._file(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def plant_unsealed_v1(lab: Lab, url: str) -> None:
    """The format before entries were sealed (what a forger wrote against the old code)."""
    data = {"version": 1, "url": url, "expected": GOOD_SHA, "etag": '"x"', "length": len(GOOD)}
    entry_file(lab, url).write_text(json.dumps(data))


def plant_with_a_guessed_seal(lab: Lab, url: str) -> None:
    body = json.dumps({"version": 2, **dataclasses.asdict(claim(url))}).encode()
    entry_file(lab, url).write_bytes(b"mdvalidator-asset-cache 2 " + b"0" * 64 + b"\n" + body)


def plant_from_another_machine(lab: Lab, url: str) -> None:
    """Sealed properly, but with someone else's key (a cache restored from another runner)."""
    ResultCache(lab.cache_dir, key=os.urandom(32)).put(claim(url))


def plant_by_copying_another_links_entry(lab: Lab, url: str) -> None:
    """A genuine entry (this user's key) for a harmless link, copied under this link's name."""
    other = lab.url("/other.ckpt")
    lab.server.route("/other.ckpt", body=GOOD)
    cache = ResultCache(lab.cache_dir)
    cache.put(CacheEntry(other, other, GOOD_SHA, len(GOOD), '"g"', None))
    entry_file(lab, url).write_bytes(cache._file(other).read_bytes())


def plant_by_editing_a_genuine_entry(lab: Lab, url: str) -> None:
    """A genuine entry for this link (made when it served EVIL), its digest edited to GOOD's."""
    cache = ResultCache(lab.cache_dir)
    cache.put(CacheEntry(url, url, EVIL_SHA, len(EVIL), '"e"', None))
    path = cache._file(url)
    path.write_bytes(path.read_bytes().replace(EVIL_SHA.encode(), GOOD_SHA.encode()))


def plant_with_a_readable_key(lab: Lab, url: str) -> None:
    """The right key, but readable by others (so others could seal): it is not used at all."""
    key = Path(os.environ["MDVALIDATOR_CACHE_KEY_FILE"])
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_text("ab" * 32)
    key.chmod(0o644)
    ResultCache(lab.cache_dir, key=bytes.fromhex("ab" * 32)).put(claim(url))


def plant_the_key_inside_the_cache(lab: Lab, url: str) -> None:
    """A key kept inside the cache folder travels with the cache: it is not used at all."""
    key = lab.cache_dir / "cache-key"
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_text("cd" * 32)
    key.chmod(0o600)
    os.environ["MDVALIDATOR_CACHE_KEY_FILE"] = str(key)  # restored by the lab's monkeypatch
    ResultCache(lab.cache_dir, key=bytes.fromhex("cd" * 32)).put(claim(url))


FORGERIES: list[tuple[str, Callable[[Lab, str], None]]] = [
    ("unsealed entry (old format)", plant_unsealed_v1),
    ("guessed seal", plant_with_a_guessed_seal),
    ("sealed with another key", plant_from_another_machine),
    ("copied from another link", plant_by_copying_another_links_entry),
    ("genuine entry, digest edited", plant_by_editing_a_genuine_entry),
    ("key readable by others", plant_with_a_readable_key),
    ("key inside the cache folder", plant_the_key_inside_the_cache),
]


@pytest.mark.parametrize("plant", [f[1] for f in FORGERIES], ids=[f[0] for f in FORGERIES])
def test_a_planted_entry_cannot_produce_a_pass(lab: Lab, plant: Callable[[Lab, str], None]) -> None:
    url = liar(lab)
    plant(lab, url)
    verdict = lab.check()
    assert (verdict.code, verdict.status) == (1, "fail")
    [asset] = verdict.report["assets"]
    assert (asset["status"], asset["actual"]) == ("mismatch", EVIL_SHA)  # really computed
    assert "MDV201" in verdict.rules
    [seen] = lab.server.seen
    assert "If-None-Match" not in seen.headers  # the planted validators were never sent


def test_control_a_genuine_entry_and_an_honest_304_are_cached(lab: Lab) -> None:
    route = lab.server.route("/m.ckpt", body=GOOD)
    lab.card([(lab.url("/m.ckpt"), GOOD_SHA)])
    first = lab.check()
    second = lab.check()
    assert (first.code, first.asset_statuses) == (0, ["verified"])
    assert (second.code, second.asset_statuses) == (0, ["cached"])
    assert route.sent == len(GOOD)  # the second run downloaded nothing


def test_control_a_mismatch_remembered_is_still_a_mismatch(lab: Lab) -> None:
    route = lab.server.route("/m.ckpt", body=EVIL)
    lab.card([(lab.url("/m.ckpt"), GOOD_SHA)])
    for _ in range(2):
        verdict = lab.check()
        assert (verdict.code, verdict.asset_statuses) == (1, ["mismatch"])
        assert verdict.report["assets"][0]["actual"] == EVIL_SHA
    assert route.sent == len(EVIL)  # the warm run did not download it again


class _Marker:
    """Unpickling this writes a file: proof that a planted pickle ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str, str]]:
        return (open, (str(self.path), "w"))  # creates the file when unpickled


def test_a_planted_options_pickle_is_never_unpickled(lab: Lab, tmp_path: Path) -> None:
    # Rule-set options are no longer cached on disk at all (they are built at start-up, from
    # data: no pickle is read, or written): one planted where the old cache lay never runs.
    lab.card([("https://download.example.org/m.ckpt", GOOD_SHA)])
    env = {k: os.environ[k] for k in ("XDG_CACHE_HOME", "MDVALIDATOR_CACHE_KEY_FILE")}
    folder = tmp_path / "xdg-cache" / "mdvalidator" / "rulesets"
    folder.mkdir(parents=True, exist_ok=True)
    marker = tmp_path / "marker"
    (folder / "planted.pickle").write_bytes(pickle.dumps(_Marker(marker)))
    for _ in range(2):
        again = run_cli(["check", "--offline", str(lab.root / "hub")], env=env)
        assert again.returncode == 0 and "All Passed" in again.stdout
        assert not marker.exists()
    assert [p.name for p in folder.iterdir()] == ["planted.pickle"]  # nothing written either
