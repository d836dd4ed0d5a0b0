"""Live stores served by a real HTTP server on 127.0.0.1: master.json and listing-only stores,
a 404 child, a truncated file, server errors, SHA256SUMS verification, the store command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from digits_support import CHILDREN, STORE, Server, check_store, codes

from mdvalidator.assets.hashing import sha256_file
from mdvalidator.assets.options import AssetOptions
from mdvalidator.cli import main
from mdvalidator.families.digits.live import (
    LiveSettings,
    listing_children,
    split_store_urls,
)
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.problem import Problem


def live(url: str, options: DigitsOptions, fetch: AssetOptions, **kwargs: object) -> list[Problem]:
    settings = LiveSettings(fetch=fetch, **kwargs)  # type: ignore[arg-type]
    return sorted(check_store(url, options, settings).problems)


def test_a_served_store_passes_and_every_referenced_file_is_probed(
    store: Path, serve: object, options: DigitsOptions, fetch_options: AssetOptions
) -> None:
    server: Server = serve(store)  # type: ignore[operator]
    assert live(server.url, options, fetch_options) == []
    heads = {path for method, path in server.site.requests if method == "HEAD"}
    assert "/lenet-tensorflow/snapshot_30.ckpt.data-00000-of-00001" in heads
    assert "/alexnet-caffe-pylayer/logo.png" in heads
    assert "/lenet-caffe/snapshot_iter_28140.caffemodel" in heads
    gets = {path for method, path in server.site.requests if method == "GET"}
    assert {"/master.json", "/lenet-torch/info.json", "/lenet-torch/aux.json"} <= gets


def test_a_404_child_and_a_missing_weights_file(
    store: Path, serve: object, options: DigitsOptions, fetch_options: AssetOptions
) -> None:
    shutil.rmtree(store / "detectnet-caffe")
    (store / "lenet-caffe/snapshot_iter_28140.caffemodel").unlink()
    server: Server = serve(store)  # type: ignore[operator]
    problems = live(server.url, options, fetch_options)
    assert [(p.path, p.rule, p.line) for p in problems] == [
        (f"{server.url}lenet-caffe/info.json", "MDV324", 21),
        (f"{server.url}master.json", "MDV322", 8),
    ]


def test_a_truncated_info_json_and_a_500_are_reported_for_their_model_only(
    store: Path, serve: object, options: DigitsOptions, fetch_options: AssetOptions
) -> None:
    server: Server = serve(store)  # type: ignore[operator]
    server.site.faults["/lenet-torch/info.json"] = "truncate"
    server.site.faults["/lenet-caffe/aux.json"] = "500"
    server.site.faults["/alexnet-caffe-pylayer/deploy.prototxt"] = "500"
    problems = live(server.url, options, fetch_options)
    assert [(p.path.removeprefix(server.url), p.rule, p.line) for p in problems] == [
        ("alexnet-caffe-pylayer/info.json", "MDV335", 6),
        ("lenet-caffe/aux.json", "MDV335", 0),
        ("lenet-torch/info.json", "MDV335", 0),
    ]
    assert "dropped" in problems[2].message and "HTTP 500" in problems[1].message


def test_bad_json_in_master_stops_that_store_with_its_position(
    store: Path, serve: object, options: DigitsOptions, fetch_options: AssetOptions
) -> None:
    (store / "master.json").write_text("{'msg': 'x', 'children': []}")
    server: Server = serve(store)  # type: ignore[operator]
    [problem] = live(server.url, options, fetch_options)
    assert (problem.rule, problem.line, problem.column) == ("MDV301", 1, 2)


def test_a_listing_only_store_is_read_like_digits_reads_it(
    store: Path, serve: object, options: DigitsOptions, fetch_options: AssetOptions
) -> None:
    (store / "master.json").unlink()
    (store / "icons").mkdir()
    server: Server = serve(store)  # type: ignore[operator]
    problems = live(server.url, options, fetch_options)
    assert [(p.path.removeprefix(server.url), p.rule) for p in problems] == [
        ("", "MDV337"),
        ("icons", "MDV322"),
    ]
    assert "Thanks for visiting" in problems[0].message and "(6 folders)" in problems[0].message
    assert problems[0].severity.label == "warning"


def test_a_store_with_neither_master_nor_listing_is_unreachable(
    tmp_path: Path, serve: object, options: DigitsOptions, fetch_options: AssetOptions
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("<html><body>Nothing here</body></html>")
    server: Server = serve(tmp_path / "site")  # type: ignore[operator]
    [problem] = live(server.url, options, fetch_options)
    assert problem.rule == "MDV334" and "names no folders" in problem.message
    refused = live("http://127.0.0.1:9/", options, fetch_options)
    assert codes(refused) == ["MDV334"] and "connection refused" in refused[0].message


def test_loopback_is_blocked_without_the_opt_in(
    store: Path, serve: object, options: DigitsOptions
) -> None:
    server: Server = serve(store)  # type: ignore[operator]
    [problem] = live(server.url, options, AssetOptions(retries=0))
    assert problem.rule == "MDV334" and server.site.requests == []


def test_verify_assets_checks_sha256sums_by_downloading(
    store: Path, serve: object, options: DigitsOptions, fetch_options: AssetOptions
) -> None:
    folder = store / "lenet-torch"
    names = sorted(p.name for p in folder.iterdir() if p.name != "MANIFEST.txt")
    lines = [f"{sha256_file(folder / n)[0]}  {n}" for n in names]
    lines[names.index("model.lua")] = f"{'0' * 64}  model.lua"
    lines.append(f"{'1' * 64}  gone.bin")
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    server: Server = serve(store)  # type: ignore[operator]
    assert live(server.url, options, fetch_options) == []  # HEAD only without --verify-assets
    result = check_store(server.url, options, LiveSettings(fetch_options, verify_assets=True))
    problems = sorted(result.problems)
    assert [(p.rule, p.line) for p in problems] == [
        ("MDV326", names.index("model.lua") + 1),
        ("MDV329", len(lines)),
    ]
    assert problems[0].path == f"{server.url}lenet-torch/SHA256SUMS"
    assert f"expected {'0' * 64}, got {sha256_file(folder / 'model.lua')[0]}" in problems[0].message
    assert "HTTP 404" in problems[1].message
    statuses = sorted(a.status.value for a in result.assets)
    assert statuses == ["mismatch", "unreachable", *["verified"] * (len(names) - 1)]
    assert {a.ref.url for a in result.assets} >= {f"{server.url}lenet-torch/labels.txt"}


def test_listing_parser_reads_a_and_td_text_ending_in_a_slash() -> None:
    html = (
        b"<html><body><table><tr><td><a href='lenet/'>lenet/</a></td></tr>"
        b"<tr><td>alexnet/</td></tr><tr><td><a href='../'>../</a></td></tr>"
        b"<tr><td><a href='file.txt'>file.txt</a></td></tr></table>"
        b"<a href='x'>Parent Directory</a><a href='g/'> googlenet/ </a></body></html>"
    )
    assert listing_children(html) == ["lenet", "alexnet", "googlenet"]
    assert listing_children(b"\xff\xfe<a>") == []


def test_store_url_list_is_split_trimmed_and_empty_entries_reported() -> None:
    assert split_store_urls(" https://a/s/ ,https://b/s,https://a/s/,") == (
        ["https://a/s/", "https://b/s"],
        ["entry 4 is empty (DIGITS refuses to start on it)"],
    )


def _three_stores(root: Path) -> list[Path]:

    stores = []
    for name in ("one", "two", "broken"):
        shutil.copytree(STORE, root / name)
        stores.append(root / name)
    broken = root / "broken"
    (broken / "master.json").write_text('{"msg": "broken", "children": ["lenet-caffe",]}')
    (broken / "lenet-torch/info.json").write_text('{"framework": "torch"')
    return stores


def test_store_command_over_three_local_stores_one_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stores = _three_stores(tmp_path)
    assert main(["store", "--format", "json", *map(str, stores)]) == 1
    report = json.loads(capsys.readouterr().out)
    paths = sorted((p["path"], p["rule"], p["line"]) for p in report["problems"])
    assert paths == [
        (f"{tmp_path}/broken/lenet-torch/info.json", "MDV301", 1),
        (f"{tmp_path}/broken/master.json", "MDV301", 1),
    ]
    # nothing hidden: with master.json unreadable, the broken store's model folders are still
    # checked, and the two good stores are checked whole
    assert report["checked"] == 9 * 3
    (stores[2] / "master.json").write_text('{"msg": "no children"}')
    assert main(["store", "--format", "json", str(stores[2])]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["checked"] == 9 and len(report["problems"]) == 2


def test_store_command_over_live_stores_from_the_environment(
    tmp_path: Path,
    serve: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one, two, broken = _three_stores(tmp_path)
    (broken / "master.json").write_text('{"msg": "fixed", "children": ["lenet-torch", "ghost"]}')
    urls = [serve(folder).url for folder in (one, two, broken)]  # type: ignore[operator]
    monkeypatch.setenv("DIGITS_MODEL_STORE_URL", " , ".join(urls) + ",")
    assert main(["store", "--allow-private-network", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = sorted((p["path"], p["rule"]) for p in report["problems"])
    assert found == [
        ("DIGITS_MODEL_STORE_URL", "MDV336"),
        (f"{urls[2]}lenet-torch/info.json", "MDV301"),
        (f"{urls[2]}master.json", "MDV322"),
    ]
    assert report["checked"] == 3


def test_store_command_usage_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("DIGITS_MODEL_STORE_URL", raising=False)
    assert main(["store"]) == 2
    assert "DIGITS_MODEL_STORE_URL is not set" in capsys.readouterr().err
    assert main(["store", str(tmp_path / "nowhere")]) == 1
    assert "MDV336" in capsys.readouterr().out
    assert main(["store", str(tmp_path)]) == 1  # an empty folder is no store
    assert "MDV334" in capsys.readouterr().out


def test_each_child_is_announced_for_the_progress_display(
    store: Path, serve: object, options: DigitsOptions, fetch_options: AssetOptions
) -> None:
    server: Server = serve(store)  # type: ignore[operator]
    seen: list[tuple[str, str]] = []
    problems = live(server.url, options, fetch_options, on_child=lambda s, c: seen.append((s, c)))
    assert problems == []
    assert sorted(seen) == sorted((server.url, child) for child in CHILDREN)


def test_store_command_require_checksums_and_a_hub_rule_set(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "--require-checksums", "--format", "json", str(store)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {p["rule"] for p in report["problems"]} == {"MDV328"} and len(report["problems"]) == 5
    hub = tmp_path / "hub.toml"
    hub.write_text(
        '[ruleset]\nname = "hub"\nfamily = "digits-model-store"\nextends = "digits-model-store"\n'
        'files = ["info.json"]\n[severity]\nMDV328 = "warning"\n'
        '[info.fields.note]\nrequired = true\n'
    )
    assert main(["store", "--rules", str(hub), "--require-checksums", str(store)]) == 1
    out = capsys.readouterr().out
    assert "missing key 'note'" in out and "warning" in out
    hub.write_text(hub.read_text().replace("required = true", "required = false"))
    assert main(["store", "--rules", str(hub), "--require-checksums", str(store)]) == 0
    assert main(["store", "--rules", str(hub), "--strict", "--require-checksums", str(store)]) == 1
    hub.write_text("[ruleset]\nname = 'x'\n")
    assert main(["store", "--rules", str(hub), str(store)]) == 2
    assert "hub.toml" in capsys.readouterr().err
    hub.write_text(
        '[ruleset]\nname = "hub"\nfamily = "digits-model-store"\nextends = "digits-model-store"\n'
        'files = ["info.json"]\n[info]\nrequierd = ["note"]\n'
    )
    assert main(["store", "--rules", str(hub), str(store)]) == 2
    assert "hub.toml: invalid rule set: info.requierd: Unknown field." in capsys.readouterr().err


def test_store_command_verify_assets_lists_each_file_in_the_json_report(
    store: Path,
    serve: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = store / "lenet-caffe"
    (folder / "SHA256SUMS").write_text(
        "".join(f"{sha256_file(folder / n)[0]}  {n}\n" for n in ("labels.txt", "deploy.prototxt"))
    )
    server: Server = serve(store)  # type: ignore[operator]
    args = ["store", "--verify-assets", "--allow-private-network", "--format", "json", server.url]
    assert main(args) == 1  # the other files info.json names are not in SHA256SUMS
    report = json.loads(capsys.readouterr().out)
    assert {p["rule"] for p in report["problems"]} == {"MDV327"}
    assert sorted((a["url"], a["status"]) for a in report["assets"]) == [
        (f"{server.url}lenet-caffe/deploy.prototxt", "verified"),
        (f"{server.url}lenet-caffe/labels.txt", "verified"),
    ]
