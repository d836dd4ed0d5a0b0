"""Snapshot tarballs built by the tests, good and hostile, checked without extraction."""

from __future__ import annotations

import dataclasses
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from digits_support import STORE, Member, build_tar, check, codes, model_members

from mdvalidator.families.digits.archive import inspect
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.ruleset import RuleSet


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz", ".tar", ".tar.bz2"])
def test_a_digits_snapshot_tarball_passes(tmp_path: Path, ruleset: RuleSet, suffix: str) -> None:
    mode = {".tar.gz": "w:gz", ".tgz": "w:gz", ".tar": "w", ".tar.bz2": "w:bz2"}[suffix]
    path = build_tar(
        tmp_path / f"20171020-140211-4a2b_epoch_30.0{suffix}",
        model_members(STORE / "lenet-caffe"),
        mode,
    )
    assert check(path, ruleset) == []
    assert not list(tmp_path.glob("*.prototxt")) and not (tmp_path / "info.json").exists()


def test_every_framework_of_the_sample_store_passes_as_a_tarball(
    tmp_path: Path, ruleset: RuleSet
) -> None:
    for child in ("alexnet-caffe-pylayer", "lenet-torch", "lenet-tensorflow", "detectnet-caffe"):
        path = build_tar(tmp_path / f"{child}.tar.gz", model_members(STORE / child))
        assert check(path, ruleset) == [], child


def test_info_json_problems_point_into_the_archive(tmp_path: Path, ruleset: RuleSet) -> None:
    members = [m for m in model_members(STORE / "lenet-caffe") if m.name != "deploy.prototxt"]
    path = build_tar(tmp_path / "job.tar.gz", members)
    [problem] = check(path, ruleset, display="uploads/job.tar.gz")
    assert (problem.path, problem.rule, problem.line) == (
        "uploads/job.tar.gz/info.json",
        "MDV324",
        6,
    )


def _hostile(name: str) -> list[Member]:
    good = model_members(STORE / "lenet-torch")
    extra = {
        "traversal": Member("../../home/user/.bashrc", b"evil"),
        "absolute": Member("/etc/cron.d/evil", b"evil"),
        "dot-dot-inside": Member("a/../../evil", b"evil"),
        "symlink": Member("model.lua.link", kind=tarfile.SYMTYPE, link="/etc/passwd"),
        "hardlink": Member("labels2.txt", kind=tarfile.LNKTYPE, link="labels.txt"),
        "device": Member("sda", kind=tarfile.BLKTYPE),
        "char-device": Member("null", kind=tarfile.CHRTYPE),
        "fifo": Member("pipe", kind=tarfile.FIFOTYPE),
        "duplicate": Member("model.lua", b"replaced"),
        "backslash": Member("..\\..\\evil.bat", b"evil"),
    }[name]
    return [*good[:-1], extra, good[-1]]


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("traversal", "it leaves the folder"),
        ("absolute", "it is not a relative path"),
        ("dot-dot-inside", "it leaves the folder"),
        ("symlink", "is a symlink"),
        ("hardlink", "is a hardlink"),
        ("device", "is a device"),
        ("char-device", "is a device"),
        ("fifo", "is a fifo"),
        ("duplicate", "appears twice"),
        ("backslash", "it is not a relative path"),
    ],
)
def test_hostile_members_are_refused(
    tmp_path: Path, ruleset: RuleSet, kind: str, fragment: str
) -> None:
    path = build_tar(tmp_path / "hostile.tar.gz", _hostile(kind))
    problems = check(path, ruleset)
    assert codes(problems) == ["MDV331"]
    assert fragment in problems[0].message
    assert not (tmp_path.parent / "evil").exists()


def test_a_huge_member_count_stops_at_the_cap(
    tmp_path: Path, ruleset: RuleSet, options: DigitsOptions
) -> None:
    members = [Member(f"f{i}.txt") for i in range(3000)] + model_members(STORE / "lenet-torch")
    path = build_tar(tmp_path / "bomb.tar", members, "w")
    problems = check(path, ruleset)
    assert [(p.rule, p.message) for p in problems] == [("MDV332", "more than 1000 members")]
    smaller = dataclasses.replace(
        options, archive=dataclasses.replace(options.archive, max_members=10)
    )
    assert inspect(path, "bomb.tar", smaller, 1 << 20).problems[0].message == "more than 10 members"


def test_declared_sizes_over_the_cap_stop_before_reading(
    tmp_path: Path, options: DigitsOptions
) -> None:
    path = build_tar(tmp_path / "big.tar", model_members(STORE / "lenet-torch"), "w")
    tiny = dataclasses.replace(options, archive=dataclasses.replace(options.archive, max_bytes=100))
    [problem] = inspect(path, "big.tar", tiny, 1 << 20).problems
    assert (problem.rule, problem.message) == ("MDV332", "members declare more than 100 bytes")


