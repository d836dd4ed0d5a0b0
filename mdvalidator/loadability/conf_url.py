"""The raw-file URL of the conf file a repo-link names, on the forges that serve one.

Gitee serves ``https://gitee.com/{owner}/{repo}/raw/{branch}/{path}``, GitHub
``https://raw.githubusercontent.com/{owner}/{repo}/{branch}/{path}``. Other hosts (the loader
clones from any ``.com`` host) have no known raw-file form: no URL, so no conf check.

The parts come from a pull request: a part that is empty, ``.`` or ``..`` (plain or escaped),
or that holds ``?``, ``#``, ``\\`` or white space gets no URL, so a URL built here can only
ever name a file inside the repository and branch the link names.
"""

from __future__ import annotations

import re

from mdvalidator.loadability.repo_link import LoaderLink

__all__ = ["RAW_FORMS", "conf_url"]

RAW_FORMS = {
    "gitee.com": "https://gitee.com/{owner}/{repo}/raw/{branch}/{path}",
    "github.com": "https://raw.githubusercontent.com/{owner}/{repo}/{branch}/{path}",
}
_DOT_PART = re.compile(r"^(?:\.|%2e){1,2}$", re.IGNORECASE)
_UNSAFE = re.compile(r"[?#\\\s]|%2f|%5c", re.IGNORECASE)


def _safe(part: str) -> bool:
    return bool(part) and not _DOT_PART.match(part) and not _UNSAFE.search(part)


def conf_url(link: LoaderLink) -> str | None:
    """The raw URL of ``<folder>/mindspore_hub_conf.py`` for ``link``, or None."""
    form = RAW_FORMS.get(link.host_name.lower())
    if form is None:
        return None
    folder = link.folder.split("/") if link.folder else []
    if not all(_safe(part) for part in (link.owner, link.repo, link.branch, *folder)):
        return None
    return form.format(owner=link.owner, repo=link.repo, branch=link.branch, path=link.conf_path)
