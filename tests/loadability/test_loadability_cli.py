"""The loadability rules in the product: the real CLI (``mdvalidator.cli.main``) on the fixture
cards. Offline rules run on every run and are tuned like any rule; the conf check runs only with
``--check-conf`` (flag or setting), through ``--mirror`` or a loopback forge, once per conf file,
never with ``--offline``; the lint path imports none of its code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from loadability_server import Served, served_folder

from mdvalidator.assets.options import AssetOptions
from mdvalidator.cli import main
from mdvalidator.engine import RunOptions, execute
from mdvalidator.ruleset import load_rulesets
from mdvalidator.sources.memory import MemorySource

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "fixtures" / "loadability" / "cards"
CHECKOUT = ROOT / "fixtures" / "loadability" / "checkout"
REAL = (
    ROOT / "fixtures" / "mindspore-hub" / "noah-cvlab" / "ascend" / "1.0" / "ghostnet_ssd_v1.0.md"
)
RAW = "https://gitee.com/acme/models/raw/r1.0/"
PREFIX = "/acme/models/raw/r1.0/"
CONF = "mindspore_hub_conf.py"

# card -> (code, card line) of the conf check (tests/loadability/test_loadability_conf_check.py
# has the same table by check name, on the package's functions).
CONF_FOUND: dict[str, list[tuple[str, int]]] = {
    "crnn_svt.md": [("MDV153", 21)],
    "dcgan_imagenet2012.md": [("MDV155", 21)],
    "deeplabv3plus_s16_voc2012.md": [("MDV156", 5), ("MDV157", 21)],
    "lenet_mnist.md": [("MDV154", 21)],
    "mobilenetv1_imagenet2012.md": [("MDV156", 5)],
    "resnet34_imagenet2012.md": [("MDV156", 5)],
    "unet2d_isbi.md": [("MDV158", 21)],
    "vit_large_imagenet2012.md": [("MDV156", 5), ("MDV157", 21)],
}
CONF_CODES = {f"MDV{n}" for n in range(153, 160)}


def run_json(args: list[str], tmp_path: Path) -> tuple[int, dict[str, object]]:
    out = tmp_path / "report.json"
    status = main([*args, "--no-cache", "--format", "json", "-o", str(out)])
    return status, json.loads(out.read_text("utf-8"))


def found(report: dict[str, object], codes: set[str]) -> dict[str, list[tuple[str, int]]]:
    """{card file name: [(rule, line)]} of the problems with these codes."""
    by_card: dict[str, list[tuple[str, int]]] = {}
    problems = report["problems"]
    assert isinstance(problems, list)
    for problem in problems:
        if problem["rule"] in codes:
            name = problem["path"].rsplit("/", 1)[-1]
            by_card.setdefault(name, []).append((problem["rule"], problem["line"]))
    return {name: sorted(items, key=lambda i: (i[0], i[1])) for name, items in by_card.items()}


def four_part_card(tmp_path: Path) -> Path:
    text = (CARDS / "resnet34_imagenet2012.md").read_text("utf-8")
    card = tmp_path / "resnet34_imagenet2012.md"
    card.write_text(text.replace("/tree/r1.0/plain_eq>", "/tree/r1.0>"), "utf-8")
    return card


# --- offline: every run -----------------------------------------------------------------------


def test_offline_findings_at_their_lines(tmp_path: Path) -> None:
    card = four_part_card(tmp_path)
    status, report = run_json(
        ["--offline", str(REAL), str(CARDS / "crnn_catalog_svt.md"), str(card)], tmp_path
    )
    assert status == 1  # MDV150 is an error
    assert found(report, {"MDV150", "MDV151", "MDV152"}) == {
        "ghostnet_ssd_v1.0.md": [("MDV151", 39)],  # a real card: its only asset is mslite
        "crnn_catalog_svt.md": [("MDV151", 35)],
        "resnet34_imagenet2012.md": [("MDV150", 21)],
    }
    [shape] = [p for p in report["problems"] if p["rule"] == "MDV150"]  # type: ignore[union-attr]
    assert shape["name"] == "repo-link-shape" and shape["severity"] == "error"
    assert "branch r1.0" in shape["message"] and "folder" in shape["message"]
    [weights] = [
        p
        for p in report["problems"]
        if p["path"].endswith("ghostnet_ssd_v1.0.md") and p["rule"] == "MDV151"
    ]  # type: ignore[union-attr]
    assert (
        weights["severity"] == "warning" and "asset 1 (file-format 'mslite')" in weights["message"]
    )


def test_offline_findings_in_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--offline", "--no-cache", "--color", "never", str(REAL)]) == 0
    out = capsys.readouterr().out
    assert "39:1  warning  no asset has file-format ckpt" in out
    assert "[MDV151 loader-weights-choice]" in out and out.rstrip().endswith("All Passed")


@pytest.mark.parametrize("ignore", ["MDV151", "loader-weights-choice", "MDV15"])
def test_ignore_hides_the_finding(tmp_path: Path, ignore: str) -> None:
    _, report = run_json(["--offline", "--ignore", ignore, str(REAL)], tmp_path)
    assert found(report, {"MDV151"}) == {}
    _, report = run_json(["--offline", "--select", "MDV151", str(REAL)], tmp_path)
    assert found(report, {"MDV151"}) == {"ghostnet_ssd_v1.0.md": [("MDV151", 39)]}


def test_severity_and_inline_directive_tune_it(tmp_path: Path) -> None:
    rules = tmp_path / "hub.toml"
    rules.write_text(
        '[ruleset]\nname = "hub"\nextends = "mindspore-hub"\n'
        '[severity]\nMDV151 = "error"\nMDV150 = "off"\n',
        "utf-8",
    )
    card = four_part_card(tmp_path)
    status, report = run_json(["--offline", "--rules", str(rules), str(REAL), str(card)], tmp_path)
    assert status == 1
    assert found(report, {"MDV150", "MDV151"}) == {"ghostnet_ssd_v1.0.md": [("MDV151", 39)]}
    [weights] = [p for p in report["problems"] if p["rule"] == "MDV151"]  # type: ignore[union-attr]
    assert weights["severity"] == "error"
    # A card may silence it inline (not an integrity rule), like MDV140.
    silenced = tmp_path / "silenced" / "ghostnet_ssd_v1.0.md"
    silenced.parent.mkdir()
    text = REAL.read_text("utf-8")
    silenced.write_text("<!-- mdvalidator: disable-file=MDV151 -->\n" + text, "utf-8")
    _, report = run_json(["--offline", str(silenced)], tmp_path)
    assert found(report, {"MDV151"}) == {}


# --- the conf check: --check-conf ------------------------------------------------------------


def asset_mirror(served: Served) -> list[str]:
    # The fixture cards' assets (download.example.com) go to the loopback server too (404):
    # no test reaches the internet.
    return ["--mirror", f"https://download.example.com/={served.base}/assets/"]


def test_check_conf_through_mirror_folder(tmp_path: Path) -> None:
    with served_folder(CHECKOUT, PREFIX) as served:
        args = ["--check-conf", "--allow-private-network", "--timeout", "5", *asset_mirror(served)]
        status, report = run_json([*args, "--mirror", f"{RAW}={CHECKOUT}", str(CARDS)], tmp_path)
    assert status == 1
    assert found(report, CONF_CODES) == CONF_FOUND
    assert not [p for p in served.requests if p.endswith(CONF)]  # read from the folder
    [syntax] = [p for p in report["problems"] if p["rule"] == "MDV158"]  # type: ignore[union-attr]
    assert "mindspore_hub_conf.py line 6, column 24" in syntax["message"]


def test_check_conf_from_a_loopback_forge_once_per_file(tmp_path: Path) -> None:
    with served_folder(CHECKOUT, PREFIX) as served:
        args = [
            "--check-conf",
            "--allow-private-network",
            "--timeout",
            "5",
            "--jobs",
            "2",
            *asset_mirror(served),
            "--mirror",
            f"https://gitee.com/={served.base}/",
        ]
        status, report = run_json([*args, str(CARDS)], tmp_path)
        conf_reads = Counter({p: n for p, n in served.requests.items() if p.endswith(CONF)})
    assert status == 1
    assert found(report, CONF_CODES) == CONF_FOUND
    # resnet34/50/101 share plain_eq, mobilenetv1/v3 share dict_constructors: one GET each.
    assert conf_reads[f"{PREFIX}plain_eq/{CONF}"] == 1
    assert conf_reads[f"{PREFIX}dict_constructors/{CONF}"] == 1
    assert set(conf_reads.values()) == {1}
    # The catalog card (no mshub.load) is not checked: 13 folders for the 16 other cards.
    assert len(conf_reads) == 13 and f"{PREFIX}no_conf/{CONF}" in conf_reads


def test_two_cards_sharing_a_conf_file_fetch_it_once(tmp_path: Path) -> None:
    cards = [CARDS / "resnet50_imagenet2012.md", CARDS / "resnet34_imagenet2012.md"]
    with served_folder(CHECKOUT, PREFIX) as served:
        args = ["--check-conf", "--allow-private-network", *asset_mirror(served)]
        args += ["--mirror", f"https://gitee.com/={served.base}/"]
        _, report = run_json([*args, *map(str, cards)], tmp_path)
        conf_reads = {p: n for p, n in served.requests.items() if p.endswith(CONF)}
    assert conf_reads == {f"{PREFIX}plain_eq/{CONF}": 1}
    assert found(report, CONF_CODES) == {"resnet34_imagenet2012.md": [("MDV156", 5)]}


def test_one_fetch_per_run_across_rule_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two rule sets, each with a card naming plain_eq: the run's one fetcher reads it once."""
    sets = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(CARDS / "resnet34_imagenet2012.md", folder)
        ruleset = tmp_path / f"{name}.toml"
        ruleset.write_text(
            f'[ruleset]\nname = "hub-{name}"\nextends = "mindspore-hub"\nfiles = ["{name}/*.md"]\n',
            "utf-8",
        )
        sets += ["--rules", str(ruleset)]
    with served_folder(CHECKOUT, PREFIX) as served:
        args = ["--check-conf", "--allow-private-network", *asset_mirror(served), *sets]
        args += ["--mirror", f"https://gitee.com/={served.base}/"]
        monkeypatch.chdir(tmp_path)
        _, report = run_json([*args, "a", "b"], tmp_path)
        conf_reads = {p: n for p, n in served.requests.items() if p.endswith(CONF)}
    assert conf_reads == {f"{PREFIX}plain_eq/{CONF}": 1}
    paths = sorted(p["path"] for p in report["problems"] if p["rule"] == "MDV156")  # type: ignore[union-attr]
    assert paths == ["a/resnet34_imagenet2012.md", "b/resnet34_imagenet2012.md"]


