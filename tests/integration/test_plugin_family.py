"""A third-party family: a plugin package declares it in the ``mdvalidator.families``
entry-point group, and the real CLI checks its files with it.

The plugin is a tiny package written here (its own family, ``acme-notes``, with one rule),
built and installed into a temporary venv that sees this environment's packages through a
``.pth`` file (no network: ``--no-deps --no-build-isolation``). The rule set a hub would write
names the family; nothing of mdvalidator is changed to know it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PLUGIN = '''
"""acme-notes: ``*.note`` files must start with their title line."""

from mdvalidator.family import FileResult, OptionsError
from mdvalidator.problem import Severity
from mdvalidator.reading import ReadError
from mdvalidator.rule import Rule

NO_TITLE = Rule(
    "MDV901",
    "note-without-title",
    "A note does not start with its title line.",
    "Failing: a note starting with prose.  Passing: 'Title: Lenet'.",
    Severity.ERROR,
    "acme-notes",
)


class NotesFamily:
    name = "acme-notes"
    rules = (NO_TITLE,)

    def ruleset_text(self):
        return None

    def validate_options(self, data):
        unknown = sorted(set(data) - {"notes"})
        if unknown:
            raise OptionsError({unknown[0]: ["Unknown field."]})

    def build_options(self, data):
        return dict(data.get("notes", {}))

    def check_file(self, target, files, options, limits):
        try:
            text = files.read(target.location, limits.max_file_size).decode("utf-8", "replace")
        except ReadError as error:
            return FileResult(problems=(NO_TITLE.problem(target.display, 0, 0, error.message),))
        prefix = options.get("prefix", "Title:")
        if text.startswith(prefix):
            return FileResult()
        message = f"the note does not start with {prefix!r}"
        return FileResult(problems=(NO_TITLE.problem(target.display, 1, 1, message),))

    def check_together(self, items, files, options):
        return []

    def affected_by_deletion(self, location, options):
        return ()

    def asset_keys(self, data, location, options):
        return frozenset()

    def asset_problems(self, results):
        return []


FAMILY = NotesFamily()
'''

SETUP_CFG = """\
[metadata]
name = acme-notes
version = 1.0

[options]
py_modules = acme_notes

[options.entry_points]
mdvalidator.families =
    acme-notes = acme_notes:FAMILY
"""

RULES = """\
[ruleset]
name = "acme-notes"
family = "acme-notes"
files = ["*.note"]

[notes]
prefix = "Title:"
"""


def _run(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the plugin installed, seeing this environment's packages (mdvalidator)."""
    root = tmp_path_factory.mktemp("plugin")
    package = root / "acme-notes"
    package.mkdir()
    (package / "acme_notes.py").write_text(PLUGIN, "utf-8")
    (package / "setup.cfg").write_text(SETUP_CFG, "utf-8")
    (package / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    inner = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                 root)  # fmt: skip
    ours = sysconfig.get_paths()["purelib"]
    Path(inner.stdout.strip(), "parent-environment.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n", "utf-8"
    )
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--no-index", str(package)],
        root,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def test_a_plugin_family_checks_its_files_through_the_real_cli(venv: Path, tmp_path: Path) -> None:
    python = str(venv / "bin" / "python")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "good.note").write_text("Title: Lenet\nA small network.\n")
    (tmp_path / "notes" / "bad.note").write_text("A note without its title.\n")
    (tmp_path / "notes.toml").write_text(RULES, "utf-8")
    check = [python, "-m", "mdvalidator", "--offline", "--format", "json", "--rules", "notes.toml"]

    done = _run([*check, "notes"], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["checked"] == 2
    assert [(p["path"], p["line"], p["rule"], p["name"]) for p in report["problems"]] == [
        ("notes/bad.note", 1, "MDV901", "note-without-title")
    ]
    # the registry knows the plugin's rule: it can be ignored and explained like any other
    ignored = _run([*check, "--ignore", "note-without-title", "notes"], tmp_path)
    assert ignored.returncode == 0, ignored.stdout + ignored.stderr
    explained = _run([python, "-m", "mdvalidator", "rules", "MDV901"], tmp_path)
    assert explained.stdout.startswith("MDV901 note-without-title (error, acme-notes)")
    # the plugin validates its own tables of a rule set
    (tmp_path / "notes.toml").write_text(RULES + "[surprise]\nx = 1\n", "utf-8")
    refused = _run([*check, "notes"], tmp_path)
    assert refused.returncode == 2
    assert "notes.toml: invalid rule set: surprise: Unknown field." in refused.stderr


def test_without_the_plugin_its_family_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "notes.toml").write_text(RULES, "utf-8")
    (tmp_path / "a.note").write_text("x\n")
    args = [sys.executable, "-m", "mdvalidator", "--offline", "--rules", "notes.toml", "a.note"]
    done = _run(args, tmp_path)
    assert done.returncode == 2
    assert "ruleset.family: Must be one of: digits-model-store, mindspore-hub." in done.stderr
