"""A card's ``repo-link`` read the way ``mindspore_hub.load`` reads it.

The loader (see :mod:`mdvalidator.loadability.loader_facts`) strips ``<``/``>`` and trailing
``/`` from the link, requires ``http[s]://`` followed somewhere by ``com`` (its test for a
``.com`` host), takes the one ``http[s]://host`` prefix, and splits the rest on ``/`` into at
most five parts:

- ``owner/repo``: clones the ``master`` branch of the whole repository;
- ``owner/repo/tree|blob/branch``: clones that branch of the whole repository;
- ``owner/repo/tree|blob/branch/sub/path``: fetches only ``sub/path`` of that branch.

Any other count, or a third part other than ``tree``/``blob``, is "invalid repo link". Since the
branch is one part, a branch whose name holds ``/`` cannot be named. The clone lands in a folder
named after the repository (whole clones) or after the last part of ``sub/path``; the loader
then looks for its conf file in the folder named by the last ``/`` part of the link as written
(before stripping). Where those two names differ, loading fails although the link was accepted:
every 4-part link whose branch is not named like the repository, and every link ending in ``/``.

Pure functions, standard library only (imported on the offline lint path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from mdvalidator.loadability.loader_facts import (
    BRANCH_MARKERS,
    CONF_FILE,
    DEFAULT_BRANCH,
    MAX_LINK_PARTS,
)

__all__ = ["LinkDefect", "LinkRefusal", "LoaderLink", "describe", "read_repo_link"]

# The loader's ".com host" test: http(s)://, at least one character, then "com", on one line;
# exactly one line of the link may pass it.
_COM_HOST = re.compile(r"https?://.+com")
# The loader's prefix: scheme and host made of word characters, '-', '.', or %XX escapes. It must
# occur exactly once in the whole link; the path is what follows its LENGTH from the start.
_PREFIX = re.compile(r"https?://(?:[-\w.]|%[0-9A-Fa-f]{2})+")
_ENCODED_SLASH = re.compile(r"%2f", re.IGNORECASE)
_DOT_PARTS = frozenset({".", ".."})

RefusalKind = Literal["empty", "no-com-host", "com-host-twice", "prefix-count", "parts", "marker"]
DefectKind = Literal[
    "folder-mismatch", "query", "encoded-slash", "empty-part", "dot-segment", "white-space"
]


@dataclass(frozen=True)
class LinkRefusal:
    """A link the loader rejects with "invalid repo link" (``message`` says why)."""

    text: str  # the link after the loader's stripping
    kind: RefusalKind
    message: str
    parts: tuple[str, ...] = ()  # the path parts, when it got that far


@dataclass(frozen=True)
class LinkDefect:
    """Something in an accepted link that makes the load fail later."""

    kind: DefectKind
    message: str


@dataclass(frozen=True)
class LoaderLink:
    """An accepted link, as the loader reads it."""

    text: str  # the link after the loader's stripping
    host: str  # the loader's prefix, e.g. "https://gitee.com": what it clones from
    owner: str
    repo: str
    branch: str
    folder: str  # the path inside the repository; "" for a whole-repository link
    shape: int  # 2, 4 or 5 parts
    cloned_as: str  # the folder the clone (or the copied sub-path) gets
    looked_in: str  # the folder the loader then imports the conf file from
    defects: tuple[LinkDefect, ...] = ()

    @property
    def host_name(self) -> str:
        return self.host.split("://", 1)[1]

    @property
    def clone_url(self) -> str:
        return f"{self.host}/{self.owner}/{self.repo}.git"

    @property
    def conf_path(self) -> str:
        """Where the conf file must be, relative to the repository root."""
        return f"{self.folder}/{CONF_FILE}" if self.folder else CONF_FILE

    @property
    def message(self) -> str:
        return describe(self)


def describe(link: LoaderLink) -> str:
    """How the loader reads ``link``, for messages."""
    where = f"folder {link.folder}" if link.folder else "the repository root"
    return (
        f"the loader reads host {link.host_name}, repository {link.owner}/{link.repo}, "
        f"branch {link.branch}, {where}"
    )


def _refuse(text: str, kind: RefusalKind, why: str, parts: tuple[str, ...] = ()) -> LinkRefusal:
    return LinkRefusal(text, kind, f"the loader rejects it as an invalid repo link: {why}", parts)


def read_repo_link(raw: str) -> LoaderLink | LinkRefusal:
    """Read ``raw`` (the header value as YAML gives it) exactly as the loader does."""
    text = raw.strip("<>").rstrip("/")
    if not text.strip():
        return _refuse(text, "empty", "it is empty")
    com_lines = sum(1 for line in text.split("\n") if _COM_HOST.search(line))
    if com_lines == 0:
        why = "it wants http:// or https:// followed by a .com host (it looks for 'com')"
        return _refuse(text, "no-com-host", why)
    if com_lines > 1:
        return _refuse(text, "com-host-twice", "it spans lines that each name an http(s) link")
    prefixes = _PREFIX.findall(text)
    if len(prefixes) != 1:
        why = f"it names {len(prefixes)} http(s):// hosts; the loader wants exactly one"
        return _refuse(text, "prefix-count", why)
    host = prefixes[0]
    parts = tuple(text[len(host) :].lstrip("/").split("/", MAX_LINK_PARTS - 1))
    if len(parts) not in (2, MAX_LINK_PARTS - 1, MAX_LINK_PARTS):
        why = (
            f"its path has {_count(parts)}; the loader reads owner/repo, "
            "owner/repo/tree/branch or owner/repo/tree/branch/folder"
        )
        return _refuse(text, "parts", why, parts)
    if len(parts) > 2 and parts[2] not in BRANCH_MARKERS:
        why = f"the part after owner/repo is {parts[2]!r}, not 'tree' or 'blob'"
        return _refuse(text, "marker", why, parts)
    owner, repo = parts[0], parts[1]
    branch = parts[3] if len(parts) > 2 else DEFAULT_BRANCH
    folder = parts[4] if len(parts) == MAX_LINK_PARTS else ""
    cloned_as = folder.rsplit("/", 1)[-1] if folder else repo
    looked_in = raw.rsplit("/", 1)[-1].strip("<>")
    link = LoaderLink(text, host, owner, repo, branch, folder, len(parts), cloned_as, looked_in)
    defects = tuple(_defects(link, raw))
    return replace(link, defects=defects) if defects else link


def _count(parts: tuple[str, ...]) -> str:
    return "1 part" if len(parts) == 1 else f"{len(parts)} parts"


def _defects(link: LoaderLink, raw: str) -> list[LinkDefect]:
    found: list[LinkDefect] = []
    named = {"owner": link.owner, "repository": link.repo, "branch": link.branch}
    if link.folder:
        named["folder"] = link.folder
    for what, value in named.items():
        if "?" in value or "#" in value:
            mark = "?" if "?" in value else "#"
            tail = value[value.index(mark) :]
            message = (
                f"the loader keeps {tail!r} as part of the {what} name ({what} {value!r}) "
                "and asks git for it as written"
            )
            found.append(LinkDefect("query", message))
        if any(c.isspace() for c in value):
            message = (
                f"the {what} {value!r} holds white space, which the loader's git commands split"
            )
            found.append(LinkDefect("white-space", message))
    empty = [what for what, value in named.items() if what != "folder" and not value]
    if empty or (link.folder and "" in link.folder.split("/")):
        where = ", ".join(empty) if empty else "folder"
        found.append(LinkDefect("empty-part", f"the link has an empty {where} part ('//')"))
    if link.folder and _DOT_PARTS & set(link.folder.split("/")):
        message = f"the folder {link.folder!r} goes through '.' or '..', which git does not resolve"
        found.append(LinkDefect("dot-segment", message))
    if _ENCODED_SLASH.search(link.branch):
        message = (
            f"the branch {link.branch!r} is an escaped '/': the loader passes it to git "
            "unescaped, and a branch whose name holds '/' cannot be named in a repo-link"
        )
        found.append(LinkDefect("encoded-slash", message))
    if link.cloned_as != link.looked_in:
        found.append(LinkDefect("folder-mismatch", _mismatch(link, raw)))
    return found


def _mismatch(link: LoaderLink, raw: str) -> str:
    if raw.rstrip("<>").endswith("/"):
        return (
            f"the link ends in '/': the loader strips it to fetch the code into folder "
            f"{link.cloned_as!r}, but not when it looks for {CONF_FILE}, so it looks in the "
            "card's own cache folder and fails"
        )
    if link.shape == MAX_LINK_PARTS - 1:
        return (
            f"a 4-part link clones the whole repository into folder {link.cloned_as!r}, but the "
            f"loader looks for {CONF_FILE} in folder {link.looked_in!r} (the branch) and fails; "
            f"name the folder (.../tree/{link.branch}/<path>) or link the repository alone"
        )
    return (
        f"the loader fetches the code into folder {link.cloned_as!r} but looks for {CONF_FILE} "
        f"in folder {link.looked_in!r}"
    )
