"""The conf check end to end: hand-made cards, their conf files through --mirror (a local
checkout) and from a loopback HTTP server; one read per conf file whatever the number of cards."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from loadability_server import Served, served_folder

from mdvalidator.assets.options import AssetOptions
from mdvalidator.families.mindspore.card import parse_card
from mdvalidator.loadability.card_values import CardValues, from_card
from mdvalidator.loadability.conf_check import check_conf
from mdvalidator.loadability.conf_fetch import ConfFetcher, ConfText, ConfUnavailable
from mdvalidator.loadability.findings import card_findings

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "fixtures" / "loadability" / "cards"
CHECKOUT = ROOT / "fixtures" / "loadability" / "checkout"
RAW = "https://gitee.com/acme/models/raw/r1.0/"
PREFIX = "/acme/models/raw/r1.0/"

# card -> [(check name, card line, conf line)] of the conf check
EXPECTED: dict[str, list[tuple[str, int, int]]] = {
    "resnet50_imagenet2012.md": [],
    "resnet101_imagenet2012.md": [],  # ResNet101 -> resnet101
    "resnet34_imagenet2012.md": [("conf-name-unknown", 5, 5)],
    "transformer_large_wmt16.md": [],
    "mobilenetv3_small_imagenet2012.md": [],
    "mobilenetv1_imagenet2012.md": [("conf-name-unknown", 5, 11)],
    "deeplabv3plus_s16_voc2012.md": [
        ("conf-name-unknown", 5, 5),
        ("conf-literal-case", 21, 7),
    ],
    "ghostnet_imagenet2012.md": [],  # no literals: nothing to say
    "dcgan_imagenet2012.md": [("conf-signature", 21, 5)],
    "unet2d_isbi.md": [("conf-syntax-error", 21, 6)],
    "lenet_mnist.md": [("conf-no-create-network", 21, 0)],
    "vit_large_imagenet2012.md": [("conf-name-unknown", 5, 5), ("conf-literal-case", 21, 9)],
    "openposenet_coco2017.md": [],
    "yolov3_coco2014.md": [],  # the name is handed on: not followed
    "bert_base_cnnews.md": [],  # any other name builds a network
    "crnn_svt.md": [("conf-missing", 21, 0)],
    "crnn_catalog_svt.md": [],  # its Usage does not call the loader
}


def values_of(name: str) -> CardValues:
    return from_card(parse_card(name, (CARDS / name).read_bytes()))


def results(fetcher: ConfFetcher) -> dict[str, list[tuple[str, int, int]]]:
    found = {}
    for name in sorted(EXPECTED):
        findings = check_conf(values_of(name), fetcher)
        found[name] = [(f.name, f.line, f.conf_line) for f in findings]
    return found


def mirror_options() -> AssetOptions:
    return AssetOptions(mirrors=((RAW, str(CHECKOUT)),))


def http_options(served: Served, **kwargs: object) -> AssetOptions:
    settings: dict[str, object] = {
        "allow_private_network": True,
        "mirrors": (("https://gitee.com/", served.base + "/"),),
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "deadline": 10.0,
        "retries": 0,
        "backoff": 0.01,
    }
    settings.update(kwargs)
    return AssetOptions(**settings)  # type: ignore[arg-type]


def test_every_card_covers_one_case() -> None:
    assert sorted(p.name for p in CARDS.glob("*.md")) == sorted(EXPECTED)


def test_through_a_mirror_folder() -> None:
    fetcher = ConfFetcher(mirror_options())
    assert results(fetcher) == EXPECTED
    # 16 cards call the loader; 3 share plain_eq, 2 dict_constructors: 13 files, 13 reads
    assert fetcher.reads == 13


def test_from_the_loopback_server_once_per_file() -> None:
    with served_folder(CHECKOUT, PREFIX) as served:
        fetcher = ConfFetcher(http_options(served))
        assert results(fetcher) == EXPECTED
        assert results(fetcher) == EXPECTED  # a second pass reads nothing again
        conf = f"{PREFIX}plain_eq/mindspore_hub_conf.py"
        assert served.requests[conf] == 1
        assert served.requests[f"{PREFIX}no_conf/mindspore_hub_conf.py"] == 1
        assert sum(served.requests.values()) == 13


def test_many_cards_on_many_threads_fetch_once() -> None:
    with served_folder(CHECKOUT, PREFIX) as served:
        fetcher = ConfFetcher(http_options(served))
        names = [
            "resnet50_imagenet2012.md",
            "resnet101_imagenet2012.md",
            "resnet34_imagenet2012.md",
        ]
        cards = [values_of(n) for n in names] * 20
        with ThreadPoolExecutor(8) as pool:
            found = list(pool.map(lambda v: check_conf(v, fetcher), cards))
        assert sum(len(f) for f in found) == 20  # resnet34, each time
        assert served.requests == {f"{PREFIX}plain_eq/mindspore_hub_conf.py": 1}


def test_missing_message_names_the_url_and_the_reading() -> None:
    (finding,) = check_conf(values_of("crnn_svt.md"), ConfFetcher(mirror_options()))
    assert finding.severity.label == "error"
    assert finding.message == (
        "no mindspore_hub_conf.py where the loader imports it from: the loader reads host "
        "gitee.com, repository acme/models, branch r1.0, folder no_conf "
        f"({RAW}no_conf/mindspore_hub_conf.py: not in the mirror folder)"
    )


def test_missing_under_what_looks_like_a_split_branch_name() -> None:
    text = (
        "# x\n\n---\nmodel-name: x\nrepo-link: https://gitee.com/acme/models/tree/release/"
        "1.0/x\n---\n\n```python\nimport mindspore_hub as mshub\nmshub.load(m)\n```\n"
    )
    values = from_card(parse_card("x.md", text.encode()))
    mirror = ("https://gitee.com/acme/models/raw/release/", str(CHECKOUT))
    (finding,) = check_conf(values, ConfFetcher(AssetOptions(mirrors=(mirror,))))
    assert finding.name == "conf-missing"
    assert finding.message.endswith(
        "; if the branch is really 'release/1.0', note that a branch whose name holds '/' "
        "cannot be named in a repo-link"
    )


def test_name_unknown_message() -> None:
    fetcher = ConfFetcher(mirror_options())
    (unknown, case) = check_conf(values_of("deeplabv3plus_s16_voc2012.md"), fetcher)
    assert unknown.message == (
        "the loader calls create_network('deeplabv3plus_s16'), the lower-cased model-name, and "
        "mindspore_hub_conf.py (line 5) knows only 'DeepLabV3plus_s16', 'DeepLabV3plus_s8'; "
        "'DeepLabV3plus_s16' differs only by case, and can never match"
    )
    assert case.severity.label == "warning"
    assert "'DeepLabV3plus_s16' (line 7), 'DeepLabV3plus_s8' (line 9)" in case.message


def test_syntax_error_message_has_the_conf_line() -> None:
    (finding,) = check_conf(values_of("unet2d_isbi.md"), ConfFetcher(mirror_options()))
    assert finding.message.startswith("mindspore_hub_conf.py line 6, column 24: expected ':'")


def test_card_without_a_load_call_can_still_be_checked_on_request() -> None:
    values = values_of("crnn_catalog_svt.md")
    assert values.load_call == 0
    found = check_conf(values, ConfFetcher(mirror_options()), require_load_call=False)
    assert [f.name for f in found] == ["conf-missing"]
    assert values_of("crnn_svt.md").load_call == 51


def test_offline_reads_nothing_and_says_nothing() -> None:
    fetcher = ConfFetcher(AssetOptions(offline=True))
    assert check_conf(values_of("resnet34_imagenet2012.md"), fetcher) == []
    read = fetcher.get(f"{RAW}plain_eq/mindspore_hub_conf.py")
    assert isinstance(read, ConfUnavailable) and read.kind == "offline"


def test_server_errors_are_unavailable_not_exceptions() -> None:
    with served_folder(CHECKOUT, PREFIX) as served:
        options = http_options(served, mirrors=((RAW, served.url("/status/503/")),))
        found = check_conf(values_of("resnet50_imagenet2012.md"), ConfFetcher(options))
        assert [(f.name, f.severity.label) for f in found] == [("conf-unavailable", "error")]
        assert "HTTP 503" in found[0].message


def test_loopback_is_blocked_without_the_opt_in() -> None:
    with served_folder(CHECKOUT, PREFIX) as served:
        options = http_options(served, allow_private_network=False)
        fetcher = ConfFetcher(options)
        read = fetcher.get(f"{RAW}plain_eq/mindspore_hub_conf.py")
        assert isinstance(read, ConfUnavailable)
        assert read.kind == "blocked"
        assert served.requests == {}


def test_redirect_to_a_private_address_is_blocked() -> None:
    with served_folder(CHECKOUT, PREFIX) as served, served_folder(CHECKOUT, PREFIX) as inner:
        # the first hop is allowed by network (10.0.0.0/8 would be refused outright), the second
        # is loopback on another port: allowed only through allow_networks, which excludes it
        target = inner.url(f"{PREFIX}plain_eq/mindspore_hub_conf.py")
        options = http_options(
            served,
            allow_private_network=False,
            allow_networks=("127.0.0.1/32",),
            mirrors=((RAW, served.url(f"/redirect?to={target}&x=")),),
        )
        read = ConfFetcher(options).get(f"{RAW}plain_eq/mindspore_hub_conf.py")
        # both hops are on 127.0.0.1, which allow_networks admits: the redirect is followed
        assert isinstance(read, ConfText)
        assert inner.requests[f"{PREFIX}plain_eq/mindspore_hub_conf.py"] == 1
        options = http_options(
            served,
            allow_private_network=False,
            allow_networks=("127.0.0.1/32",),
            mirrors=((RAW, served.url("/redirect?to=http://10.0.0.1/x&y=")),),
        )
        read = ConfFetcher(options).get(f"{RAW}plain_eq/mindspore_hub_conf.py")
        assert isinstance(read, ConfUnavailable) and read.kind == "blocked"


def test_size_cap_over_http_and_on_disk() -> None:
    url = f"{RAW}plain_eq/mindspore_hub_conf.py"
    with served_folder(CHECKOUT, PREFIX) as served:
        read = ConfFetcher(http_options(served), max_bytes=64).get(url)
        assert isinstance(read, ConfUnavailable) and read.kind == "too-large"
    read = ConfFetcher(mirror_options(), max_bytes=64).get(url)
    assert isinstance(read, ConfUnavailable) and read.kind == "too-large"
    found = check_conf(values_of("resnet50_imagenet2012.md"), ConfFetcher(mirror_options(), 64))
    assert [f.name for f in found] == ["conf-unavailable"]


def test_mirror_folder_refuses_paths_that_leave_it(tmp_path: Path) -> None:
    outside = tmp_path / "secret.py"
    outside.write_text("def create_network(name, *a, **k):\n    return 1\n")
    mirror = tmp_path / "mirror"
    (mirror / "linked").mkdir(parents=True)
    os.symlink(outside, mirror / "linked" / "mindspore_hub_conf.py")
    options = AssetOptions(mirrors=((RAW, str(mirror)),))
    fetcher = ConfFetcher(options)
    read = fetcher.get(f"{RAW}linked/mindspore_hub_conf.py")
    assert isinstance(read, ConfUnavailable) and read.kind == "blocked"
    read = fetcher.get(f"{RAW}../secret.py")
    assert isinstance(read, ConfUnavailable) and read.kind == "blocked"
    read = fetcher.get(f"{RAW}none/mindspore_hub_conf.py")
    assert isinstance(read, ConfUnavailable) and (read.kind, read.http_status) == ("missing", 404)
    gone = ConfFetcher(AssetOptions(mirrors=((RAW, str(tmp_path / "gone")),)))
    read = gone.get(f"{RAW}x/mindspore_hub_conf.py")
    assert isinstance(read, ConfUnavailable) and read.kind == "unreachable"


def test_an_unexpected_failure_is_a_value() -> None:
    def broken(url: str, options: AssetOptions, limit: int) -> bytes:
        raise RuntimeError("boom")

    read = ConfFetcher(AssetOptions(), fetch=broken).get("https://gitee.com/a/b/raw/m/x.py")
    assert isinstance(read, ConfUnavailable)
    assert (read.kind, read.message) == (
        "unreachable",
        "https://gitee.com/a/b/raw/m/x.py: failed: RuntimeError",
    )


def test_offline_checks_of_the_fixture_cards() -> None:
    found = {n: [(f.name, f.line) for f in card_findings(values_of(n))] for n in sorted(EXPECTED)}
    assert found.pop("crnn_catalog_svt.md") == [("loader-weights-choice", 35)]
    assert all(v == [] for v in found.values()), found


@pytest.mark.parametrize("module", ["findings", "card_values", "conf_check"])
def test_the_offline_modules_do_not_load_the_fetcher(module: str) -> None:
    code = (
        f"import sys, mdvalidator.loadability.{module}; "
        "print(sorted(m for m in sys.modules if m.startswith('mdvalidator.assets')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_conf_file_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    checkout = tmp_path / "checkout" / "plain_eq"
    checkout.mkdir(parents=True)
    (checkout / "mindspore_hub_conf.py").write_text(
        f"open({str(marker)!r}, 'w').write('x')\n"
        "def create_network(name, *args, **kwargs):\n"
        "    __import__('os').system('touch ' + name)\n"
        "    if name == 'resnet50':\n"
        "        return 1\n"
    )
    fetcher = ConfFetcher(AssetOptions(mirrors=((RAW, str(tmp_path / "checkout")),)))
    found = check_conf(values_of("resnet34_imagenet2012.md"), fetcher)
    assert [f.name for f in found] == ["conf-name-unknown"]
    assert not marker.exists()


def test_conf_text_in_messages_is_cleaned(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout" / "plain_eq"
    checkout.mkdir(parents=True)
    (checkout / "mindspore_hub_conf.py").write_text(
        "def create_network(name, *args, **kwargs):\n"
        "    if name == '\\x1b[31mEvil\\u202e::error::x':\n"
        "        return 1\n"
    )
    fetcher = ConfFetcher(AssetOptions(mirrors=((RAW, str(tmp_path / "checkout")),)))
    found = check_conf(values_of("resnet50_imagenet2012.md"), fetcher)
    assert [f.name for f in found] == ["conf-name-unknown", "conf-literal-case"]
    for finding in found:
        assert "\x1b" not in finding.message and "\u202e" not in finding.message


def test_an_html_page_served_with_200_is_not_parsed(tmp_path: Path) -> None:
    page = tmp_path / "plain_eq"
    page.mkdir()
    (page / "mindspore_hub_conf.py").write_bytes(b"\n<!DOCTYPE html><html><body>Sign in</body>")
    with served_folder(tmp_path, PREFIX) as served:
        found = check_conf(values_of("resnet50_imagenet2012.md"), ConfFetcher(http_options(served)))
    assert [f.name for f in found] == ["conf-unavailable"]
    assert "an HTML page, not the raw file" in found[0].message