@pytest.mark.parametrize("how", ["--offline", "no flag", "setting false"])
def test_no_conf_request_offline_or_by_default(tmp_path: Path, how: str) -> None:
    config = tmp_path / "setup.cfg"
    config.write_text("[mdvalidator]\ncheck-conf = false\n", "utf-8")
    with served_folder(CHECKOUT, PREFIX) as served:
        args = ["--allow-private-network", *asset_mirror(served)]
        args += ["--mirror", f"https://gitee.com/={served.base}/"]
        if how == "--offline":
            args += ["--offline", "--check-conf"]
        elif how == "setting false":
            args += ["--config", str(config)]
        _, report = run_json([*args, str(CARDS)], tmp_path)
        conf_reads = [p for p in served.requests if p.endswith(CONF)]
        asset_reads = [p for p in served.requests if p.startswith("/assets/")]
    assert conf_reads == []
    assert found(report, CONF_CODES) == {}
    assert (asset_reads == []) is (how == "--offline")


def test_check_conf_as_a_setting(tmp_path: Path) -> None:
    config = tmp_path / "setup.cfg"
    config.write_text(f"[mdvalidator]\ncheck-conf = true\nmirror = {RAW}={CHECKOUT}\n", "utf-8")
    card = CARDS / "resnet34_imagenet2012.md"
    with served_folder(CHECKOUT, PREFIX) as served:
        args = ["--config", str(config), "--allow-private-network", *asset_mirror(served)]
        _, report = run_json([*args, str(card)], tmp_path)
    assert found(report, CONF_CODES) == {"resnet34_imagenet2012.md": [("MDV156", 5)]}


