"""The DIGITS family's tables of a rule set, as frozen options.

``rules/digits-model-store.toml`` holds the data: each file's keys as field tables (the one
field vocabulary of :mod:`mdvalidator.fields`), the frameworks, the checksum file, the archive
caps. A hub overrides any of it with its own TOML that ``extends`` the built-in set.

:func:`build_options` builds the options from tables already known to be valid (the built-in
set, or one :mod:`.schema` validated), without a schema library: it runs on every start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mdvalidator.fields import FieldSpec, build_fields


@dataclass(frozen=True)
class SectionOptions:
    """What one JSON file must hold (master.json, info.json or aux.json): its fields."""

    fields: Mapping[str, FieldSpec] = field(default_factory=dict)
    # glob patterns of keys whose values name files next to the JSON file ("* file", "logo")
    file_keys: tuple[str, ...] = ()
    # file keys that may be "" (generic datasets have no mean file)
    may_be_empty: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self.fields.items() if spec.required)

    @property
    def allowed(self) -> Mapping[str, tuple[str, ...]]:
        return {name: spec.allowed for name, spec in self.fields.items() if spec.allowed}


@dataclass(frozen=True)
class FrameworkOptions:
    required: tuple[str, ...] = ()
    weights: tuple[str, ...] = ()
    # for a snapshot prefix ending in one of ``weights``: the suffixes of its real files
    checkpoint_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class InfoOptions:
    section: SectionOptions
    model_keys: tuple[str, ...] = ()
    no_snapshot: tuple[str, ...] = ()
    done_status: str = "Done"
    frameworks: Mapping[str, FrameworkOptions] = field(default_factory=dict)


@dataclass(frozen=True)
class ChecksumOptions:
    file: str = "SHA256SUMS"
    required: bool = False


@dataclass(frozen=True)
class ArchiveOptions:
    max_members: int = 1000
    max_bytes: int = 16 * 1024**3
    info_name: str = "info.json"
    # members may declare at most ``max_ratio`` bytes per byte of archive, once they declare
    # more than ``ratio_from_bytes`` (small archives of text compress well and harm nobody)
    max_ratio: int = 100
    ratio_from_bytes: int = 64 * 1024**2

    def expansion_cap(self, archive_bytes: int) -> int:
        """The most bytes the members of an archive of ``archive_bytes`` may declare."""
        return min(self.max_bytes, max(archive_bytes * self.max_ratio, self.ratio_from_bytes))


@dataclass(frozen=True)
class DigitsOptions:
    master: SectionOptions
    info: InfoOptions
    aux: SectionOptions
    checksums: ChecksumOptions = ChecksumOptions()
    archive: ArchiveOptions = ArchiveOptions()
    max_depth: int = 64


def _table(data: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _strings(table: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = table.get(key)
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _section(table: Mapping[str, object]) -> SectionOptions:
    return SectionOptions(
        fields=build_fields(table.get("fields")),
        file_keys=_strings(table, "file-keys"),
        may_be_empty=_strings(table, "may-be-empty"),
    )


def _framework(table: Mapping[str, object]) -> FrameworkOptions:
    return FrameworkOptions(
        _strings(table, "required"), _strings(table, "weights"), _strings(table, "checkpoint-files")
    )


def _int(table: Mapping[str, object], key: str, default: int) -> int:
    value = table.get(key, default)
    return value if isinstance(value, int) else default


def build_options(data: Mapping[str, object]) -> DigitsOptions:
    """The family's options from valid tables (defaults for what they leave out)."""
    info, sums, archive = _table(data, "info"), _table(data, "checksums"), _table(data, "archive")
    defaults = ArchiveOptions()
    return DigitsOptions(
        master=_section(_table(data, "master")),
        info=InfoOptions(
            section=_section(info),
            model_keys=_strings(info, "model-keys"),
            no_snapshot=_strings(info, "no-snapshot"),
            done_status=str(info.get("done-status", "Done")),
            frameworks={
                str(name): _framework(table)
                for name, table in _table(info, "frameworks").items()
                if isinstance(table, Mapping)
            },
        ),
        aux=_section(_table(data, "aux")),
        checksums=ChecksumOptions(
            file=str(sums.get("file", "SHA256SUMS")), required=bool(sums.get("required", False))
        ),
        archive=ArchiveOptions(
            max_members=_int(archive, "max-members", defaults.max_members),
            max_bytes=_int(archive, "max-bytes", defaults.max_bytes),
            info_name=str(archive.get("info-name", defaults.info_name)),
            max_ratio=_int(archive, "max-ratio", defaults.max_ratio),
            ratio_from_bytes=_int(archive, "ratio-from-bytes", defaults.ratio_from_bytes),
        ),
        max_depth=_int(_table(data, "json"), "max-depth", 64),
    )
