"""Rule-set options are built once, at load time: built-in sets without the schema library,
any other set validated first. Both paths give the same options; a run over built-in sets
never imports marshmallow (that is what keeps a one-card run fast without any cache)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GOOD_CARD

from mdvalidator.families import BUILTIN_NAMES, builtin_text
from mdvalidator.ruleset import RuleSetError, builtin_ruleset, parse_ruleset


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_a_builtin_set_gives_the_same_options_validated_or_not(name: str) -> None:
    fast = parse_ruleset(f"rules/{name}.toml", builtin_text(name), builtin=True)
    validated = parse_ruleset(f"rules/{name}.toml", builtin_text(name))
    assert fast.options == validated.options
    assert builtin_ruleset(name).options == validated.options
    assert fast.builtin and not validated.builtin


def test_a_set_that_is_not_builtin_is_validated_before_it_is_built() -> None:
    # The fast builder would read "maybe" as true; the schema refuses it.
    text = "[ruleset]\nextends = 'mindspore-hub'\nname = 'hub'\n[card]\nheading-colon = 'maybe'\n"
    with pytest.raises(RuleSetError, match=r"card\.heading-colon: Not a valid boolean"):
        parse_ruleset("hub.toml", text)


PROBE = """
import sys
from mdvalidator.cli import main
status = main(sys.argv[1:])
print("marshmallow" in sys.modules, status)
"""


def _imports_marshmallow(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def test_a_run_over_builtin_sets_never_imports_the_schema_library(tmp_path: Path) -> None:
    card = tmp_path / "assets" / "mindspore" / "1.10" / "lenet_mnist.md"
    card.parent.mkdir(parents=True)
    card.write_bytes(GOOD_CARD.read_bytes())
    assert _imports_marshmallow("--offline", str(card), cwd=tmp_path) == "False 0"
    hub = tmp_path / "hub.toml"
    hub.write_text("[ruleset]\nextends = 'mindspore-hub'\nname = 'hub'\n", "utf-8")
    assert _imports_marshmallow("--offline", "--rules", str(hub), str(card), cwd=tmp_path) == (
        "True 0"
    )