def test_conf_every_card_key_checks_catalog_cards(tmp_path: Path) -> None:
    rules = tmp_path / "hub.toml"
    rules.write_text(
        '[ruleset]\nname = "hub"\nextends = "mindspore-hub"\n[card]\nconf-every-card = true\n',
        "utf-8",
    )
    card = CARDS / "crnn_catalog_svt.md"
    args = ["--check-conf", "--mirror", f"{RAW}={CHECKOUT}", "--ignore", "MDV2"]
    args += ["--mirror", f"https://download.example.com/={CHECKOUT}/"]
    _, plain = run_json([*args, str(card)], tmp_path)
    _, every = run_json([*args, "--rules", str(rules), str(card)], tmp_path)
    assert found(plain, CONF_CODES) == {}
    assert found(every, CONF_CODES) == {"crnn_catalog_svt.md": [("MDV153", 21)]}


def test_blocked_conf_host_is_not_a_pass(tmp_path: Path) -> None:
    """Without --allow-private-network the loopback forge is refused by the SSRF gate."""
    card = CARDS / "resnet50_imagenet2012.md"
    with served_folder(CHECKOUT, PREFIX) as served:
        args = ["--check-conf", "--mirror", f"https://gitee.com/={served.base}/"]
        args += asset_mirror(served)
        status, report = run_json([*args, str(card)], tmp_path)
        conf_reads = [p for p in served.requests if p.endswith(CONF)]
    assert conf_reads == []
    assert status == 1
    assert found(report, CONF_CODES) == {"resnet50_imagenet2012.md": [("MDV159", 21)]}


