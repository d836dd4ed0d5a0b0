"""Attack class: a snapshot archive built to exhaust disk or memory, or to land on disk as
something other than what was checked (issue 9, point 10).

Each row is one archive, checked by the real CLI (``mdvalidator ARCHIVE``) and added by it
(``mdvalidator store add ARCHIVE --store DIR``) in a child process. What a store operator
relies on: the exit status, the rule reported, that the store's bytes are unchanged, and that
checking it cost little memory (the child's own peak RSS).
"""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sec_support_publish import BOMBS, STORE, run_cli, store_bytes

MODEL = STORE / "lenet-torch"
MAX_RSS_MB = 150  # the CLI itself takes about 30 MB; the longname bomb took 615 MB before


def _model_files() -> list[tuple[str, bytes]]:
    names = ["model.lua", "labels.txt", "mean.binaryproto", "snapshot_30_Model.t7", "info.json"]
    return [(name, (MODEL / name).read_bytes()) for name in names]


def _tar_with(path: Path, extra: list[tarfile.TarInfo], data: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info in extra:
            tar.addfile(info, None if info.type != tarfile.REGTYPE else _bytes(data[info.name]))
        for name, content in _model_files():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, _bytes(content))
    return path


def _bytes(data: bytes):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)


def _clash(tmp: Path) -> Path:
    inside = tarfile.TarInfo("model.lua/init.lua")  # model.lua is also a file of the model
    inside.size = 5
    return _tar_with(tmp / "clash.tar.gz", [inside], {"model.lua/init.lua": b"print"})


def _pax_chain(tmp: Path) -> Path:
    path = tmp / "chain.tar"
    blocks = []
    for index in range(5000):  # each one is another level of recursion inside tarfile
        record = f"comment={index}\n"
        record = f"{len(record) + len(str(len(record) + 3)) + 1} {record}"
        header = tarfile.TarInfo("././@PaxHeader")
        header.type, header.size = tarfile.XHDTYPE, len(record)
        blocks.append(header.tobuf(tarfile.USTAR_FORMAT) + record.encode().ljust(512, b"\0"))
    block = b"".join(blocks)
    with tarfile.open(tmp / "model.tar", "w") as tar:
        for name, content in _model_files():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, _bytes(content))
    path.write_bytes(block + (tmp / "model.tar").read_bytes())
    return path


def _zip_zeros(tmp: Path) -> Path:
    path = tmp / "zeros.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in _model_files():
            archive.writestr(name, content)
        with archive.open("zeros.bin", "w", force_zip64=True) as stream:
            chunk = b"\0" * (1 << 20)
            for _ in range(100):  # 100 MiB of zeros: about 100 KB deflated
                stream.write(chunk)
    return path


def _fixture(name: str) -> Callable[[Path], Path]:
    return lambda tmp: BOMBS / name


BOMB_ROWS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "sparse-gnu-15GiB-in-552-bytes": (_fixture("sparse-gnu.tar.gz"), "MDV331"),
    "sparse-pax-0.0": (_fixture("sparse-pax-0.0.tar.gz"), "MDV331"),
    "sparse-pax-0.1": (_fixture("sparse-pax-0.1.tar.gz"), "MDV331"),
    "sparse-pax-1.0": (_fixture("sparse-pax-1.0.tar.gz"), "MDV331"),
    "bzip2-2GiB-of-zeros": (_fixture("zeros-2g.tar.bz2"), "MDV339"),
    "longname-header-300MB": (_fixture("longname-300m.tar.bz2"), "MDV332"),
    "5000-chained-pax-headers": (_pax_chain, "MDV332"),
    "zip-100MiB-of-zeros": (_zip_zeros, "MDV339"),
    "file-and-folder-of-one-name": (_clash, "MDV340"),
}


@pytest.mark.parametrize("row", sorted(BOMB_ROWS))
def test_a_bomb_is_reported_cheaply(tmp_path: Path, row: str) -> None:
    build, code = BOMB_ROWS[row]
    archive = build(tmp_path)

    run = run_cli([str(archive)], timeout=60)

    assert run.status == 1, run.out + run.err
    assert f"[{code} " in run.out
    assert "All Passed" not in run.out
    assert run.peak_rss_mb < MAX_RSS_MB, run.peak_rss_mb


@pytest.mark.parametrize("row", sorted(BOMB_ROWS))
def test_store_add_writes_nothing_for_a_bomb(tmp_path: Path, row: str) -> None:
    build, code = BOMB_ROWS[row]
    archive = build(tmp_path)
    store = tmp_path / "store"
    shutil.copytree(STORE, store)
    before = store_bytes(store)

    run = run_cli(["store", "add", str(archive), "--store", str(store)], timeout=60)

    assert run.status == 1, run.out + run.err
    assert f"[{code} " in run.out and "was not added" in run.err
    assert store_bytes(store) == before  # not one byte written, no partial folder left
    assert run.peak_rss_mb < MAX_RSS_MB, run.peak_rss_mb


def test_a_real_snapshot_still_goes_in(tmp_path: Path) -> None:
    # the control row: the same model, stored plainly, passes and is added
    archive = _tar_with(tmp_path / "20171022-114803-e5a1_epoch_30.0.tar.gz", [], {})
    store = tmp_path / "store"
    shutil.copytree(STORE, store)

    assert run_cli([str(archive)]).status == 0
    run = run_cli(["store", "add", str(archive), "--store", str(store)])

    assert run.status == 0, run.err
    assert (store / "20171022-114803-e5a1_epoch_30.0" / "SHA256SUMS").is_file()
