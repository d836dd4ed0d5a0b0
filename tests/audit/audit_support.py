"""The audit tests' lab: a generated hub whose assets a loopback server serves, and the CLI.

:func:`generated_hub` writes ``cards`` cards laid out as the MindSpore Hub lays them out (from
the good card of ``fixtures/cards/good``), each with ``per_card`` assets, and registers every
asset on the server of ``tests/assets/asset_server.py``. A few assets fail on purpose, each in a
way that answers at once (no retry waits): 404s, wrong digests, files over a 2K size cap, and
digests too malformed to fetch.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import GOOD_CARD

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assets"))
from asset_server import AssetServer, running_server

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "audit"
__all__ = ["FIXTURES", "AssetServer", "Hub", "generated_hub", "mdvalidator", "running_server"]

_ASSET_BLOCK = """-
    file-format: ckpt
    asset-link: <https://download.example.org/models/r1.10/lenet_mnist.ckpt>
    asset-sha256: 0b7d1c3ff1a2f4ecf4bf5a1f3f3c88d0c1fb9b9a9d2e8fdbbd7e0d6b4c2a3e51
"""
_USAGE = 'model = "mindspore/1.10/lenet_mnist"'
PUBLISHERS = ("mindspore", "noah-cvlab", "community")


@dataclass
class Hub:
    root: Path
    cards: list[str] = field(default_factory=list)  # paths relative to root
    kinds: dict[str, str] = field(default_factory=dict)  # "path:line" -> the asset's fate


def _fate(number: int) -> str:
    """Which asset fails, and how (about one in eight)."""
    if number % 97 == 5:
        return "missing"  # 404 at once
    if number % 89 == 7:
        return "mismatch"
    if number % 251 == 11:
        return "too-large"  # over the --max-asset-size the tests pass (2K)
    if number % 331 == 13:
        return "no-digest"  # too malformed to fetch: skipped
    return "good"


def generated_hub(root: Path, server: AssetServer, cards: int, per_card: int) -> Hub:
    template = GOOD_CARD.read_text(encoding="utf-8")
    assert _ASSET_BLOCK in template and _USAGE in template
    hub = Hub(root)
    number = 0
    for card in range(cards):
        publisher = PUBLISHERS[card % len(PUBLISHERS)]
        version = ("1.8", "1.9", "1.10")[card % 3]
        folder = f"assets/{publisher}/{version}"
        if publisher == "noah-cvlab":
            folder = f"assets/{publisher}/gpu/{version}"
        name = f"model{card:04d}_dataset"
        blocks = []
        for _ in range(per_card):
            fate = _fate(number)
            body = f"asset {number} ".encode() * 8
            digest = hashlib.sha256(body).hexdigest()
            route = f"/models/a{number}.ckpt"
            link = server.url(route)
            if fate == "missing":
                route = ""
            elif fate == "mismatch":
                digest = hashlib.sha256(b"another file").hexdigest()
            elif fate == "too-large":
                body = bytes(4096)
                digest = hashlib.sha256(body).hexdigest()
            elif fate == "no-digest":
                digest = digest[:8]
            if route:
                server.route(route, body=body)
            blocks.append(
                f"-\n    file-format: ckpt\n    asset-link: <{link}>\n    asset-sha256: {digest}\n"
            )
            number += 1
        text = template.replace(_ASSET_BLOCK, "\n".join(blocks))
        text = text.replace(_USAGE, f'model = "{folder.removeprefix("assets/")}/{name}"')
        text = text.replace("mindspore-version: 1.10", f"mindspore-version: {version}")
        path = f"{folder}/{name}.md"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
        hub.cards.append(path)
    return hub


def mdvalidator(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI (``python -m mdvalidator``), caches inside ``cwd``."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cwd / ".xdg")}
    for name in ("MDVALIDATOR_DEBUG", "CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        full.pop(name, None)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mdvalidator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full,
        timeout=300,
        check=False,
    )


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
