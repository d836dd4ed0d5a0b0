"""A ``tarfile.TarInfo`` that refuses the headers which make ``tarfile`` allocate without bound.

``tarfile`` reads a whole extended header (pax, GNU long name) into memory before the caller
sees the member, and expands sparse maps as it goes: a 375-byte ``.tar.bz2`` whose long-name
header declares 300 MB took 615 MB of memory to list. Sparse members also declare a size that
their stored bytes do not have (a 659-byte archive "holds" 15 GiB of holes that extraction
writes out). This class, passed as ``tarfile.open(..., tarinfo=GuardedTarInfo)`` (a documented
parameter), raises :class:`HeaderRefused` before any of that is read.

It overrides ``tarfile``'s per-header dispatch methods, which are private but unchanged since
Python 3.2; the test suite builds each kind of header with the running Python's own ``tarfile``.
"""

from __future__ import annotations

import tarfile
from typing import Any

# A pax record or GNU long name is a few hundred bytes; PATH_MAX is 4096.
MAX_HEADER_BYTES = 64 * 1024
# pax + global pax + long name + long link is four; more is not an archive anyone wrote.
MAX_HEADER_CHAIN = 8
_EXTENDED = frozenset(
    {
        tarfile.XHDTYPE,
        tarfile.XGLTYPE,
        tarfile.SOLARIS_XHDTYPE,
        tarfile.GNUTYPE_LONGNAME,
        tarfile.GNUTYPE_LONGLINK,
    }
)
_DEPTH = "_mdvalidator_header_depth"
_GNU_SPARSE = tarfile.GNUTYPE_SPARSE


class HeaderRefused(Exception):
    """A member header that is not read: ``kind`` is ``sparse`` or ``header``."""

    def __init__(self, kind: str, name: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.name = name
        self.detail = detail


class GuardedTarInfo(tarfile.TarInfo):
    """Refuses sparse members and extended headers over :data:`MAX_HEADER_BYTES`."""

    def _proc_member(self, tarfile: tarfile.TarFile) -> Any:
        if self.type == _GNU_SPARSE:
            raise HeaderRefused("sparse", self.name, "a sparse file")
        if self.type not in _EXTENDED:
            return super()._proc_member(tarfile)  # type: ignore[misc]
        if self.size > MAX_HEADER_BYTES:
            raise HeaderRefused(
                "header",
                self.name,
                f"an extended header of {self.size} bytes (over {MAX_HEADER_BYTES})",
            )
        depth = getattr(tarfile, _DEPTH, 0)
        if depth >= MAX_HEADER_CHAIN:
            raise HeaderRefused("header", self.name, f"over {MAX_HEADER_CHAIN} chained headers")
        setattr(tarfile, _DEPTH, depth + 1)
        try:
            return super()._proc_member(tarfile)  # type: ignore[misc]
        finally:
            setattr(tarfile, _DEPTH, depth)

    # pax sparse formats 0.0, 0.1 and 1.0: refused before their maps are read.
    def _proc_gnusparse_00(self, next: tarfile.TarInfo, pax: dict[str, str], *_: object) -> None:
        raise HeaderRefused("sparse", _sparse_name(next, pax), "a sparse file (pax format 0.0)")

    def _proc_gnusparse_01(self, next: tarfile.TarInfo, pax: dict[str, str], *_: object) -> None:
        raise HeaderRefused("sparse", _sparse_name(next, pax), "a sparse file (pax format 0.1)")

    def _proc_gnusparse_10(self, next: tarfile.TarInfo, pax: dict[str, str], *_: object) -> None:
        raise HeaderRefused("sparse", _sparse_name(next, pax), "a sparse file (pax format 1.0)")


def _sparse_name(member: tarfile.TarInfo, pax: dict[str, str]) -> str:
    """The file's own name (GNU tar stores ``./GNUSparseFile.<pid>/<name>`` in the header)."""
    name = pax.get("GNU.sparse.name") or pax.get("path") or member.name
    return name if isinstance(name, str) else member.name
