"""Files held in memory, as a bot gets them from a forge API: the same problems as on disk.

The hub below is written to disk and checked with a folder walk; then only its descriptor
files are handed to the engine as bytes, with the names of the other files in their folders
(images, weights: what an API lists without fetching). Nothing is read from disk the second
time, and the folder-level checks (names colliding by case, translations without their card,
the files a DIGITS info.json names) find the same problems through the sibling names.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, GOOD_CARD

from mdvalidator.engine import RunOptions, run
from mdvalidator.problem import Report
from mdvalidator.ruleset import load_rulesets
from mdvalidator.sources.filesystem import FolderWalk
from mdvalidator.sources.memory import MemorySource

DESCRIPTORS = ("*.md", "master.json", "info.json", "aux.json", "SHA256SUMS")


def _hub(root: Path) -> Path:
    cards = root / "hub" / "assets" / "mindspore" / "1.10"
    cards.mkdir(parents=True)
    good = GOOD_CARD.read_bytes()
    (cards / "lenet_mnist.md").write_bytes(good)
    (cards / "LeNet_mnist.md").write_bytes(good)  # differs only by case: MDV133
    (cards / "alexnet_cifar10_cn.md").write_bytes(good)  # no English card: MDV134
    (cards / "lenet_mnist_cn.md").write_bytes(good)  # its English card is there
    (cards / "lenet.png").write_bytes(b"\x89PNG not a descriptor")
    store = root / "hub" / "store"
    shutil.copytree(FIXTURES / "digits" / "store", store)
    (store / "lenet-caffe" / "labels.txt").unlink()  # info.json names it: MDV324
    return root / "hub"


def _in_memory(hub: Path, fetched: set[str] | None = None) -> MemorySource:
    """The hub as a forge API gives it: descriptor files' bytes (those in ``fetched``, or
    all of them), every other file only by name."""
    files: dict[str, bytes] = {}
    siblings: dict[str, list[str]] = {}
    for folder, _, names in os.walk(hub):
        for name in names:
            path = Path(folder) / name
            relative = path.relative_to(hub.parent).as_posix()
            wanted = fetched is None or relative in fetched
            if wanted and any(path.match(pattern) for pattern in DESCRIPTORS):
                files[relative] = path.read_bytes()
            else:
                siblings.setdefault(Path(relative).parent.as_posix(), []).append(name)
    return MemorySource(files, siblings)


def _where(report: Report) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.rule) for p in report.problems]


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return _hub(tmp_path)


def test_a_hub_in_memory_has_the_problems_it_has_on_disk(
    hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rulesets = load_rulesets()
    on_disk = run([FolderWalk(("hub",))], rulesets, RunOptions(offline=True))
    source = _in_memory(hub)
    shutil.rmtree(hub)  # nothing on disk any more: the memory run cannot peek
    in_memory = run([source], rulesets, RunOptions(offline=True))
    assert _where(in_memory) == _where(on_disk)
    assert [p.message for p in in_memory.problems] == [p.message for p in on_disk.problems]
    assert in_memory.checked == on_disk.checked > 10
    rules = {rule for _, _, rule in _where(in_memory)}
    assert {"MDV133", "MDV134", "MDV324"} <= rules
    cards = "hub/assets/mindspore/1.10"
    assert (f"{cards}/alexnet_cifar10_cn.md", 0, "MDV134") in _where(in_memory)
    assert (f"{cards}/lenet_mnist_cn.md", 0, "MDV134") not in _where(in_memory)


def test_a_sibling_known_only_by_name_counts_for_the_folder_checks(hub: Path) -> None:
    cards = "hub/assets/mindspore/1.10"
    # A pull request that changed only the translation: the bot fetches it alone, and
    # learns its English card from the folder's listing.
    source = _in_memory(hub, {f"{cards}/lenet_mnist_cn.md"})
    report = run([source], load_rulesets(), RunOptions(offline=True))
    assert report.checked == 1
    assert {p.path for p in report.problems} <= {f"{cards}/lenet_mnist_cn.md"}
    assert "MDV134" not in {p.rule for p in report.problems}
    alone = MemorySource({f"{cards}/lenet_mnist_cn.md": (hub.parent / cards / "lenet_mnist_cn.md")
                          .read_bytes()})  # fmt: skip
    assert "MDV134" in {p.rule for p in run([alone], load_rulesets(), RunOptions()).problems}
