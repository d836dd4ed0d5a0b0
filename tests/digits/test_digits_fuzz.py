"""Hostile input never raises: random bytes, mutated real store files, random JSON values and
random archives go through the family's entry point and only problems come out."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from digits_support import STORE, check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdvalidator.ruleset import RuleSet

NAMES = ("master.json", "info.json", "aux.json", "SHA256SUMS")
REAL = {name: (STORE / "lenet-caffe" / name) for name in ("info.json", "aux.json")}
REAL["master.json"] = STORE / "master.json"


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "store"
        shutil.copytree(STORE, root)
        yield root / "lenet-caffe"


def _mutate(data: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    for position, insert in cuts:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + len(insert) // 2 :]
    return data


_fuzz = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_fuzz
@given(st.sampled_from(NAMES), st.binary(max_size=300))
def test_random_bytes(folder: Path, ruleset: RuleSet, name: str, data: bytes) -> None:
    target = folder / name if name != "master.json" else folder.parent / name
    original = target.read_bytes() if target.exists() else None
    try:
        target.write_bytes(data)
        check(target, ruleset)
    finally:
        target.unlink()
        if original is not None:
            target.write_bytes(original)


@_fuzz
@given(
    st.sampled_from(sorted(REAL)),
    st.lists(
        st.tuples(
            st.integers(0, 2000),
            st.sampled_from(
                [b"", b",", b"]", b"{", b'"', b"\\", b"NaN", b"\xff", b"[" * 80, b'"x": 1,']
            ),
        ),
        max_size=5,
    ),
)
def test_mutated_real_files(
    folder: Path, ruleset: RuleSet, name: str, cuts: list[tuple[int, bytes]]
) -> None:
    target = folder / name if name != "master.json" else folder.parent / name
    original = REAL[name].read_bytes()
    try:
        target.write_bytes(_mutate(original, cuts))
        check(target, ruleset)
    finally:
        target.write_bytes(original)


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=5)
    ),
    max_leaves=15,
)
_keys = st.sampled_from(
    ["framework", "name", "snapshot file", "model file", "network file", "image dimensions",
     "status", "children", "msg", "logo", "mean file", "deploy file", "id"]
)  # fmt: skip


@_fuzz
@given(st.sampled_from(sorted(REAL)), st.dictionaries(_keys, _values, max_size=8))
def test_random_values_under_real_keys(
    folder: Path, ruleset: RuleSet, name: str, changes: dict[str, object]
) -> None:
    target = folder / name if name != "master.json" else folder.parent / name
    original = REAL[name].read_bytes()
    data = json.loads(original)
    data.update(changes)
    try:
        target.write_text(json.dumps(data))
        check(target, ruleset)
    finally:
        target.write_bytes(original)


@_fuzz
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=30),
            st.sampled_from([b"0", b"2", b"5", b"6", b"1"]),
            st.binary(max_size=50),
        ),
        max_size=6,
    )
)
def test_random_archives(ruleset: RuleSet, members: list[tuple[str, bytes, bytes]]) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.size = len(data) if kind == b"0" else 0
            info.linkname = "target" if kind in (b"1", b"2") else ""
            tar.addfile(info, io.BytesIO(data) if kind == b"0" else None)
    with tempfile.TemporaryDirectory() as temporary:
        path = Path(temporary) / "fuzz.tar"
        path.write_bytes(buffer.getvalue())
        problems = check(path, ruleset)
        assert problems  # random members never make a valid snapshot
