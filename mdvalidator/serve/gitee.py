"""The Gitee client of the service: API v5 (gitee.com/api/v5/swagger), one session.

Reads: ``GET /repos/{o}/{r}/pulls/{n}`` (head, base, state, labels), ``.../pulls/{n}/files``,
``GET /repos/{o}/{r}/contents/{path}?ref=SHA`` (base64; ``[]`` or 404 when absent),
``GET /repos/{o}/{r}/git/trees/{sha}?recursive=1``, ``GET /repos/{o}/{r}/pulls?state=open``.
Writes: the summary comment (``GET /user`` once, to know our own comments; ``GET``/``POST``
``.../pulls/{n}/comments``, ``PATCH /repos/{o}/{r}/pulls/comments/{id}``), found again by the
publisher's marker (:data:`mdvalidator.publish.summary.MARKER`); the labels
(``POST .../pulls/{n}/labels`` with a JSON array of names, ``DELETE .../pulls/{n}/labels/{name}``
with the name percent-encoded, a 404 there meaning already absent; ``GET``/``POST
/repos/{o}/{r}/labels`` to create a label the repository lacks). The token travels as
``access_token``: in the query of reads, in the JSON body of writes that take an object.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from mdvalidator.problem import Report
from mdvalidator.publish import summary
from mdvalidator.serve.events import GITEE, PullRequestRef
from mdvalidator.serve.forge import (
    REMOVED,
    ChangedFile,
    ContentCache,
    OpenPull,
    PullRequest,
    blob_paths,
    decode_content,
    labels_of,
    text,
)
from mdvalidator.serve.forge_http import CallStats, ForgeError, ForgeSession, ForgeText, Pace
from mdvalidator.serve.settings import GiteeSettings

PER_PAGE = 100
MAX_PAGES = 50
_TEXT = ForgeText(
    platform="Gitee",
    credentials="check GITEE_TOKEN: a valid personal access token of the bot account",
    permission="the bot account's token needs the pull_requests and user_info scopes, and "
    "the account must be allowed to comment on and label this repository",
    who="the bot account",
)


def repo_path(repo: str) -> str:
    owner, name = repo.split("/", 1)
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


class GiteeClient:
    """One Gitee token's view of the served repositories."""

    name = GITEE

    def __init__(self, settings: GiteeSettings, pace: Pace, **session: Any) -> None:
        self.settings = settings
        self._token = settings.token.reveal()
        self.bucket = "gitee:" + hashlib.sha256(self._token.encode()).hexdigest()[:16]
        self.stats = CallStats()
        self.http = ForgeSession(
            GITEE, settings.api_url, _TEXT, pace=pace, secrets=lambda: [self._token],
            stats=self.stats, **session,
        )  # fmt: skip
        self._login: str | None = None
        self._labels: dict[str, set[str]] = {}
        self.contents = ContentCache()

    def close(self) -> None:
        self.http.close()

    def drain_counts(self) -> dict[str, float]:
        return self.stats.drain()

    def _get(self, path: str, doing: str, allow: tuple[int, ...] = (), **params: Any) -> Any:
        query = {**params, "access_token": self._token}
        return self.http.request("GET", path, doing, bucket=self.bucket, params=query, allow=allow)

    def _write(self, method: str, path: str, doing: str, body: dict[str, Any]) -> Any:
        payload = {"access_token": self._token, **body}
        return self.http.request(method, path, doing, bucket=self.bucket, json=payload).data

    def pull_request(self, ref: PullRequestRef) -> PullRequest:
        data = self._get(
            f"{repo_path(ref.repo)}/pulls/{ref.number}", f"reading pull request !{ref.number}"
        ).data
        head, base = text(data, "head", "sha"), text(data, "base", "sha")
        if not head or not base:
            raise ForgeError(f"Gitee API: pull request !{ref.number} came back without commits")
        web = text(data, "head", "repo", "html_url")
        if not web.startswith(("https://", "http://")):
            web = f"{_site(self.settings.api_url)}/{ref.repo}"
        state = text(data, "state") or "open"
        return PullRequest(ref.number, state, head, base, web, labels_of(data))

    def changed_files(self, ref: PullRequestRef) -> list[ChangedFile]:
        # Gitee lists at most 300 files of a pull request, in one answer.
        data = self._get(
            f"{repo_path(ref.repo)}/pulls/{ref.number}/files",
            f"listing the files of pull request !{ref.number}",
        ).data
        files = []
        for item in data if isinstance(data, list) else []:
            path = text(item, "filename")
            status = text(item, "status")
            if path:
                files.append(
                    ChangedFile(path, REMOVED if status in ("removed", "deleted") else status)
                )
        return files

    def file_at(self, ref: PullRequestRef, path: str, sha: str) -> bytes | None:
        key = (ref.repo.casefold(), path, sha)
        hit, cached = self.contents.get(key)
        if hit:
            return cached
        data = self._read_file(ref, path, sha)
        if self.contents.cacheable(sha):
            self.contents.put(key, data)
        return data

    def _read_file(self, ref: PullRequestRef, path: str, sha: str) -> bytes | None:
        answer = self._get(
            f"{repo_path(ref.repo)}/contents/{quote(path, safe='/')}",
            f"reading {path} at {sha[:12]}",
            allow=(404,),
            ref=sha,
        )
        if answer.status == 404:
            return None
        return decode_content(answer.data, path, "Gitee")

    def tree_paths(self, ref: PullRequestRef, sha: str) -> list[str]:
        data = self._get(
            f"{repo_path(ref.repo)}/git/trees/{quote(sha, safe='')}",
            f"listing the files at {sha[:12]}",
            recursive=1,
        ).data
        entries = data.get("tree") if isinstance(data, dict) else None
        return blob_paths(entries if isinstance(entries, list) else [])

    def open_pulls(self) -> list[OpenPull]:
        found: list[OpenPull] = []
        for repo in self.settings.repos:
            for page in range(1, MAX_PAGES + 1):
                data = self._get(
                    f"{repo_path(repo)}/pulls",
                    f"listing the open pull requests of {repo}",
                    state="open",
                    page=page,
                    per_page=PER_PAGE,
                ).data
                items = data if isinstance(data, list) else []
                for item in items:
                    number, head = item.get("number"), text(item, "head", "sha")
                    if isinstance(number, int) and head:
                        found.append(OpenPull(PullRequestRef(GITEE, repo, number), head))
                if len(items) < PER_PAGE:
                    break
        return found

    def _own_login(self) -> str:
        if self._login is None:
            me = self._get("/user", "identifying the token's owner").data
            self._login = text(me, "login")
        return self._login

    def _our_comment(self, ref: PullRequestRef) -> tuple[int, str] | None:
        login = self._own_login()
        path = f"{repo_path(ref.repo)}/pulls/{ref.number}/comments"
        for page in range(1, MAX_PAGES + 1):
            data = self._get(
                path, f"reading the comments of pull request !{ref.number}",
                page=page, per_page=PER_PAGE,
            ).data  # fmt: skip
            items = data if isinstance(data, list) else []
            for item in items:
                body, author = text(item, "body"), text(item, "user", "login")
                ident = item.get("id") if isinstance(item, dict) else None
                if body.startswith(summary.MARKER) and author == login and isinstance(ident, int):
                    return ident, body
            if len(items) < PER_PAGE:
                return None
        return None

    def publish(self, ref: PullRequestRef, pull: PullRequest, report: Report) -> str:
        link = summary.blob_link(pull.web_url, pull.head_sha)
        body = summary.render(report, limit=summary.GITEE_LIMIT, link=link, marker=True)
        found = self._our_comment(ref)
        if found is None:
            self._write(
                "POST", f"{repo_path(ref.repo)}/pulls/{ref.number}/comments",
                f"commenting on pull request !{ref.number}", {"body": body},
            )  # fmt: skip
            return "comment created"
        ident, old = found
        if old == body:
            return "comment unchanged"
        self._write(
            "PATCH", f"{repo_path(ref.repo)}/pulls/comments/{ident}",
            f"updating the comment on pull request !{ref.number}", {"body": body},
        )  # fmt: skip
        return "comment updated"

    def _ensure_label(self, repo: str, name: str, color: str) -> None:
        known = self._labels.get(repo)
        if known is None or name not in known:
            data = self._get(f"{repo_path(repo)}/labels", f"listing the labels of {repo}").data
            known = {text(item, "name") for item in data} if isinstance(data, list) else set()
            self._labels[repo] = known
        if name not in known:
            self._write(
                "POST", f"{repo_path(repo)}/labels", f"creating the label {name!r} in {repo}",
                {"name": name, "color": color},
            )  # fmt: skip
            known.add(name)

    def set_labels(
        self, ref: PullRequestRef, pull: PullRequest, add: str, remove: str, color: str
    ) -> None:
        base = f"{repo_path(ref.repo)}/pulls/{ref.number}/labels"
        if add not in pull.labels:
            self._ensure_label(ref.repo, add, color)
            self.http.request(
                "POST", base, f"labelling pull request !{ref.number}", bucket=self.bucket,
                params={"access_token": self._token}, json=[add],
            )  # fmt: skip
        if remove in pull.labels:
            self.http.request(
                "DELETE", f"{base}/{quote(remove, safe='')}",
                f"removing a label from pull request !{ref.number}", bucket=self.bucket,
                params={"access_token": self._token}, allow=(404,),
            )  # fmt: skip


def _site(api_url: str) -> str:
    """``https://gitee.com/api/v5`` -> ``https://gitee.com``."""
    from urllib.parse import urlsplit

    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}"
