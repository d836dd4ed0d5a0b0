"""The asset security tests' lab: a hub folder, the loopback server, and the real CLI.

Each attack runs ``mdvalidator.cli.main`` (the console script's entry point) in-process with
``--format json`` and reads back what a user relies on: the exit status, the JSON status, the
problems' codes, each asset's status, the card's bytes, and the requests the server received.
Caches and the cache key live in the test's own folder (never the user's).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import GOOD_CARD

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assets"))
from asset_server import AssetServer, running_server

from mdvalidator.cli import main

__all__ = ["AssetServer", "Lab", "Verdict", "lab_for"]

CARD_PATH = "assets/mindspore/1.10/lenet_mnist.md"
_SHA = "    asset-sha256: 0b7d1c3ff1a2f4ecf4bf5a1f3f3c88d0c1fb9b9a9d2e8fdbbd7e0d6b4c2a3e51"


@dataclass(frozen=True)
class Verdict:
    code: int
    report: dict[str, Any]
    stderr: str

    @property
    def status(self) -> str:
        return str(self.report.get("status"))

    @property
    def rules(self) -> list[str]:
        return sorted({p["rule"] for p in self.report.get("problems", [])})

    @property
    def asset_statuses(self) -> list[str]:
        return [a["status"] for a in self.report.get("assets", [])]

    def messages(self, rule: str) -> list[str]:
        return [p["message"] for p in self.report.get("problems", []) if p["rule"] == rule]


class Lab:
    """A hub folder under ``root`` whose cards point at ``server``."""

    def __init__(self, root: Path, server: AssetServer, capsys: pytest.CaptureFixture[str]):
        self.root = root
        self.server = server
        self.capsys = capsys
        self.cache_dir = root / "cache"
        self.card_path = root / "hub" / CARD_PATH

    def url(self, path: str) -> str:
        return self.server.url(path)

    def card(
        self, items: Sequence[tuple[str, str | None]], replace: dict[str, str] | None = None
    ) -> Path:
        """Write the good card with its asset list replaced by ``items`` of (link text, digest
        text); a digest of None leaves the ``asset-sha256`` line out. ``replace`` edits text."""
        lines = GOOD_CARD.read_text("utf-8").split("\n")
        start = lines.index("asset:")
        end = lines.index(_SHA) + 1
        block = ["asset:"]
        for link, digest in items:
            block += ["-", "    file-format: ckpt", f"    asset-link: {link}"]
            if digest is not None:
                block.append(f"    asset-sha256: {digest}".rstrip(" "))
        text = "\n".join([*lines[:start], *block, *lines[end:]])
        for old, new in (replace or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        self.card_path.parent.mkdir(parents=True, exist_ok=True)
        self.card_path.write_bytes(text.encode("utf-8"))
        return self.card_path

    def check(self, *args: str, private: bool = True) -> Verdict:
        """``mdvalidator check --format json [--allow-private-network] ARGS <the hub>``."""
        argv = ["check", "--format", "json", "--cache-dir", str(self.cache_dir)]
        if private:
            argv.append("--allow-private-network")
        argv += [*args, str(self.root / "hub")]
        self.capsys.readouterr()
        code = main(argv)
        out, err = self.capsys.readouterr()
        return Verdict(code, json.loads(out) if out.strip() else {}, err)

    def paths_seen(self) -> list[str]:
        return [seen.path for seen in self.server.seen]


@contextmanager
def lab_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Lab]:
    monkeypatch.setenv("MDVALIDATOR_CACHE_KEY_FILE", str(tmp_path / "state" / "cache-key"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("MDVALIDATOR_NO_OPTIONS_CACHE", raising=False)
    for name in ("CI", "GITHUB_ACTIONS", "MDVALIDATOR_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    with running_server() as server:
        yield Lab(tmp_path, server, capsys)
