"""MDV334, MDV336, and the DIGITS family's sources: a store folder, a snapshot archive's root
files (and, in ``live``, a live store). ``mdvalidator store`` and ``store add`` hand them to the
engine, which checks their files like any others."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mdvalidator.document import Mapping
from mdvalidator.families.digits import archive, master
from mdvalidator.families.digits.archive import ARCHIVE_INVALID
from mdvalidator.families.digits.checks import INFO_NAME
from mdvalidator.families.digits.jsonread import parse_bytes
from mdvalidator.families.digits.options import DigitsOptions
from mdvalidator.families.digits.ruledef import rule
from mdvalidator.families.digits.storecheck import AUX_NAME, MASTER_NAME, join, store_view
from mdvalidator.family import Files, Target
from mdvalidator.reading import ReadError
from mdvalidator.ruleset import RuleSet
from mdvalidator.sources import Discovery
from mdvalidator.sources.filesystem import LOCAL_FILES, LocalFiles, location

STORE_UNREACHABLE = rule(
    "MDV334",
    "store-unreachable",
    "A store's master.json and its folder listing cannot be fetched",
    """
DIGITS logs and skips such a store, so it silently disappears from the model list.

Failing:  https://models.example.org/store/ answers 404 to master.json and to the listing
Passing:  https://models.example.org/store/master.json is served
""",
)

STORE_URL_INVALID = rule(
    "MDV336",
    "store-url-invalid",
    "A DIGITS_MODEL_STORE_URL entry is not a usable URL",
    """
DIGITS refuses to start when an entry of the comma-separated list is empty (a trailing comma)
or has no scheme, and it does not trim spaces.

Failing:  DIGITS_MODEL_STORE_URL="https://a.example/store/, "
Passing:  DIGITS_MODEL_STORE_URL="https://a.example/store/"
""",
)


def digits_ruleset(rulesets: Sequence[RuleSet]) -> tuple[RuleSet, DigitsOptions]:
    ruleset = next(r for r in rulesets if r.family == "digits-model-store")
    options = ruleset.options
    assert isinstance(options, DigitsOptions)
    return ruleset, options


def store_files(files: Files, store: str, options: DigitsOptions, cap: int) -> list[str]:
    """The files of a store, in the order a check reads them: master.json first, then per
    listed child its info.json, aux.json and SHA256SUMS. Without a usable master.json, every
    folder holding an info.json is checked, so that nothing stays hidden behind it. Linked
    folders are skipped (the master.json check reports them)."""
    top = files.listing(store)
    master_path = join(store, MASTER_NAME)
    found = [master_path] if MASTER_NAME in top.names else []
    names: list[str] | None = None
    if found:
        try:
            root = parse_bytes(files.read(master_path, cap), options.max_depth).root
        except ReadError:
            root = None
        if isinstance(root, Mapping):
            names = master.safe_children(root)
    if names is None:
        names = sorted(store_view(files, store, ()).with_info)
    for name in names:
        if name not in top.folders:
            continue
        child = files.listing(join(store, name))
        for file_name in (INFO_NAME, AUX_NAME, options.checksums.file):
            if file_name in child.files or file_name in child.symlinks:
                found.append(join(store, name, file_name))
    return found


class StoreFolder:
    """A store folder on disk, named as ``given``; its problems' paths start with it."""

    def __init__(self, given: str, cap: int) -> None:
        self.given = given
        self.base = Path(given).as_posix().rstrip("/")
        self.cap = cap

    @property
    def files(self) -> LocalFiles:
        return LOCAL_FILES

    def previous(self, target: Target) -> bytes | None:
        return None

    def discover(self, rulesets: Sequence[RuleSet]) -> Discovery:
        ruleset, options = digits_ruleset(rulesets)
        store = location(self.given).rstrip("/") or "."
        targets = []
        for path in store_files(LOCAL_FILES, store, options, self.cap):
            shown = f"{self.base}/{Path(path).relative_to(store).as_posix()}"
            targets.append((Target(path, shown, explicit=True), ruleset))
        if not targets:
            message = "no master.json and no folder with info.json"
            problem = STORE_UNREACHABLE.problem(self.base, 0, 0, message)
            return Discovery((), (problem,))
        return Discovery(tuple(targets))


class SnapshotArchive:
    """A snapshot archive on disk: its member list (checked) and its root JSON files."""

    def __init__(self, path: Path, cap: int) -> None:
        self.path = path
        self.cap = cap
        self.inspection = archive.Inspection((), ())

    @property
    def files(self) -> archive.ArchiveFiles:
        return archive.ArchiveFiles(self.inspection)

    def previous(self, target: Target) -> bytes | None:
        return None

    def discover(self, rulesets: Sequence[RuleSet]) -> Discovery:
        ruleset, options = digits_ruleset(rulesets)
        display = self.path.as_posix()
        try:
            with LOCAL_FILES.open(location(str(self.path))) as stream:
                self.inspection = archive.scan(stream, self.path.name, display, options, self.cap)
        except ReadError as error:
            problem = ARCHIVE_INVALID.problem(display, 0, 0, f"cannot read: {error.message}")
            return Discovery((), (problem,), counted=1)
        found = self.inspection
        if not found.members and found.problems:
            return Discovery((), found.problems, counted=1)
        targets, problems = archive.member_targets(found, display, options)
        pairs = tuple((target, ruleset) for target, _ in targets)
        return Discovery(pairs, (*found.problems, *problems), counted=1)


__all__ = ["SnapshotArchive", "StoreFolder", "digits_ruleset", "store_files"]

RULES = (STORE_UNREACHABLE, STORE_URL_INVALID)
