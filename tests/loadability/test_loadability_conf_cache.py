"""The conf file cache across runs, through the real CLI and a loopback forge that sends ETags.

A body kept from an earlier run is used only after the server answers 304 to ``If-None-Match``;
a changed file (new ETag) is judged as changed; a server without validators, ``--no-cache`` and
a tampered entry all mean a full fetch; nothing is cached without a validator.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mdvalidator.cli import main
from mdvalidator.loadability.conf_cache import ConfCache, ConfEntry, revalidatable

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "fixtures" / "loadability" / "cards"
CHECKOUT = ROOT / "fixtures" / "loadability" / "checkout"
CARD = CARDS / "resnet50_imagenet2012.md"  # model-name resnet50, conf folder plain_eq
CONF_PATH = "/acme/models/raw/r1.0/plain_eq/mindspore_hub_conf.py"
PLAIN_EQ = (CHECKOUT / "plain_eq" / "mindspore_hub_conf.py").read_bytes()
CONF_CODES = {f"MDV{n}" for n in range(153, 160)}


@dataclass
class Forge:
    """Serves one conf file (body, ETag or None) and records what each request asked."""

    body: bytes = PLAIN_EQ
    etag: str | None = '"v1"'
    base: str = ""
    seen: list[dict[str, str | None]] = field(default_factory=list)
    bodies_sent: int = 0

    def conditional(self) -> list[str | None]:
        return [s["If-None-Match"] for s in self.seen]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    forge: Forge


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        forge = self.server.forge
        if self.path != CONF_PATH:
            self._send(404, b"not found", None)
            return
        asked = self.headers.get("If-None-Match")
        forge.seen.append({"If-None-Match": asked, "If-Modified-Since": None})
        if forge.etag is not None and asked == forge.etag:
            self._send(304, b"", forge.etag)
            return
        forge.bodies_sent += 1
        self._send(200, forge.body, forge.etag)

    def _send(self, status: int, body: bytes, etag: str | None) -> None:
        self.send_response(status)
        if etag is not None:
            self.send_header("ETag", etag)
        if status != 304:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def forge_server(forge: Forge) -> Iterator[Forge]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.forge = forge
    forge.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield forge
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key and a user cache of this test's own: never the user's."""
    monkeypatch.setenv("MDVALIDATOR_CACHE_KEY_FILE", str(tmp_path / "state" / "cache-key"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def run(forge: Forge, tmp_path: Path, *extra: str) -> list[tuple[str, int, str]]:
    """One CLI run on the card; its conf findings as (rule, line, message)."""
    out = tmp_path / "report.json"
    args = ["--check-conf", "--allow-private-network", "--timeout", "5", "--ignore", "MDV2"]
    args += ["--mirror", f"https://gitee.com/={forge.base}/"]
    args += ["--mirror", f"https://download.example.com/={CHECKOUT}/"]  # assets: local, absent
    args += ["--cache-dir", str(tmp_path / "cache"), *extra, "--format", "json", "-o", str(out)]
    main([*args, str(CARD)])
    problems = json.loads(out.read_text("utf-8"))["problems"]
    return sorted((p["rule"], p["line"], p["message"]) for p in problems if p["rule"] in CONF_CODES)


def conf_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "conf").rglob("*.json"))


def test_second_run_revalidates_and_downloads_nothing(tmp_path: Path) -> None:
    with forge_server(Forge()) as forge:
        first = run(forge, tmp_path)
        second = run(forge, tmp_path)
    assert first == second == []  # resnet50 is among the conf's literals
    assert forge.conditional() == [None, '"v1"']  # the second run asked "changed since?"
    assert forge.bodies_sent == 1  # and got a 304: the body came from the cache
    assert len(conf_files(tmp_path)) == 1


def test_a_changed_file_is_judged_as_changed(tmp_path: Path) -> None:
    with forge_server(Forge()) as forge:
        assert run(forge, tmp_path) == []
        forge.body = PLAIN_EQ.replace(b'"resnet50"', b'"ResNet50"')
        forge.etag = '"v2"'
        changed = run(forge, tmp_path)
        again = run(forge, tmp_path)
    assert [(rule, line) for rule, line, _ in changed] == [("MDV156", 5), ("MDV157", 21)]
    assert any("ResNet50" in message for _, _, message in changed)
    assert again == changed  # from the replaced entry, after a 304 on the new ETag
    assert forge.conditional() == [None, '"v1"', '"v2"']
    assert forge.bodies_sent == 2


def test_no_validator_nothing_cached_full_fetch_each_run(tmp_path: Path) -> None:
    with forge_server(Forge(etag=None)) as forge:
        run(forge, tmp_path)
        run(forge, tmp_path)
    assert forge.conditional() == [None, None]
    assert forge.bodies_sent == 2
    assert conf_files(tmp_path) == []


def test_no_cache_sends_no_condition_and_writes_nothing(tmp_path: Path) -> None:
    with forge_server(Forge()) as forge:
        run(forge, tmp_path, "--no-cache")
        run(forge, tmp_path, "--no-cache")
    assert forge.conditional() == [None, None]
    assert forge.bodies_sent == 2
    assert not (tmp_path / "cache" / "conf").exists()


def test_a_tampered_entry_is_ignored_and_the_real_file_judged(tmp_path: Path) -> None:
    with forge_server(Forge()) as forge:
        assert run(forge, tmp_path) == []
        (entry,) = conf_files(tmp_path)
        header, _, body = entry.read_bytes().partition(b"\n")
        data = json.loads(body)
        forged = base64.b64decode(data["body"]).replace(b'"resnet50"', b'"resnet5"')
        data["body"] = base64.b64encode(forged).decode("ascii")
        entry.write_bytes(header + b"\n" + json.dumps(data, sort_keys=True).encode("utf-8"))
        after = run(forge, tmp_path)
    assert after == []  # judged on the served file, not the edited copy (MDV156 otherwise)
    assert forge.conditional() == [None, None]  # the forged entry's ETag was not even sent
    assert forge.bodies_sent == 2


def test_mirror_folder_reads_stay_uncached(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    raw = "https://gitee.com/acme/models/raw/r1.0/"
    args = ["--check-conf", "--ignore", "MDV2", "--mirror", f"{raw}={CHECKOUT}"]
    args += ["--mirror", f"https://download.example.com/={CHECKOUT}/"]
    args += ["--cache-dir", str(tmp_path / "cache"), "--format", "json", "-o", str(out)]
    main([*args, str(CARD)])
    assert not (tmp_path / "cache" / "conf").exists()


def test_entries_authenticate_and_validators_must_tell_a_change(tmp_path: Path) -> None:
    cache = ConfCache(tmp_path / "conf", 64, key=b"k" * 32)
    cache.put(ConfEntry("https://h/x.py", b"x = 1\n", '"e"', None))
    assert cache.get("https://h/x.py") == ConfEntry("https://h/x.py", b"x = 1\n", '"e"', None)
    assert ConfCache(tmp_path / "conf", 64, key=b"o" * 32).get("https://h/x.py") is None
    assert cache.get("https://h/other.py") is None
    cache.put(ConfEntry("https://h/big.py", b"#" * 65, '"e"', None))  # over the cap: not kept
    assert cache.get("https://h/big.py") is None
    modified = "Wed, 01 Jan 2025 00:00:00 GMT"
    assert revalidatable('"e"', None, None)
    assert revalidatable(None, modified, "Wed, 01 Jan 2025 00:00:01 GMT")
    assert not revalidatable(None, modified, modified)  # changed again within that second?
    assert not revalidatable(None, modified, None)
    assert not revalidatable(None, "yesterday", "today")
