"""What a job needs from a forge, whichever it is: one small client class per forge.

The job (:mod:`mdvalidator.serve.job`) is written against :class:`Forge` only, so it is tested
with a client talking to a stand-in server, and the forge-specific parts (URLs, pagination,
authentication, the shape of answers) stay in ``gitee.py`` and ``github.py``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mdvalidator.problem import Report
from mdvalidator.serve.events import PullRequestRef
from mdvalidator.serve.forge_http import ForgeError

OPEN = "open"
ADDED = "added"
REMOVED = "removed"
LABEL_COLOR = {"pass": "2cbe4e", "fail": "d73a4a"}


@dataclass(frozen=True)
class PullRequest:
    number: int
    state: str  # "open", "closed" or "merged"
    head_sha: str
    base_sha: str
    web_url: str  # where blob links point: https://host/OWNER/NAME (the head repository)
    labels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str  # "added", "modified", "renamed", "removed" (forge words mapped to these)


@dataclass(frozen=True)
class OpenPull:
    ref: PullRequestRef
    head_sha: str


class Forge(Protocol):
    name: str

    def pull_request(self, ref: PullRequestRef) -> PullRequest: ...

    def changed_files(self, ref: PullRequestRef) -> list[ChangedFile]: ...

    def file_at(self, ref: PullRequestRef, path: str, sha: str) -> bytes | None:
        """A file's bytes at ``sha``; None when absent (404, or an empty answer)."""

    def tree_paths(self, ref: PullRequestRef, sha: str) -> list[str]: ...

    def publish(self, ref: PullRequestRef, pull: PullRequest, report: Report) -> str:
        """Create or update the summary (comment, check run); says what was done."""

    def set_labels(
        self, ref: PullRequestRef, pull: PullRequest, add: str, remove: str, color: str
    ) -> None:
        """Make ``add`` present (created with ``color`` if the repository lacks it) and
        ``remove`` absent on the pull request."""

    def open_pulls(self) -> list[OpenPull]:
        """Every open pull request of the repositories served (for the reconciler)."""

    def drain_counts(self) -> dict[str, float]: ...

    def close(self) -> None: ...


class ContentCache:
    """Files read at a commit, by (repository, path, commit): a commit's content never changes,
    and most pull requests of a hub share the base commit whose settings every job reads."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: dict[tuple[str, str, str], bytes | None] = {}

    @staticmethod
    def cacheable(sha: str) -> bool:
        return len(sha) in (40, 64) and all(c in "0123456789abcdef" for c in sha)

    def get(self, key: tuple[str, str, str]) -> tuple[bool, bytes | None]:
        if key in self._items:
            return True, self._items[key]
        return False, None

    def put(self, key: tuple[str, str, str], data: bytes | None) -> None:
        if len(self._items) >= self.size:
            del self._items[next(iter(self._items))]
        self._items[key] = data


def decode_content(data: Any, path: str, platform: str) -> bytes | None:
    """The bytes of a contents-API answer (a file object with base64 ``content``); None for
    an answer that says absent (empty body, empty list, a folder's listing)."""
    if data is None or data == {} or isinstance(data, list):
        return None
    if not isinstance(data, dict):
        raise ForgeError(f"{platform} API: the contents of {path} came back malformed")
    if data.get("type") not in (None, "file"):
        return None  # a symbolic link or a submodule: not a descriptor we can read
    content = data.get("content")
    if data.get("encoding") == "none":
        return None  # GitHub: a file over 1 MB comes without its content (reported as unread)
    if not isinstance(content, str) or data.get("encoding", "base64") != "base64":
        raise ForgeError(f"{platform} API: the contents of {path} came back without base64 data")
    try:
        return base64.b64decode(content.replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise ForgeError(f"{platform} API: the contents of {path} are not valid base64") from None


def blob_paths(entries: Sequence[Any]) -> list[str]:
    """The file names of a git-trees answer (regular files and links, no folders)."""
    paths = []
    for entry in entries:
        if isinstance(entry, dict) and entry.get("type") == "blob":
            path = entry.get("path")
            if isinstance(path, str):
                paths.append(path)
    return paths


def labels_of(pull: dict[str, Any]) -> frozenset[str]:
    labels = pull.get("labels")
    if not isinstance(labels, list):
        return frozenset()
    return frozenset(
        str(item["name"]) for item in labels if isinstance(item, dict) and "name" in item
    )


def text(data: Any, *keys: str) -> str:
    """``data[k1][k2]...`` when it is a string, else ""."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, str) else ""
