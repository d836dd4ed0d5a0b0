"""Attack class: racing a store while it is written or read (issue 9, point 10).

``store add`` reads master.json, extracts a child and writes master.json back; without a lock
two adds at once each write their own list and one child is lost. A store's SHA256SUMS names
files by path, and a path can be a link or a FIFO by the time it is hashed. Each row runs the
real CLI in child processes against a copy of the sample store and asserts what an operator
relies on: exit statuses, master.json's children, the bytes on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import time
from hashlib import sha256
from pathlib import Path

import pytest
from sec_support_publish import STORE, finish, run_cli, start_cli, store_bytes

from mdvalidator.families.digits.storelock import LOCK_NAME, store_lock

MODEL = STORE / "lenet-torch"
ORIGINAL_CHILDREN = json.loads((STORE / "master.json").read_text())["children"]


def _snapshot_archive(path: Path, weights: int = 0) -> Path:
    """A valid lenet-torch snapshot; ``weights`` random bytes make it slow enough to overlap."""
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name in ("model.lua", "labels.txt", "mean.binaryproto", "snapshot_30_Model.t7"):
            data = (MODEL / name).read_bytes()
            if name == "snapshot_30_Model.t7" and weights:
                data = os.urandom(weights)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, _stream(data))
        info_json = (MODEL / "info.json").read_bytes()
        info = tarfile.TarInfo("info.json")
        info.size = len(info_json)
        tar.addfile(info, _stream(info_json))
    return path


def _stream(data: bytes):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(STORE, target)
    return target


def _children(store: Path) -> list[str]:
    children: list[str] = json.loads((store / "master.json").read_text())["children"]
    return children


def test_concurrent_adds_keep_every_child(store: Path, tmp_path: Path) -> None:
    names = [f"job-{i}_epoch_30.0" for i in range(4)]
    archives = [_snapshot_archive(tmp_path / f"{n}.tar.gz", weights=6 << 20) for n in names]

    children = [start_cli(["store", "add", str(a), "--store", str(store)]) for a in archives]
    runs = [finish(child, timeout=240) for child in children]

    assert [run.status for run in runs] == [0, 0, 0, 0], [run.err for run in runs]
    listed = _children(store)
    assert listed[: len(ORIGINAL_CHILDREN)] == ORIGINAL_CHILDREN
    assert sorted(listed[len(ORIGINAL_CHILDREN) :]) == names  # no child lost, none twice
    for name, archive in zip(names, archives, strict=True):
        with tarfile.open(archive) as tar:
            member = tar.extractfile("snapshot_30_Model.t7")
            assert member is not None
            digest = sha256(member.read()).hexdigest()
        assert (store / name / "snapshot_30_Model.t7").stat().st_size == 6 << 20
        assert f"{digest}  snapshot_30_Model.t7" in (store / name / "SHA256SUMS").read_text()
    assert run_cli(["store", str(store)]).status == 0  # the whole store still checks clean


def test_nothing_is_written_while_another_writer_holds_the_lock(
    store: Path, tmp_path: Path
) -> None:
    archives = [_snapshot_archive(tmp_path / f"held-{i}.tar.gz") for i in range(2)]
    with store_lock(store):
        before = store_bytes(store)
        children = [start_cli(["store", "add", str(a), "--store", str(store)]) for a in archives]
        time.sleep(3)  # both have checked their archive by now and wait for the lock
        assert all(child.poll() is None for child in children)
        assert store_bytes(store) == before
    runs = [finish(child) for child in children]

    assert [run.status for run in runs] == [0, 0], [run.err for run in runs]
    assert sorted(_children(store)[len(ORIGINAL_CHILDREN) :]) == ["held-0", "held-1"]


def test_two_adds_of_one_name_make_one_child(store: Path, tmp_path: Path) -> None:
    archives = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        archives.append(_snapshot_archive(tmp_path / folder / "same.tar.gz", weights=2 << 20))

    runs = [
        finish(child)
        for child in [start_cli(["store", "add", str(a), "--store", str(store)]) for a in archives]
    ]

    assert sorted(run.status for run in runs) == [0, 2], [run.err for run in runs]
    assert "already exists" in next(run.err for run in runs if run.status == 2)
    assert _children(store).count("same") == 1
    assert not [p for p in store.iterdir() if p.name.endswith(".partial")]


def test_a_planted_lock_link_is_not_followed(store: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file")
    (store / LOCK_NAME).symlink_to(victim)
    before = store_bytes(store)

    run = run_cli(["store", "add", str(_snapshot_archive(tmp_path / "x.tar.gz")), "--store",
                   str(store)])  # fmt: skip

    assert run.status == 2 and "cannot open the lock file" in run.err
    assert store_bytes(store) == before and victim.read_text() == "someone else's file"


# ------------------------------------------- SHA256SUMS: what is hashed is what is in the store


def _sums(folder: Path, entries: dict[str, str]) -> None:
    (folder / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, d in entries.items()))


def _digest(path: Path) -> str:
    return sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("swap", ["final-link", "folder-link", "fifo", "device"])
def test_sha256sums_never_hashes_through_a_swapped_path(
    store: Path, tmp_path: Path, swap: str
) -> None:
    folder = store / "lenet-torch"
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "model.lua"
    secret.write_bytes((folder / "model.lua").read_bytes())  # same bytes: a pass if followed
    entries = {"model.lua": _digest(folder / "model.lua")}
    if swap == "final-link":
        (folder / "model.lua").unlink()
        (folder / "model.lua").symlink_to(secret)
    elif swap == "folder-link":
        (folder / "lua").symlink_to(outside, target_is_directory=True)
        entries = {"lua/model.lua": _digest(secret)}
    elif swap == "fifo":
        os.mkfifo(folder / "pipe.t7")  # opened for a plain read, it waits forever
        entries["pipe.t7"] = "0" * 64
    else:
        (folder / "null.t7").symlink_to("/dev/null")
        entries["null.t7"] = sha256(b"").hexdigest()  # /dev/null would hash as empty
    _sums(folder, entries)

    run = run_cli(["store", str(store)], timeout=60)

    assert run.status == 1
    assert "[MDV329 checksum-file-invalid]" in run.out or "[MDV330 symlink-refused]" in run.out
    assert "not a regular file" in run.out or "symbolic link" in run.out
