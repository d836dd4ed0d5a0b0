"""On-disk cache of validated rule-set options, so a one-card run skips schema validation.

Validating a rule set takes marshmallow, whose import alone costs about 0.1 s: more than the
rest of a one-card run. The validated options are pickled under the user's cache folder,
keyed by the rule set's content and by a stamp of mdvalidator's own code, so an edited rule
set or an upgraded (or edited) mdvalidator never sees a stale entry.

Unpickling runs code, and a cache folder can be planted (a CI cache restored from another job):
only files owned by the current user, in a folder nobody else can write to, are read, and only
once their seal (an HMAC with the user's cache key, :mod:`mdvalidator.usercache`) verifies.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
from functools import cache
from pathlib import Path
from typing import Any

from mdvalidator import __version__
from mdvalidator.atomic import write_atomic
from mdvalidator.usercache import cache_folder as user_cache_folder
from mdvalidator.usercache import cache_key, seal, unsealed

DISABLE_ENV = "MDVALIDATOR_NO_OPTIONS_CACHE"
_PURPOSE = "mdvalidator rule-set options 1"
_SEAL_SIZE = 64  # hex HMAC-SHA256, before the pickle


def cache_folder() -> Path:
    return user_cache_folder("rulesets")


@cache
def _code_stamp() -> str:
    """Size and modification time of every module of the package."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for folder, subfolders, files in os.walk(package):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()


def _entry(fingerprint: str) -> Path | None:
    if not fingerprint or os.environ.get(DISABLE_ENV):
        return None
    key = hashlib.sha256(f"{fingerprint}:{_code_stamp()}".encode()).hexdigest()
    return cache_folder() / f"{key}.pickle"


def _trusted(path: Path) -> bool:
    try:
        folder, entry = os.stat(path.parent), os.lstat(path)
    except OSError:
        return False
    uid = os.getuid() if hasattr(os, "getuid") else entry.st_uid
    return (
        stat.S_ISREG(entry.st_mode)
        and entry.st_uid == uid
        and folder.st_uid == uid
        and not folder.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def load(fingerprint: str) -> Any | None:
    """The cached options for this fingerprint, or None (missing, foreign or unreadable)."""
    path = _entry(fingerprint)
    if path is None or not _trusted(path):
        return None
    key = cache_key()
    if key is None:
        return None
    try:
        with open(path, "rb") as stream:
            data = stream.read()
        mark, body = data[:_SEAL_SIZE].decode("ascii"), data[_SEAL_SIZE:]
        if not unsealed(key, _PURPOSE, path.name.encode() + b"\0" + body, mark):
            return None  # not written by this user's mdvalidator: never unpickled
        return pickle.loads(body)
    except Exception:  # a corrupt or outdated entry is just a miss
        return None


def store(fingerprint: str, options: Any) -> None:
    """Save options for later runs; any failure (read-only home, ...) is ignored."""
    path = _entry(fingerprint)
    key = cache_key() if path is not None else None
    if path is None or key is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = pickle.dumps(options, protocol=pickle.HIGHEST_PROTOCOL)
        mark = seal(key, _PURPOSE, path.name.encode() + b"\0" + body).encode("ascii")
        write_atomic(path, mark + body, mode=0o600)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return
