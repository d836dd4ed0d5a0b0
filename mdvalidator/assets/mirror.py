"""``--mirror PREFIX=TARGET``: fetch links from an internal mirror URL or a local folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mdvalidator.assets.fetch import FetchError
from mdvalidator.assets.hashing import HEAD_SIZE, sha256_local
from mdvalidator.problem import AssetStatus
from mdvalidator.sanitize import clean, redact_url


def is_url(target: str) -> bool:
    return urlsplit(target).scheme.lower() in ("http", "https")


def local_folder(target: str) -> Path:
    """A folder target, also given as ``file:///srv/mirror``."""
    if target.lower().startswith("file://"):
        return Path(unquote(urlsplit(target).path))
    return Path(target).expanduser()


def map_url(url: str, mirrors: Sequence[tuple[str, str]]) -> tuple[str, Path | None]:
    """(url to fetch, local folder) for ``url``: the longest matching prefix wins.

    For a folder mirror the second item is the folder and the first the path inside it.
    """
    best = max((m for m in mirrors if url.startswith(m[0])), key=lambda m: len(m[0]), default=None)
    if best is None:
        return url, None
    prefix, target = best
    rest = url[len(prefix) :]
    if is_url(target):
        return target + rest, None
    return unquote(rest.split("?", 1)[0].split("#", 1)[0]), local_folder(target)


def hash_local(url: str, folder: Path, relative: str, max_size: int) -> tuple[str, int, bytes]:
    """(digest, size, first bytes) of ``folder/relative``, refusing anything outside ``folder``.

    Symbolic links are resolved and the result must still lie inside the folder, so a link
    cannot point a mirror at ``/etc/passwd`` or at another tree.
    """
    shown = redact_url(url)
    try:
        root = folder.resolve(strict=True)
        path = (root / relative.lstrip("/")).resolve(strict=True)
    except (OSError, RuntimeError):
        message = f"{shown}: not in the mirror folder ({clean(str(folder), 120)})"
        raise FetchError(AssetStatus.UNREACHABLE, message, "mirror") from None
    if not path.is_relative_to(root) or not path.is_file():
        message = f"{shown}: mirror path leaves the mirror folder or is not a file"
        raise FetchError(AssetStatus.BLOCKED, message, "mirror")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb", buffering=0) as stream:
            digest, size, head = sha256_local(stream, limit=max_size)
    except OSError as exc:
        message = f"{shown}: cannot read mirror file: {clean(exc.strerror or '', 80)}"
        raise FetchError(AssetStatus.UNREACHABLE, message, "mirror") from None
    if size > max_size:
        message = f"{shown}: larger than the limit ({max_size} bytes; see --max-asset-size)"
        raise FetchError(AssetStatus.TOO_LARGE, message, "size")
    return digest, size, head[:HEAD_SIZE]
