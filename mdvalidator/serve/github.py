"""The GitHub App client of the service: installation tokens, reads, labels, the check run.

Authentication is PyGithub's App auth: a JWT signed with ``GITHUB_APP_PRIVATE_KEY`` (RS256,
through PyJWT and cryptography) buys an installation token (``POST
/app/installations/{id}/access_tokens``), kept until five minutes before it expires. The reads
(``GET /repos/{o}/{r}/pulls/{n}``, ``.../pulls/{n}/files``, ``.../contents/{path}?ref=SHA``,
``.../git/trees/{sha}?recursive=1``) and the labels (``POST .../issues/{n}/labels``, ``DELETE
.../issues/{n}/labels/{name}``, ``GET``/``POST /repos/{o}/{r}/labels``) go through this client's
session; the check run with its annotations and the summary comment are the existing publisher
(:func:`mdvalidator.publish.github.publish_github`) given the installation token. The
reconciler lists ``GET /app/installations``, ``GET /installation/repositories`` and
``GET /repos/{o}/{r}/pulls?state=open``.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from mdvalidator.problem import Report
from mdvalidator.serve.events import GITHUB, PullRequestRef
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
from mdvalidator.serve.gitee import repo_path
from mdvalidator.serve.settings import GithubSettings

PER_PAGE = 100
MAX_PAGES = 30  # GitHub lists at most 3,000 files of a pull request
TOKEN_MARGIN = 300.0
_TEXT = ForgeText(
    platform="GitHub",
    credentials="check GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, and that the App is installed",
    permission="the App needs checks: write, pull requests: write, contents: read and "
    "metadata: read, and must be installed on this repository",
    who="the App's installation",
)


class GithubClient:
    """One GitHub App: its installations' tokens and one session for every call of ours."""

    name = GITHUB

    def __init__(
        self, settings: GithubSettings, pace: Pace, write_interval: float = 1.0, **session: Any
    ) -> None:
        self.settings = settings
        self.write_interval = write_interval
        self.stats = CallStats()
        self._tokens: dict[int, tuple[str, float]] = {}
        self._slug: str | None = None
        self._labels: dict[str, set[str]] = {}
        self.contents = ContentCache()
        self.http = ForgeSession(
            GITHUB, settings.api_url, _TEXT, pace=pace, secrets=self._secrets,
            stats=self.stats, **session,
        )  # fmt: skip
        self._integration: Any = None

    def _secrets(self) -> list[str]:
        return [self.settings.private_key.reveal(), *(t for t, _ in self._tokens.values())]

    def close(self) -> None:
        self.http.close()

    def drain_counts(self) -> dict[str, float]:
        return self.stats.drain()

    def _app(self) -> Any:
        if self._integration is None:
            from github import Auth, GithubIntegration

            auth = Auth.AppAuth(int(self.settings.app_id), self.settings.private_key.reveal())
            self._integration = GithubIntegration(
                auth=auth, base_url=self.settings.api_url, timeout=30,
                user_agent="mdvalidator-serve", seconds_between_requests=None,
                seconds_between_writes=None,
            )  # fmt: skip
        return self._integration

    def _app_call(self, doing: str, call: Any) -> Any:
        """A PyGithub call made with the App's JWT, its failure as a :class:`ForgeError`."""
        from github import GithubException

        from mdvalidator.publish.errors import library_logs_held
        from mdvalidator.sanitize import clean, redact

        self.stats.calls[GITHUB] += 1
        try:
            with library_logs_held():
                return call()
        except GithubException as exc:
            self.stats.errors[(GITHUB, exc.status)] += 1
            said = exc.data.get("message") if isinstance(exc.data, dict) else None
            message = f"GitHub API error {exc.status} while {doing}"
            if exc.status == 401:
                message += f": the credentials were rejected ({_TEXT.credentials})"
            if isinstance(said, str):
                message += f' (the server said: "{clean(said, 200)}")'
            raise ForgeError(redact(message, self._secrets()), exc.status) from None
        except OSError as exc:
            self.stats.errors[(GITHUB, 0)] += 1
            reason = type(exc).__name__
            raise ForgeError(f"cannot reach the GitHub API while {doing}: {reason}") from None

    def token(self, installation: int) -> str:
        cached = self._tokens.get(installation)
        if cached is not None and cached[1] - TOKEN_MARGIN > time.time():
            return cached[0]
        if installation <= 0:
            raise ForgeError("GitHub: this repository is not one the App is installed on", 403)
        granted = self._app_call(
            f"getting a token of installation {installation}",
            lambda: self._app().get_access_token(installation),
        )
        expires = granted.expires_at.timestamp() if granted.expires_at else time.time() + 3000
        self._tokens[installation] = (str(granted.token), expires)
        return str(granted.token)

    def _slug_login(self) -> str:
        if self._slug is None:
            app = self._app_call("reading the App", lambda: self._app().get_app())
            self._slug = str(app.slug)
        return f"{self._slug}[bot]"

    def _call(
        self, ref_or_installation: PullRequestRef | int, method: str, path: str, doing: str,
        **options: Any,
    ) -> Any:  # fmt: skip
        installation = (
            ref_or_installation.installation
            if isinstance(ref_or_installation, PullRequestRef)
            else ref_or_installation
        )
        headers = {
            "Authorization": f"token {self.token(installation)}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        return self.http.request(
            method, path, doing, bucket=f"github:{installation}", headers=headers, **options
        )

    def pull_request(self, ref: PullRequestRef) -> PullRequest:
        data = self._call(
            ref, "GET", f"{repo_path(ref.repo)}/pulls/{ref.number}",
            f"reading pull request #{ref.number}",
        ).data  # fmt: skip
        head, base = text(data, "head", "sha"), text(data, "base", "sha")
        if not head or not base:
            raise ForgeError(f"GitHub API: pull request #{ref.number} came back without commits")
        merged = isinstance(data, dict) and data.get("merged") is True
        state = "merged" if merged else text(data, "state") or "open"
        web = text(data, "base", "repo", "html_url") or f"https://github.com/{ref.repo}"
        return PullRequest(ref.number, state, head, base, web, labels_of(data))

    def changed_files(self, ref: PullRequestRef) -> list[ChangedFile]:
        files: list[ChangedFile] = []
        for page in range(1, MAX_PAGES + 1):
            data = self._call(
                ref, "GET", f"{repo_path(ref.repo)}/pulls/{ref.number}/files",
                f"listing the files of pull request #{ref.number}",
                params={"per_page": PER_PAGE, "page": page},
            ).data  # fmt: skip
            items = data if isinstance(data, list) else []
            for item in items:
                path, status = text(item, "filename"), text(item, "status")
                if path:
                    files.append(ChangedFile(path, REMOVED if status == "removed" else status))
            if len(items) < PER_PAGE:
                break
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
        answer = self._call(
            ref, "GET", f"{repo_path(ref.repo)}/contents/{quote(path, safe='/')}",
            f"reading {path} at {sha[:12]}", params={"ref": sha}, allow=(404,),
        )  # fmt: skip
        return None if answer.status == 404 else decode_content(answer.data, path, "GitHub")

    def tree_paths(self, ref: PullRequestRef, sha: str) -> list[str]:
        data = self._call(
            ref, "GET", f"{repo_path(ref.repo)}/git/trees/{quote(sha, safe='')}",
            f"listing the files at {sha[:12]}", params={"recursive": "1"},
        ).data  # fmt: skip
        entries = data.get("tree") if isinstance(data, dict) else None
        return blob_paths(entries if isinstance(entries, list) else [])

    def publish(self, ref: PullRequestRef, pull: PullRequest, report: Report) -> str:
        from mdvalidator.publish.errors import PublishError
        from mdvalidator.publish.github import GithubTarget, Pacing, publish_github

        target = GithubTarget(
            repo=ref.repo, sha=pull.head_sha, pr=ref.number, api_url=self.settings.api_url,
            comment_author=self._slug_login(),
        )  # fmt: skip
        pacing = Pacing(retries=3, request_interval=0.0, write_interval=self.write_interval)
        token = self.token(ref.installation)
        try:
            done = publish_github(report, target, token, pacing)
        except PublishError as exc:
            self.stats.errors[(GITHUB, 0)] += 1
            raise ForgeError(str(exc)) from None
        self.stats.calls[GITHUB] += 4 + done.check_requests
        comment = f"comment {done.comment}" if done.comment else "no comment (the head moved)"
        return f"check run {done.conclusion}, {comment}"

    def _ensure_label(self, ref: PullRequestRef, name: str, color: str) -> None:
        known = self._labels.setdefault(ref.repo, set())
        if name in known:
            return
        found = self._call(
            ref, "GET", f"{repo_path(ref.repo)}/labels/{quote(name, safe='')}",
            f"looking up the label {name!r}", allow=(404,),
        )  # fmt: skip
        if found.status == 404:
            self._call(
                ref, "POST", f"{repo_path(ref.repo)}/labels", f"creating the label {name!r}",
                json={"name": name, "color": color}, allow=(422,),  # 422: made meanwhile
            )  # fmt: skip
        known.add(name)

    def set_labels(
        self, ref: PullRequestRef, pull: PullRequest, add: str, remove: str, color: str
    ) -> None:
        base = f"{repo_path(ref.repo)}/issues/{ref.number}/labels"
        if add not in pull.labels:
            self._ensure_label(ref, add, color)
            self._call(
                ref, "POST", base, f"labelling pull request #{ref.number}",
                json={"labels": [add]},
            )  # fmt: skip
        if remove in pull.labels:
            self._call(
                ref, "DELETE", f"{base}/{quote(remove, safe='')}",
                f"removing a label from pull request #{ref.number}", allow=(404,),
            )  # fmt: skip

    def open_pulls(self) -> list[OpenPull]:
        installations = self._app_call(
            "listing the App's installations",
            lambda: [int(i.id) for i in self._app().get_installations()],
        )
        found: list[OpenPull] = []
        for installation in installations:
            for repo in self._repositories(installation):
                found += self._open_in(installation, repo)
        return found

    def _repositories(self, installation: int) -> list[str]:
        repos: list[str] = []
        for page in range(1, MAX_PAGES + 1):
            data = self._call(
                installation, "GET", "/installation/repositories",
                f"listing the repositories of installation {installation}",
                params={"per_page": PER_PAGE, "page": page},
            ).data  # fmt: skip
            items = data.get("repositories") if isinstance(data, dict) else None
            items = items if isinstance(items, list) else []
            repos += [text(item, "full_name") for item in items if text(item, "full_name")]
            if len(items) < PER_PAGE:
                break
        return repos

    def _open_in(self, installation: int, repo: str) -> list[OpenPull]:
        found: list[OpenPull] = []
        for page in range(1, MAX_PAGES + 1):
            data = self._call(
                installation, "GET", f"{repo_path(repo)}/pulls",
                f"listing the open pull requests of {repo}",
                params={"state": "open", "per_page": PER_PAGE, "page": page},
            ).data  # fmt: skip
            items = data if isinstance(data, list) else []
            for item in items:
                number, head = item.get("number"), text(item, "head", "sha")
                if isinstance(number, int) and head:
                    ref = PullRequestRef(GITHUB, repo, number, installation)
                    found.append(OpenPull(ref, head))
            if len(items) < PER_PAGE:
                break
        return found
