"""Store folders on disk: the real sample store, the corpus' edge cases, each rule's failures."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from digits_support import CHILDREN, FIXTURES, STORE, check, codes, where

from mdvalidator.assets.hashing import sha256_file
from mdvalidator.families.digits.duplicates import duplicate_ids
from mdvalidator.families.digits.sources import store_files
from mdvalidator.family import FileResult, Limits, Target
from mdvalidator.ruleset import RuleSet
from mdvalidator.sources.filesystem import LOCAL_FILES


def edit_json(path: Path, **changes: object) -> None:
    """Rewrite a store JSON file the way DIGITS writes it, with keys changed (None deletes)."""
    data = json.loads(path.read_text())
    for key, value in changes.items():
        key = key.replace("_", " ") if key not in ("dataset_id",) else key
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(json.dumps(data, sort_keys=True, indent=4, separators=(",", ": ")))


def test_the_sample_store_passes_every_check(ruleset: RuleSet) -> None:
    files = [Path(p) for p in store_files(LOCAL_FILES, str(STORE), ruleset.options, 1 << 20)]
    names = [p.relative_to(STORE).as_posix() for p in files]
    assert names[0] == "master.json"
    assert "lenet-caffe/info.json" in names and "alexnet-caffe-pylayer/aux.json" in names
    assert len(names) == 1 + len(CHILDREN) + 3  # the torch and tensorflow models have no aux.json
    for path in files:
        assert check(path, ruleset) == [], path


@pytest.mark.parametrize(
    ("fixture", "as_name", "expected"),
    [
        ("edge-cases/info_legacy_network_file_key.json", "info.json", ("MDV316", 20, 5)),
        ("edge-cases/info_missing_framework.json", "info.json", ("MDV310", 1, 1)),
        ("edge-cases/info_no_snapshots_yet.json", "info.json", ("MDV317", 21, 22)),
        ("edge-cases/master_missing_children.json", "master.json", ("MDV310", 1, 1)),
        ("edge-cases/master_trailing_comma_INVALID.json.txt", "master.json", ("MDV301", 4, 16)),
        (
            "docs-examples/modelstore_md_2016-09-27_master_SINGLE_QUOTES_INVALID.json.txt",
            "master.json",
            ("MDV301", 1, 2),
        ),
        (
            "docs-examples/api_md_caffe_lenet_model_status_ELIDED.json.txt",
            "info.json",
            ("MDV301", 25, 5),
        ),
    ],
)
def test_corpus_edge_cases_are_reported_at_their_line(
    tmp_path: Path, ruleset: RuleSet, fixture: str, as_name: str, expected: tuple[str, int, int]
) -> None:
    # placed in a copy of a complete model folder, so only the edge case itself is reported
    folder = tmp_path / "store" / "lenet-caffe"
    shutil.copytree(STORE / "lenet-caffe", folder)
    target = (tmp_path / "store" / as_name) if as_name == "master.json" else folder / as_name
    shutil.copy(FIXTURES / fixture, target)
    problems = check(target, ruleset)
    assert expected in where(problems)
    # nothing but the edge case and what follows from it
    assert set(codes(problems)) <= {expected[0], "MDV318", "MDV322", "MDV323"}


def test_missing_framework_message_and_no_cascade(store: Path, ruleset: RuleSet) -> None:
    shutil.copy(
        FIXTURES / "edge-cases/info_missing_framework.json", store / "lenet-caffe/info.json"
    )
    [problem] = check(store / "lenet-caffe/info.json", ruleset)
    assert problem.message == "missing key 'framework'"
    assert problem.severity.label == "error"


def test_wrong_values_types_and_patterns(store: Path, ruleset: RuleSet) -> None:
    info = store / "lenet-caffe/info.json"
    edit_json(
        info, framework="Caffe", image_dimensions=[28, 28], image_resize_mode="stretch",
        status="Aborted", id="lenet", name="", username=7, snapshot_file_x="x",
    )  # fmt: skip
    problems = check(info, ruleset)
    by_code = {p.rule: p for p in problems}
    framework = next(p.message for p in problems if p.line == 8)
    assert framework == (
        "'framework' is 'Caffe'; allowed: caffe, torch, tensorflow"
        " (did you mean 'caffe'? values are case-sensitive)"
    )
    messages = [p.message for p in problems]
    assert (
        "'image dimensions' must be three positive integers [height, width, channels]" in messages
    )
    assert by_code["MDV313"].message == "'name' is empty"
    assert by_code["MDV318"].severity.label == "warning"
    assert by_code["MDV315"].message.startswith("'id' is 'lenet'")
    assert by_code["MDV314"].message.startswith("unknown key 'snapshot file x'")
    assert codes(problems).count("MDV312") == 2  # framework and resize mode
    assert "'username' must be a string or null" in messages
    # with an unknown framework the Caffe-only keys are not required, nothing else cascades
    assert set(codes(problems)) == {"MDV311", "MDV312", "MDV313", "MDV314", "MDV315", "MDV318"}


def test_image_dimensions_need_three_positive_integers(store: Path, ruleset: RuleSet) -> None:
    info = store / "lenet-caffe/info.json"
    for bad in ([28, 28, 0], [28, 28, 1.5], [28, 28, True], "28x28", [28, 28, 1, 1]):
        edit_json(info, image_dimensions=bad)
        assert codes(check(info, ruleset)) == ["MDV311"], bad


def test_weights_extension_must_match_the_framework(store: Path, ruleset: RuleSet) -> None:
    info = store / "lenet-torch/info.json"
    edit_json(info, snapshot_file="snapshot_iter_28140.caffemodel")
    (store / "lenet-torch/snapshot_iter_28140.caffemodel").write_bytes(b"x")
    [problem] = check(info, ruleset)
    line = (
        info.read_text()
        .splitlines()
        .index('    "snapshot file": "snapshot_iter_28140.caffemodel",')
        + 1
    )
    assert (problem.rule, problem.line, problem.column) == ("MDV319", line, 22)
    assert problem.message == "torch weights end in .t7, not 'snapshot_iter_28140.caffemodel'"


def test_caffe_needs_its_prototxt_keys_and_a_model_definition(
    store: Path, ruleset: RuleSet
) -> None:
    info = store / "lenet-caffe/info.json"
    edit_json(info, deploy_file=None, solver_file=None, model_file=None)
    messages = [p.message for p in check(info, ruleset)]
    assert "missing key 'deploy file'" in messages and "missing key 'solver file'" in messages
    assert "missing model definition: 'model file' or 'network file'" in messages


def test_referenced_files_must_exist_next_to_info_json(store: Path, ruleset: RuleSet) -> None:
    (store / "lenet-caffe/snapshot_iter_28140.caffemodel").unlink()
    (store / "lenet-caffe/labels.txt").unlink()
    problems = check(store / "lenet-caffe/info.json", ruleset)
    assert where(problems) == [("MDV324", 17, 20), ("MDV324", 21, 22)]
    assert "'labels file' names 'labels.txt'" in problems[0].message


def test_tensorflow_checkpoint_prefix_needs_its_three_files(store: Path, ruleset: RuleSet) -> None:
    (store / "lenet-tensorflow/snapshot_30.ckpt.meta").unlink()
    [problem] = check(store / "lenet-tensorflow/info.json", ruleset)
    assert problem.rule == "MDV324" and "snapshot_30.ckpt.meta" in problem.message
    # a file literally named like the prefix is not what DIGITS downloads
    (store / "lenet-tensorflow/snapshot_30.ckpt").write_bytes(b"x")
    assert codes(check(store / "lenet-tensorflow/info.json", ruleset)) == ["MDV324"]


def test_generic_dataset_may_have_an_empty_mean_file(store: Path, ruleset: RuleSet) -> None:
    info = store / "detectnet-caffe/info.json"
    edit_json(info, mean_file="")
    assert check(info, ruleset) == []
    edit_json(info, deploy_file="")
    assert codes(check(info, ruleset)) == ["MDV313"]


@pytest.mark.parametrize("name", ["../../.bashrc", "/etc/passwd", "sub\\x.lua", "C:evil", "a\x00b"])
def test_file_names_must_be_plain(store: Path, ruleset: RuleSet, name: str) -> None:
    info = store / "lenet-torch/info.json"
    edit_json(info, model_file=name)
    [problem] = check(info, ruleset)
    assert problem.rule == "MDV325" and problem.line == 16


def test_master_children_must_be_unique_safe_and_present(store: Path, ruleset: RuleSet) -> None:
    master = store / "master.json"
    master.write_text(
        '{\n  "msg": "s",\n  "children": [\n    "lenet-caffe",\n    "../etc",\n'
        '    "lenet-caffe",\n    "ghost",\n    "a/b",\n    "alexnet-caffe-pylayer"\n  ]\n}\n'
    )
    problems = check(master, ruleset)
    assert where(problems) == [
        ("MDV323", 3, 3), ("MDV323", 3, 3), ("MDV323", 3, 3),
        ("MDV320", 5, 5), ("MDV321", 6, 5), ("MDV322", 7, 5), ("MDV320", 8, 5),
    ]  # fmt: skip
    unlisted = sorted(p.message for p in problems if p.rule == "MDV323")
    assert unlisted[0] == "folder 'detectnet-caffe' holds an info.json but is not in 'children'"
    assert problems[0].severity.label == "warning"


def test_master_types(store: Path, ruleset: RuleSet) -> None:
    master = store / "master.json"
    master.write_text('{"msg": 3, "children": "lenet-caffe"}')
    assert where(check(master, ruleset)) == [("MDV311", 1, 9), ("MDV311", 1, 24)]
    master.write_text('["lenet-caffe"]')
    assert [p.message for p in check(master, ruleset)] == ["master.json must hold a JSON object"]


def test_aux_json_logo_must_exist(store: Path, ruleset: RuleSet) -> None:
    (store / "alexnet-caffe-pylayer/logo.png").unlink()
    [problem] = check(store / "alexnet-caffe-pylayer/aux.json", ruleset)
    assert (problem.rule, problem.line, problem.column) == ("MDV324", 4, 13)
    aux = store / "lenet-caffe/aux.json"
    aux.write_text('{"license": 3, "logo": "", "dataset": "MNIST", "extra": 1}')
    assert where(check(aux, ruleset)) == [("MDV311", 1, 13), ("MDV313", 1, 24), ("MDV314", 1, 48)]


def test_json_defects_in_store_files(store: Path, ruleset: RuleSet) -> None:
    info = store / "lenet-torch/info.json"
    text = info.read_text().replace(
        '"framework": "torch",', '"framework": "torch", "framework": "torch",'
    )
    info.write_text(text.replace('"username": "fred"', '"username": "fred", "note": NaN'))
    assert codes(check(info, ruleset)) == ["MDV302", "MDV303", "MDV311"]


def test_huge_and_unreadable_files_are_reported_not_read(store: Path, ruleset: RuleSet) -> None:
    info = store / "lenet-torch/info.json"
    info.write_bytes(b" " * (5 * 1024 * 1024))
    [problem] = check(info, ruleset)
    assert problem.rule == "MDV304" and problem.line == 0
    info.unlink()
    info.mkdir()
    assert codes(check(info, ruleset)) == ["MDV305"]


def test_symlinks_are_refused_never_followed(store: Path, ruleset: RuleSet, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"msg": "outside", "children": []}')
    os.symlink(secret, store / "lenet-torch" / "model.lua.link")
    (store / "lenet-torch/info.json").rename(store / "lenet-torch/real-info.json")
    os.symlink(store / "lenet-torch/real-info.json", store / "lenet-torch/info.json")
    os.symlink(store / "lenet-caffe", store / "linked-child")
    problems = check(store / "lenet-torch/info.json", ruleset)
    assert [p.rule for p in problems] == ["MDV330", "MDV330"]
    assert any("symbolic link (not followed)" in p.message for p in problems)
    master_problems = check(store / "master.json", ruleset)
    assert [p.message for p in master_problems] == [
        "the store folder holds a symbolic link 'linked-child' (not followed)"
    ]


def test_sha256sums_are_verified_and_must_cover_info_files(store: Path, ruleset: RuleSet) -> None:
    folder = store / "lenet-caffe"
    names = ["deploy.prototxt", "labels.txt", "snapshot_iter_28140.caffemodel"]
    lines = [f"{sha256_file(folder / n)[0]}  {n}" for n in names]
    lines[2] = lines[2].replace(lines[2][:4], "0000", 1)
    sums = folder / "SHA256SUMS"
    sums.write_text(
        "\n".join(
            [*lines, "d41d8cd9  mean.binaryproto", f"{'a' * 64}  ../x", f"{'b' * 64}  gone.txt"]
        )
        + "\n"
    )
    problems = check(sums, ruleset)
    assert where(problems) == [
        ("MDV326", 3, 1),
        ("MDV329", 4, 1),
        ("MDV329", 5, 1),
        ("MDV329", 6, 1),
    ]
    assert problems[0].message.startswith("'snapshot_iter_28140.caffemodel': expected 0000")
    info_problems = check(folder / "info.json", ruleset)
    not_listed = sorted(p.message.split(" ")[0] for p in info_problems if p.rule == "MDV327")
    assert not_listed == [
        "'mean.binaryproto'",
        "'original.prototxt'",
        "'solver.prototxt'",
        "'train_val.prototxt'",
    ]


def test_require_checksums_makes_a_missing_sha256sums_an_error(store: Path) -> None:
    from mdvalidator.ruleset import parse_ruleset

    strict = parse_ruleset(
        "strict.toml",
        '[ruleset]\nname = "strict"\nfamily = "digits-model-store"\n'
        'extends = "digits-model-store"\nfiles = ["info.json"]\n[checksums]\nrequired = true\n',
    )
    [problem] = check(store / "lenet-caffe/info.json", strict)
    assert (problem.rule, problem.line, problem.message) == (
        "MDV328",
        0,
        "the model folder has no SHA256SUMS",
    )


def test_duplicate_job_ids_across_one_store(store: Path, ruleset: RuleSet) -> None:
    shutil.copytree(store / "lenet-caffe", store / "lenet-copy")
    items: list[tuple[Target, FileResult]] = []
    for child in ("lenet-caffe", "lenet-copy", "lenet-torch"):
        target = Target(str(store / child / "info.json"), f"store/{child}/info.json")
        items.append((target, ruleset.checks.check_file(target, LOCAL_FILES, Limits())))
    [problem] = duplicate_ids(items)
    assert problem.path == "store/lenet-copy/info.json" and problem.line == 9
    assert "also the id of store/lenet-caffe/info.json" in problem.message


def test_fifos_are_reported_without_blocking(store: Path, ruleset: RuleSet) -> None:
    os.mkfifo(store / "lenet-torch/pipe")
    (store / "lenet-caffe/info.json").unlink()
    os.mkfifo(store / "lenet-caffe/info.json")
    assert [p.message for p in check(store / "lenet-torch/info.json", ruleset)] == [
        "the model folder holds 'pipe', neither a file nor a folder"
    ]
    assert [p.message for p in check(store / "lenet-caffe/info.json", ruleset)] == [
        "not a regular file"
    ]


# --------------------------------------- a duplicated key: checked as DIGITS reads it (the last)


def _duplicate_snapshot(info: Path, first: str, last: str) -> None:
    text = info.read_text()
    info.write_text(
        text.replace(
            '"snapshot file": "snapshot_30_Model.t7",',
            f'"snapshot file": "{first}",\n    "snapshot file": "{last}",',
        )
    )


@pytest.mark.parametrize(
    ("first", "last", "missing"),
    [
        # the file that exists comes first: DIGITS imports the missing one, which is reported
        ("snapshot_30_Model.t7", "elsewhere_30_Model.t7", ["'elsewhere_30_Model.t7'"]),
        # the missing one comes first: DIGITS never reads it, nothing is missing for DIGITS
        ("elsewhere_30_Model.t7", "snapshot_30_Model.t7", []),
    ],
)
def test_a_duplicated_key_is_an_error_and_the_last_value_is_checked(
    store: Path, ruleset: RuleSet, first: str, last: str, missing: list[str]
) -> None:
    info = store / "lenet-torch/info.json"
    _duplicate_snapshot(info, first, last)
    problems = check(info, ruleset)
    [duplicate] = [p for p in problems if p.rule == "MDV302"]
    assert duplicate.severity.label == "error" and duplicate.line == 19
    assert "keeps only this last value" in duplicate.message
    assert json.loads(info.read_text())["snapshot file"] == last  # what DIGITS' json.load uses
    assert codes(problems) == ["MDV302"] + ["MDV324"] * len(missing)
    assert [p.message.split(" names ")[1].split(",")[0] for p in problems[1:]] == missing


def test_a_duplicated_key_in_sha256sums_coverage_uses_the_last_value(
    store: Path, ruleset: RuleSet
) -> None:
    folder = store / "lenet-torch"
    (folder / "other_30_Model.t7").write_bytes(b"weights DIGITS will import")
    listed = ["model.lua", "labels.txt", "mean.binaryproto", "snapshot_30_Model.t7"]
    (folder / "SHA256SUMS").write_text(
        "".join(f"{sha256_file(folder / n)[0]}  {n}\n" for n in listed)
    )
    _duplicate_snapshot(folder / "info.json", "snapshot_30_Model.t7", "other_30_Model.t7")
    problems = check(folder / "info.json", ruleset)
    assert codes(problems) == ["MDV302", "MDV327"]
    assert problems[1].message == "'other_30_Model.t7' (snapshot file) is not listed in SHA256SUMS"


# ------------------------------------------------ SHA256SUMS hashing opens nothing through links


def test_hashing_refuses_a_linked_folder_even_past_the_listing(store: Path, tmp_path: Path) -> None:
    from mdvalidator.sources.filesystem import sha256_inside

    folder = store / "lenet-torch"
    (folder / "sub").mkdir()
    (folder / "sub/model.lua").write_bytes(b"inside")
    assert sha256_inside(folder, "sub/model.lua")[1] == 6
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "model.lua").write_bytes(b"a file outside the store")
    shutil.rmtree(folder / "sub")
    (folder / "sub").symlink_to(outside)  # swapped in after a listing saw a real folder
    with pytest.raises(OSError):
        sha256_inside(folder, "sub/model.lua")
    (folder / "last.lua").symlink_to(outside / "model.lua")
    with pytest.raises(OSError):
        sha256_inside(folder, "last.lua")


def test_hashing_refuses_a_fifo_without_blocking(store: Path, ruleset: RuleSet) -> None:
    from mdvalidator.sources.filesystem import sha256_inside

    folder = store / "lenet-torch"
    os.mkfifo(folder / "pipe.t7")
    with pytest.raises(OSError, match="not a regular file"):
        sha256_inside(folder, "pipe.t7")
    (folder / "SHA256SUMS").write_text(f"{'a' * 64}  pipe.t7\n")
    [problem] = check(folder / "SHA256SUMS", ruleset)
    assert problem.rule == "MDV329" and "not a regular file" in problem.message
