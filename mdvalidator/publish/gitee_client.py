"""The requests session both Gitee publishers use (the PR comment and the rolling issue): Gitee
API v5, the token in the query of a read and the body of a write, never in a log or message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mdvalidator import __version__
from mdvalidator.publish.errors import PublishError, api_error, connection_error

TOKEN_VARIABLE = "GITEE_TOKEN"
PER_PAGE = 100


class GiteeClient:
    """A thin requests session that speaks Gitee v5 and never lets the token out."""

    def __init__(self, api_url: str, token: str, retries: int, timeout: float) -> None:
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        self.base = api_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"mdvalidator/{__version__}"
        self.session.headers["Accept"] = "application/json"
        # Only reads are retried: a retried POST could leave two comments.
        retry = Retry(
            total=retries,
            backoff_factor=0.5,
            status_forcelist=(500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def call(
        self,
        method: str,
        path: str,
        doing: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        import requests

        url = self.base + path
        query = dict(params or {})
        payload = None
        if method == "GET":
            query["access_token"] = self.token
        else:
            payload = {"access_token": self.token, **(body or {})}
        try:
            response = self.session.request(
                method, url, params=query, json=payload, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise connection_error("Gitee", self.base, exc, [self.token]) from None
        if response.status_code >= 400:
            raise api_error(
                "Gitee",
                response.status_code,
                _message(response),
                token_variable=TOKEN_VARIABLE,
                secrets=[self.token],
                doing=doing,
            )
        try:
            return response.json()
        except ValueError:
            raise PublishError(
                f"Gitee API answered {doing} with something that is not JSON"
            ) from None

    def close(self) -> None:
        self.session.close()


def _message(response: Any) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return (
        data.get("message")
        if isinstance(data, dict) and isinstance(data.get("message"), str)
        else None
    )


def repo_path(repo: str) -> str:
    owner, name = repo.split("/", 1)
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


__all__ = ["PER_PAGE", "TOKEN_VARIABLE", "GiteeClient", "repo_path"]
