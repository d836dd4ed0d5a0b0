"""`store add`: validate a snapshot tarball, extract what passed, write SHA256SUMS, update
master.json atomically; refuse (changing nothing) when anything is wrong."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Sequence
from hashlib import sha256
from pathlib import Path

import pytest
from digits_support import STORE, Member, build_tar, check, model_members

from mdvalidator.assets.hashing import sha256_file
from mdvalidator.cli import main
from mdvalidator.families.digits.install import AddError, add_archive, child_name
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.sources import store_files
from mdvalidator.families.digits.storelock import LOCK_NAME
from mdvalidator.problem import Problem
from mdvalidator.ruleset import RuleSet
from mdvalidator.sources.filesystem import LOCAL_FILES


def keep(problems: Sequence[Problem]) -> list[Problem]:
    return list(problems)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_child_name_comes_from_the_archive_name() -> None:
    assert (
        child_name(Path("20171022-025612-7b04_epoch_30.0.tar.gz"))
        == "20171022-025612-7b04_epoch_30.0"
    )
    assert child_name(Path("lenet.TGZ")) == "lenet"
    assert child_name(Path("x.zip")) == "x"


def test_add_extracts_writes_sums_and_updates_master(
    store: Path, tmp_path: Path, ruleset: RuleSet, options: DigitsOptions
) -> None:
    archive = build_tar(
        tmp_path / "20171020-140211-4a2b_epoch_30.0.tar.gz", model_members(STORE / "lenet-torch")
    )
    added = add_archive(archive, store, options, 1 << 20, keep)
    assert added.problems == () and added.child == store / "20171020-140211-4a2b_epoch_30.0"
    child = added.child
    assert sorted(p.name for p in child.iterdir()) == [
        "SHA256SUMS", "info.json", "labels.txt", "mean.binaryproto", "model.lua",
        "snapshot_30_Model.t7",
    ]  # fmt: skip
    assert oct(child.stat().st_mode & 0o777) == "0o755"
    sums = (child / "SHA256SUMS").read_text().splitlines()
    assert f"{sha256_file(child / 'model.lua')[0]}  model.lua" in sums and len(sums) == 5
    master = json.loads((store / "master.json").read_text())
    assert master["msg"].startswith("Fixture Model Store")
    assert master["children"][-1] == child.name and len(master["children"]) == 6
    # the new child passes every check, SHA256SUMS included; no temporary files are left
    for path in map(Path, store_files(LOCAL_FILES, str(store), options, 1 << 20)):
        assert check(path, ruleset) == [], path
    assert not [p for p in store.iterdir() if p.name.startswith(".") and p.name != LOCK_NAME]


def test_add_creates_master_json_in_an_empty_store(tmp_path: Path, options: DigitsOptions) -> None:
    store = tmp_path / "empty-store"
    store.mkdir()
    archive = build_tar(tmp_path / "lenet.tar", model_members(STORE / "lenet-caffe"), "w")
    added = add_archive(archive, store, options, 1 << 20, keep, msg="My store")
    assert added.child is not None and added.files == 8
    assert json.loads((store / "master.json").read_text()) == {
        "msg": "My store",
        "children": ["lenet"],
    }


@pytest.mark.parametrize(
    "extra",
    [
        Member("../../escaped.txt", b"evil"),
        Member("model.lua.link", kind=tarfile.SYMTYPE, link="/etc/passwd"),
        Member("hard", kind=tarfile.LNKTYPE, link="model.lua"),
        Member("dev", kind=tarfile.CHRTYPE),
    ],
    ids=["traversal", "symlink", "hardlink", "device"],
)
def test_a_hostile_archive_changes_nothing(
    store: Path, tmp_path: Path, options: DigitsOptions, extra: Member
) -> None:
    before = snapshot(tmp_path)
    archive = build_tar(tmp_path / "x.tar.gz", [*model_members(STORE / "lenet-torch"), extra])
    before = snapshot(tmp_path)
    added = add_archive(archive, store, options, 1 << 20, keep)
    assert added.child is None and [p.rule for p in added.problems] == ["MDV331"]
    assert snapshot(tmp_path) == before
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_an_archive_with_errors_is_refused_but_warnings_pass(
    store: Path, tmp_path: Path, options: DigitsOptions
) -> None:
    members = [m for m in model_members(STORE / "lenet-torch") if m.name != "model.lua"]
    archive = build_tar(tmp_path / "nomodel.tar.gz", members)
    refused = add_archive(archive, store, options, 1 << 20, keep)
    assert refused.child is None and [p.rule for p in refused.problems] == ["MDV324"]
    assert not (store / "nomodel").exists()
    info = json.loads((STORE / "lenet-torch/info.json").read_text())
    info["status"] = "Aborted"
    members = [m for m in model_members(STORE / "lenet-torch") if m.name != "info.json"]
    archive = build_tar(
        tmp_path / "aborted.tar.gz", [*members, Member("info.json", json.dumps(info).encode())]
    )
    added = add_archive(archive, store, options, 1 << 20, keep)
    assert added.child == store / "aborted" and [p.rule for p in added.problems] == ["MDV318"]


def test_a_shipped_sha256sums_must_match_what_is_extracted(
    store: Path, tmp_path: Path, options: DigitsOptions
) -> None:
    members = model_members(STORE / "lenet-torch")
    good = "".join(f"{sha256(m.data).hexdigest()}  {m.name}\n" for m in members)
    archive = build_tar(tmp_path / "signed.tar.gz", [*members, Member("SHA256SUMS", good.encode())])
    added = add_archive(archive, store, options, 1 << 20, keep)
    assert added.child is not None and added.problems == ()
    written = (added.child / "SHA256SUMS").read_text().splitlines()
    assert sorted(written) == sorted(good.splitlines()) and written[0].endswith("  info.json")
    bad = good.replace(sha256(members[0].data).hexdigest(), "0" * 64) + f"{'1' * 64}  extra.bin\n"
    archive = build_tar(
        tmp_path / "tampered.tar.gz", [*members, Member("SHA256SUMS", bad.encode())]
    )
    before = snapshot(store)
    refused = add_archive(archive, store, options, 1 << 20, keep)
    assert refused.child is None and snapshot(store) == before
    assert [(p.path, p.rule, p.line) for p in refused.problems] == [
        (f"{archive.as_posix()}/SHA256SUMS", "MDV326", 1),
        (f"{archive.as_posix()}/SHA256SUMS", "MDV329", 6),
    ]
    assert not [p for p in store.iterdir() if p.name.startswith(".") and p.name != LOCK_NAME]


def test_the_decide_stage_can_turn_an_error_off(
    store: Path, tmp_path: Path, options: DigitsOptions
) -> None:
    members = [m for m in model_members(STORE / "lenet-torch") if m.name != "mean.binaryproto"]
    archive = build_tar(tmp_path / "nomean.tar.gz", members)
    added = add_archive(
        archive, store, options, 1 << 20, lambda ps: [p for p in ps if p.rule != "MDV324"]
    )
    assert added.child is not None and not (added.child / "mean.binaryproto").exists()


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("lenet-caffe", "already exists"), ("../outside", "is unsafe"), ("", "is unsafe")],
)
def test_unusable_child_names_are_refused(
    store: Path, tmp_path: Path, options: DigitsOptions, name: str, fragment: str
) -> None:
    archive = build_tar(tmp_path / "x.tar.gz", model_members(STORE / "lenet-torch"))
    with pytest.raises(AddError, match=fragment):
        add_archive(archive, store, options, 1 << 20, keep, name=name)


def test_a_broken_master_json_is_refused_before_extracting(
    store: Path, tmp_path: Path, options: DigitsOptions
) -> None:
    (store / "master.json").write_text('{"msg": "x", "children": ["a",]}')
    archive = build_tar(tmp_path / "x.tar.gz", model_members(STORE / "lenet-torch"))
    with pytest.raises(AddError, match=r"not a valid master\.json"):
        add_archive(archive, store, options, 1 << 20, keep)
    assert not (store / "x").exists()


def test_store_add_command(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = build_tar(tmp_path / "torch-30.tar.gz", model_members(STORE / "lenet-torch"))
    assert main(["store", "add", str(archive), "--store", str(store)]) == 0
    assert "added" in capsys.readouterr().err
    assert main(["store", "add", str(archive), "--store", str(store)]) == 2
    assert "already exists" in capsys.readouterr().err
    bad = build_tar(
        tmp_path / "bad.tar.gz", [*model_members(STORE / "lenet-torch"), Member("/abs", b"x")]
    )
    assert main(["store", "add", str(bad), "--store", str(store)]) == 1
    captured = capsys.readouterr()
    assert "MDV331" in captured.out and "was not added" in captured.err
    assert main(["store", "add", str(archive)]) == 2
    assert main(["store", str(store), "--store", str(store)]) == 2
    assert main(["store", str(store)]) == 0


# ---------------------------------------------- the store lock, the write budget, bombs


def test_an_add_waits_for_the_lock_and_gives_up_clearly(
    store: Path, tmp_path: Path, options: DigitsOptions
) -> None:
    from mdvalidator.families.digits.storelock import store_lock

    archive = build_tar(tmp_path / "waiting.tar.gz", model_members(STORE / "lenet-torch"))
    with store_lock(store):
        before = snapshot(store)
        with pytest.raises(AddError, match=r"has held .* for over 0\.3 seconds"):
            add_archive(archive, store, options, 1 << 20, keep, lock_wait=0.3)
        assert snapshot(store) == before  # checked, then waited: nothing written
    added = add_archive(archive, store, options, 1 << 20, keep, lock_wait=0.3)
    assert added.child == store / "waiting"


def test_a_linked_lock_file_is_refused(store: Path, tmp_path: Path, options: DigitsOptions) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("not the store's")
    (store / LOCK_NAME).symlink_to(target)
    archive = build_tar(tmp_path / "x.tar.gz", model_members(STORE / "lenet-torch"))
    with pytest.raises(AddError, match="cannot open the lock file"):
        add_archive(archive, store, options, 1 << 20, keep)
    assert target.read_text() == "not the store's" and not (store / "x").exists()


def test_extraction_writes_only_what_the_check_saw(tmp_path: Path) -> None:
    from mdvalidator.families.digits.install import _extract
    from mdvalidator.families.digits.tarreader import Entry

    members = model_members(STORE / "lenet-torch")
    archive = build_tar(tmp_path / "x.tar", members, "w")
    staging = tmp_path / "staging"
    staging.mkdir()
    # the check saw model.lua one byte shorter: the archive changed in between
    seen = [Entry(m.name, "file", len(m.data) - (m.name == "model.lua")) for m in members]
    with pytest.raises(AddError, match="changed since it was checked"):
        _extract(archive, staging, seen, "SHA256SUMS", 1 << 20, sum(e.size for e in seen))
    exact = [Entry(m.name, "file", len(m.data)) for m in members]
    with pytest.raises(AddError, match="changed since it was checked"):
        _extract(archive, tmp_path, exact, "SHA256SUMS", 1 << 20, 10)  # over the budget


@pytest.mark.parametrize("bomb", ["sparse-gnu.tar.gz", "sparse-pax-1.0.tar.gz", "zeros-2g.tar.bz2"])
def test_a_bomb_is_never_written(store: Path, options: DigitsOptions, bomb: str) -> None:
    before = snapshot(store)
    added = add_archive(STORE.parent / "bombs" / bomb, store, options, 1 << 20, keep)
    assert added.child is None and added.problems
    assert snapshot(store) == before
    assert not [p for p in store.iterdir() if p.name.endswith(".partial")]


def test_a_file_and_folder_clash_is_never_extracted_even_when_allowed(
    store: Path, tmp_path: Path, options: DigitsOptions
) -> None:
    members = model_members(STORE / "lenet-torch")
    clash = [*members[:-1], Member("labels.txt/x", b"x"), members[-1]]
    archive = build_tar(tmp_path / "clash.tar.gz", clash)
    refused = add_archive(archive, store, options, 1 << 20, keep)
    assert refused.child is None and "MDV340" in [p.rule for p in refused.problems]

    def allow_clash(problems: Sequence[Problem]) -> list[Problem]:
        return [p for p in problems if p.rule not in ("MDV340", "MDV324")]

    added = add_archive(archive, store, options, 1 << 20, allow_clash)
    assert added.child is not None
    assert not (added.child / "labels.txt").exists() and not (added.child / "x").exists()


def test_a_failed_master_write_leaves_no_unlisted_child(
    store: Path, tmp_path: Path, options: DigitsOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mdvalidator.families.digits import install

    def full_disk(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(install, "write_atomic", full_disk)
    archive = build_tar(tmp_path / "late.tar.gz", model_members(STORE / "lenet-torch"))
    before = snapshot(store)
    with pytest.raises(OSError, match="No space left"):
        add_archive(archive, store, options, 1 << 20, keep)
    after = snapshot(store)
    assert after.pop(LOCK_NAME) == b"" and after == before  # only the (empty) lock file stays