def test_a_bot_turns_it_on_in_the_run_options() -> None:
    """What ``serve`` does: in-memory files, ``RunOptions(check_conf=True)``."""
    names = ["resnet34_imagenet2012.md", "crnn_svt.md"]
    files = {f"assets/acme/1.0/{n}": (CARDS / n).read_bytes() for n in names}
    assets = AssetOptions(mirrors=((RAW, str(CHECKOUT)),))
    on = execute([MemorySource(files)], load_rulesets(), RunOptions(assets=assets, check_conf=True))
    off = execute(
        [MemorySource(files)],
        load_rulesets(),
        RunOptions(assets=assets, offline=True, check_conf=True),
    )
    shown = {
        (p.path.rsplit("/", 1)[-1], p.rule, p.line)
        for p in on.report.problems
        if p.rule in CONF_CODES
    }
    assert shown == {("resnet34_imagenet2012.md", "MDV156", 5), ("crnn_svt.md", "MDV153", 21)}
    assert not [p for p in off.report.problems if p.rule in CONF_CODES]


def test_the_verify_hook_checks_conf_files() -> None:
    hooks = {
        h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    }
    assert "--check-conf" in hooks["mdvalidator-verify"]["entry"].split()
    assert "--check-conf" not in hooks["mdvalidator"]["entry"].split()


# --- the lint path ----------------------------------------------------------------------------

PROBE = """
import sys
from mdvalidator.cli import main
status = main(sys.argv[1:])
names = ("mdvalidator.loadability.conf_fetch", "mdvalidator.loadability.conf_ast",
         "mdvalidator.loadability.conf_names", "mdvalidator.loadability.conf_check",
         "mdvalidator.assets.fetch", "mdvalidator.assets.verify")
print(sorted(n for n in names if n in sys.modules))
"""


def imported(tmp_path: Path, *args: str) -> list[str]:
    card = tmp_path / "card" / "resnet34_imagenet2012.md"
    card.parent.mkdir(exist_ok=True)
    shutil.copy(CARDS / card.name, card)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args, "--no-cache", "-o", str(tmp_path / "out"), str(card)],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    result: list[str] = json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))
    return result


def test_the_lint_path_imports_no_conf_or_fetch_code(tmp_path: Path) -> None:
    assert imported(tmp_path, "--offline") == []
    assert imported(tmp_path, "--offline", "--check-conf") == []
    mirrors = [
        "--mirror",
        f"{RAW}={CHECKOUT}",
        "--mirror",
        f"https://download.example.com/={CHECKOUT}/",
    ]
    with_conf = imported(tmp_path, "--check-conf", "--ignore", "MDV2", *mirrors)
    assert "mdvalidator.loadability.conf_fetch" in with_conf
    assert "mdvalidator.loadability.conf_ast" in with_conf