@pytest.mark.parametrize(
    ("names", "fragment"),
    [
        (["./info.json"], "found './info.json', which DIGITS does not look for"),
        (["job/info.json"], "found 'job/info.json'"),
        ([], "no 'info.json' at the archive root"),
    ],
)
def test_info_json_must_be_an_exact_root_member(
    tmp_path: Path, ruleset: RuleSet, names: list[str], fragment: str
) -> None:
    members = [m for m in model_members(STORE / "lenet-torch") if m.name != "info.json"]
    info = (STORE / "lenet-torch/info.json").read_bytes()
    members += [Member(name, info) for name in names]
    [problem] = check(build_tar(tmp_path / "x.tar.gz", members), ruleset)
    assert problem.rule == "MDV333" and fragment in problem.message


@pytest.mark.parametrize(
    "content", [b"", b"not an archive at all", b"\x1f\x8b\x08\x00garbage-after-gzip-magic"]
)
def test_corrupt_archives_are_reported(tmp_path: Path, ruleset: RuleSet, content: bytes) -> None:
    path = tmp_path / "broken.tar.gz"
    path.write_bytes(content)
    assert codes(check(path, ruleset)) == ["MDV333"]


def test_a_truncated_tarball_is_reported(tmp_path: Path, ruleset: RuleSet) -> None:
    path = build_tar(tmp_path / "cut.tar.gz", model_members(STORE / "lenet-torch"))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert codes(check(path, ruleset)) == ["MDV333"]


def test_an_oversized_info_json_member_is_not_read(tmp_path: Path, options: DigitsOptions) -> None:
    members = [m for m in model_members(STORE / "lenet-torch") if m.name != "info.json"]
    members.append(Member("info.json", b" " * 5000))
    [problem] = inspect(
        build_tar(tmp_path / "x.tar", members, "w"), "x.tar", options, 1000
    ).problems
    assert (problem.path, problem.rule) == ("x.tar/info.json", "MDV304")


