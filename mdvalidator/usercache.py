"""The user's cache folders (XDG, through platformdirs) and the key that seals their entries.

A cache folder is a trust surface: CI restores it from an archive that another job, one that
ran a pull request's code, may have written; on a shared machine someone may plant files in it.
So what is read back from a cache is sealed with an HMAC key kept OUTSIDE every cache folder
(the user's state folder, ``$XDG_STATE_HOME/mdvalidator/cache-key``, or the file that
``MDVALIDATOR_CACHE_KEY_FILE`` names), created with mode 0600 on first use. An entry whose seal
does not verify was not written by this user's mdvalidator with this key, and is ignored.

A key that anyone else could read or replace (not a regular file owned by the current user, or
readable by group or others, where POSIX permissions exist) is refused: then nothing is cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import stat
import tempfile
from functools import cache
from pathlib import Path

APP = "mdvalidator"
KEY_FILE_ENV = "MDVALIDATOR_CACHE_KEY_FILE"
KEY_NAME = "cache-key"
_KEY_BYTES = 32
_FALLBACKS = {"cache": (".cache",), "state": (".local", "state")}


def _user_folder(kind: str) -> Path:
    """platformdirs' folder of ``kind``; a relative XDG variable (which would resolve inside
    whatever folder mdvalidator runs in, such as a checked-out pull request) is ignored."""
    import platformdirs

    if kind == "cache":
        text = platformdirs.user_cache_dir(APP, appauthor=False)
    else:
        text = platformdirs.user_state_dir(APP, appauthor=False)
    path = Path(text)
    if not path.is_absolute():
        path = Path.home().joinpath(*_FALLBACKS[kind], APP)
    return path


def cache_folder(name: str) -> Path:
    """``$XDG_CACHE_HOME/mdvalidator/<name>`` (``~/.cache`` when unset) or the platform's."""
    return _user_folder("cache") / name


def key_file() -> Path:
    configured = os.environ.get(KEY_FILE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().absolute()
    return _user_folder("state") / KEY_NAME


def cache_key() -> bytes | None:
    """The sealing key (created on first use), or None when no trustworthy key can be had."""
    return _load_key(str(key_file()))


def seal(key: bytes, purpose: str, data: bytes) -> str:
    """The hex HMAC-SHA256 of ``data`` for ``purpose`` (one purpose per kind of entry, so an
    entry of one cache cannot pass for an entry of another)."""
    message = purpose.encode("utf-8") + b"\0" + data
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def unsealed(key: bytes, purpose: str, data: bytes, mark: str) -> bool:
    """Does ``mark`` seal ``data`` for ``purpose`` with ``key``? (Constant-time comparison.)"""
    return hmac.compare_digest(seal(key, purpose, data), mark)


@cache
def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` lies in ``folder`` (True when that cannot be told: the safe answer
    for a key that must stay outside a cache folder)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return True


def entry_text(value: object) -> str:
    """A text field of a cache entry (``TypeError`` otherwise: the entry is ignored)."""
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def entry_optional_text(value: object) -> str | None:
    return None if value is None else entry_text(value)


def _load_key(path: str) -> bytes | None:
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    with contextlib.suppress(FileExistsError, OSError):
        _create_key(Path(path))
    try:
        return _read_key(path)
    except OSError:
        return None


def _read_key(path: str) -> bytes | None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        if os.name == "posix" and (
            info.st_uid != os.geteuid() or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
        ):
            return None  # someone else could know or choose this key
        text = stream.read(4 * _KEY_BYTES).decode("ascii", "replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        return None
    return key if len(key) == _KEY_BYTES else None


def _create_key(path: Path) -> None:
    """Write a new random key, 0600, appearing whole or not at all (a concurrent first run
    reads the one that won)."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = secrets.token_hex(_KEY_BYTES).encode("ascii") + b"\n"
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as stream:  # mkstemp makes it 0600
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)  # fails if another run made the key first
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create instead
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(path, flags, 0o600), "wb") as stream:
                stream.write(text)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
