"""Helpers of the DIGITS Model Store tests: the sample store, archive builders, the live
server's handler. Kept out of conftest.py so that test modules import them by a unique name.

The sample store is ``fixtures/digits/store`` (see its SOURCE.txt); tests get a private copy.
Live stores are real folders served by a stdlib HTTP server on 127.0.0.1, with a table of
faults (status codes, truncated bodies) per URL path.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

from mdvalidator.families.digits.live import LiveSettings
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.family import Limits, Target
from mdvalidator.problem import Problem, Report
from mdvalidator.ruleset import RuleSet

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "digits"
STORE = FIXTURES / "store"
CHILDREN = (
    "lenet-caffe", "alexnet-caffe-pylayer", "lenet-torch", "lenet-tensorflow", "detectnet-caffe",
)  # fmt: skip


def check(path: Path, ruleset: RuleSet, display: str | None = None) -> list[Problem]:
    """Problems of one file, through the family's entry point, sorted."""
    from mdvalidator.sources.filesystem import LOCAL_FILES

    target = Target(str(path), display or path.name, explicit=True)
    return sorted(ruleset.checks.check_file(target, LOCAL_FILES, Limits()).problems)


def check_store(url: str, options: DigitsOptions, settings: LiveSettings) -> Report:
    """A live store checked through the engine, with the built-in rule set (whose options
    ``options`` must be), as ``mdvalidator store URL`` checks it."""
    from mdvalidator.engine import RunOptions, run
    from mdvalidator.families.digits.live import LiveStore
    from mdvalidator.ruleset import builtin_ruleset

    ruleset = builtin_ruleset("digits-model-store")
    assert ruleset.options == options
    return run([LiveStore(url, settings)], [ruleset], RunOptions(assets=settings.fetch))


def codes(problems: list[Problem]) -> list[str]:
    return [p.rule for p in problems]


def where(problems: list[Problem]) -> list[tuple[str, int, int]]:
    return [(p.rule, p.line, p.column) for p in problems]


# ----------------------------------------------------------------------------- archives


@dataclass
class Member:
    """One member of a tarball a test builds."""

    name: str
    data: bytes = b""
    kind: bytes = tarfile.REGTYPE
    link: str = ""
    size: int | None = None


def model_members(folder: Path) -> list[Member]:
    """The files of a model folder as archive members (info.json last, as DIGITS writes it)."""
    names = sorted(p.name for p in folder.iterdir() if p.name not in ("MANIFEST.txt", "aux.json"))
    names.sort(key=lambda n: n == "info.json")
    return [Member(n, (folder / n).read_bytes()) for n in names]


def build_tar(path: Path, members: list[Member], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:  # type: ignore[call-overload]
        for member in members:
            info = tarfile.TarInfo(member.name)
            info.type = member.kind
            info.linkname = member.link
            info.mode = 0o644
            data = member.data if member.kind == tarfile.REGTYPE else b""
            info.size = len(data) if member.size is None else member.size
            tar.addfile(info, io.BytesIO(data) if member.kind == tarfile.REGTYPE else None)
    return path


# ---------------------------------------------------------------------------- live server


@dataclass
class Site:
    """What the test server serves: a folder, plus faults by URL path."""

    root: Path
    # path -> "404" | "500" | "truncate" | "no-length"
    faults: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)


class StoreHandler(SimpleHTTPRequestHandler):
    site: Site

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _fault(self) -> bool:
        self.site.requests.append((self.command, self.path))
        fault = self.site.faults.get(self.path)
        if fault in ("404", "500"):
            self.send_error(int(fault))
            return True
        if fault == "truncate" and self.command == "GET":
            body = (Path(self.translate_path(self.path))).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return True
        return False

    def do_GET(self) -> None:
        if not self._fault():
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._fault():
            super().do_HEAD()


@dataclass
class Server:
    url: str
    site: Site