def _zip(path: Path, members: list[tuple[str, bytes, int]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


def test_zip_snapshots_pass_and_zip_links_are_refused(tmp_path: Path, ruleset: RuleSet) -> None:
    files = [(m.name, m.data, stat.S_IFREG | 0o644) for m in model_members(STORE / "lenet-torch")]
    assert check(_zip(tmp_path / "ok.zip", files), ruleset) == []
    hostile = [
        *files,
        ("link", b"/etc/passwd", stat.S_IFLNK | 0o777),
        ("../up", b"x", stat.S_IFREG | 0o644),
    ]
    problems = check(_zip(tmp_path / "bad.zip", hostile), ruleset)
    assert [(p.rule, p.message) for p in problems] == [
        ("MDV331", "'../up' is refused: it leaves the folder or is not a normal path"),
        ("MDV331", "'link' is a symlink"),
    ]


def test_a_dot_root_folder_member_is_harmless(tmp_path: Path, ruleset: RuleSet) -> None:
    members = [Member("./", kind=tarfile.DIRTYPE), *model_members(STORE / "lenet-torch")]
    assert check(build_tar(tmp_path / "dot.tgz", members), ruleset) == []
    dotted = [Member("./", kind=tarfile.DIRTYPE)] + [
        Member(f"./{m.name}", m.data) for m in model_members(STORE / "lenet-torch")
    ]
    [problem] = check(build_tar(tmp_path / "dotted.tgz", dotted), ruleset)
    assert problem.rule == "MDV333" and "'./info.json'" in problem.message


def test_archives_found_by_a_folder_walk_are_left_alone(tmp_path: Path, ruleset: RuleSet) -> None:
    from mdvalidator.family import Limits, Target
    from mdvalidator.sources.filesystem import LOCAL_FILES

    path = tmp_path / "backup.zip"
    path.write_bytes(b"not a snapshot")
    target = Target(str(path), "backup.zip")
    assert ruleset.checks.check_file(target, LOCAL_FILES, Limits()).problems == ()
    assert codes(check(path, ruleset)) == ["MDV333"]


def test_a_symlinked_archive_is_not_followed(tmp_path: Path, ruleset: RuleSet) -> None:
    real = build_tar(tmp_path / "real.tar.gz", model_members(STORE / "lenet-torch"))
    (tmp_path / "link.tar.gz").symlink_to(real)
    assert codes(check(tmp_path / "link.tar.gz", ruleset)) == ["MDV330"]


def test_reading_never_extracts(tmp_path: Path, options: DigitsOptions) -> None:
    path = build_tar(
        tmp_path / "x.tar",
        [*model_members(STORE / "lenet-torch"), Member("sub/file.txt", b"x")],
        "w",
    )
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = inspect(path, "x.tar", options, 1 << 20)
    assert result.problems == () and "sub/file.txt" in [m.path for m in result.members]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


# ------------------------------------------------ bombs: sparse members, headers, expansion

BOMBS = STORE.parent / "bombs"


@pytest.mark.parametrize(
    ("name", "code", "fragment"),
    [
        ("sparse-gnu.tar.gz", "MDV331", "'snapshot_30_Model.t7' is a sparse file:"),
        ("sparse-pax-0.0.tar.gz", "MDV331", "7' is a sparse file (pax format 0.0)"),
        ("sparse-pax-0.1.tar.gz", "MDV331", "7' is a sparse file (pax format 0.1)"),
        ("sparse-pax-1.0.tar.gz", "MDV331", "7' is a sparse file (pax format 1.0)"),
        ("zeros-2g.tar.bz2", "MDV339", "more than 67108864 bytes from an archive of 2134 bytes"),
        ("longname-300m.tar.bz2", "MDV332", "an extended header of 314572800 bytes"),
    ],
)  # fmt: skip
def test_bombs_are_refused_before_anything_is_read(
    ruleset: RuleSet, name: str, code: str, fragment: str
) -> None:
    [problem] = check(BOMBS / name, ruleset)
    assert problem.rule == code and fragment in problem.message, problem.message


def test_the_sparse_fixture_really_is_sparse() -> None:
    # what the guard refuses is what Python's own tarfile would hand to an extractor
    with tarfile.open(BOMBS / "sparse-gnu.tar.gz") as tar:
        member = tar.getmember("snapshot_30_Model.t7")
    assert member.issparse() and member.size == 15 * 1024**3
    assert (BOMBS / "sparse-gnu.tar.gz").stat().st_size < 1024


def test_the_ratio_applies_only_past_its_floor(tmp_path: Path, options: DigitsOptions) -> None:
    members = model_members(STORE / "lenet-torch")
    members.insert(0, Member("zeros.bin", b"\0" * 200_000))
    path = build_tar(tmp_path / "zeros.tar.gz", members)
    assert inspect(path, "z", options, 1 << 20).problems == ()  # 200 KB: under 64 MiB
    strict = dataclasses.replace(
        options, archive=dataclasses.replace(options.archive, ratio_from_bytes=0)
    )
    [problem] = inspect(path, "z", strict, 1 << 20).problems
    assert problem.rule == "MDV339" and "over 100 : 1" in problem.message
    ratio = sum(len(m.data) for m in members) // path.stat().st_size + 1
    loose = dataclasses.replace(
        strict, archive=dataclasses.replace(strict.archive, max_ratio=ratio)
    )
    assert inspect(path, "z", loose, 1 << 20).problems == ()


def test_a_zip_is_held_to_the_ratio_too(tmp_path: Path, options: DigitsOptions) -> None:
    path = tmp_path / "zeros.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in model_members(STORE / "lenet-torch"):
            archive.writestr(member.name, member.data)
        archive.writestr("zeros.bin", b"\0" * 1_000_000)
    strict = dataclasses.replace(
        options, archive=dataclasses.replace(options.archive, ratio_from_bytes=0)
    )
    assert [p.rule for p in inspect(path, "z", strict, 1 << 20).problems] == ["MDV339"]


def _chained_pax(count: int) -> bytes:
    blocks = []
    for index in range(count):
        record = f"comment={index}\n"
        record = f"{len(record) + len(str(len(record) + 3)) + 1} {record}"
        header = tarfile.TarInfo("././@PaxHeader")
        header.type, header.size = tarfile.XHDTYPE, len(record)
        blocks.append(header.tobuf(tarfile.USTAR_FORMAT) + record.encode().ljust(512, b"\0"))
    return b"".join(blocks)


def test_a_chain_of_extended_headers_is_cut(tmp_path: Path, ruleset: RuleSet) -> None:
    data = (STORE / "lenet-torch/info.json").read_bytes()
    info = tarfile.TarInfo("info.json")
    info.size = len(data)
    body = info.tobuf(tarfile.USTAR_FORMAT) + data.ljust(-(-len(data) // 512) * 512, b"\0")
    path = tmp_path / "chain.tar"
    path.write_bytes(_chained_pax(5000) + body + b"\0" * 1024)
    [problem] = check(path, ruleset)
    assert problem.rule == "MDV332" and "over 8 chained headers" in problem.message


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ([Member("model.lua/init.lua", b"x")], "'model.lua' is a file, and 'model.lua/init.lua'"),
        ([Member("model.lua/", kind=tarfile.DIRTYPE)], "'model.lua' is both a file and a folder"),
        ([Member("labels.txt/a/b.txt", b"x")], "'labels.txt' is a file, and 'labels.txt/a/b.txt'"),
    ],
)
def test_a_file_and_a_folder_of_one_name_are_refused(
    tmp_path: Path, ruleset: RuleSet, extra: list[Member], fragment: str
) -> None:
    members = model_members(STORE / "lenet-torch")
    path = build_tar(tmp_path / "clash.tar.gz", [*members[:-1], *extra, members[-1]])
    problems = check(path, ruleset)
    clashes = [p for p in problems if p.rule == "MDV340"]
    assert len(clashes) == 1 and fragment in clashes[0].message, problems


def test_a_folder_that_only_holds_files_is_no_clash(tmp_path: Path, ruleset: RuleSet) -> None:
    members = model_members(STORE / "lenet-torch")
    extra = [Member("lua/", kind=tarfile.DIRTYPE), Member("lua/init.lua", b"x")]
    path = build_tar(tmp_path / "fine.tar.gz", [*members[:-1], *extra, members[-1]])
    assert check(path, ruleset) == []
