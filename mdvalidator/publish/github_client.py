"""The PyGithub client both GitHub publishers use, and the one place its failures become a
:class:`PublishError` (a sentence, never a token or a traceback).

PyGithub is imported inside :func:`github_session`, so the offline lint path never loads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mdvalidator import __version__
from mdvalidator.publish.errors import api_error, connection_error, library_logs_held

TOKEN_VARIABLE = "GITHUB_TOKEN"


@dataclass(frozen=True)
class Pacing:
    """Client behaviour: retries of idempotent reads, pauses between requests, timeout."""

    retries: int = 3
    request_interval: float = 0.25
    write_interval: float = 1.0  # GitHub asks integrators to pause ~1 s between writes
    timeout: float = 30.0


@contextmanager
def github_session(api_url: str, token: str, pacing: Pacing, steps: list[str]) -> Iterator[Any]:
    """A PyGithub client for ``api_url``; an API or connection failure inside becomes a
    :class:`PublishError` naming the last of ``steps`` (what was being done)."""
    import requests
    from github import Auth, Github, GithubException, GithubRetry

    retry = GithubRetry(total=pacing.retries, raise_on_status=False) if pacing.retries else None
    client = Github(
        auth=Auth.Token(token),
        base_url=api_url.rstrip("/"),
        timeout=int(pacing.timeout),
        user_agent=f"mdvalidator/{__version__}",
        per_page=100,
        retry=retry,
        seconds_between_requests=pacing.request_interval,
        seconds_between_writes=pacing.write_interval,
        lazy=True,
    )
    try:
        with library_logs_held():  # PyGithub prints its retries to stderr otherwise
            yield client
    except GithubException as exc:
        step = steps[-1] if steps else "talking to GitHub"
        message = exc.data.get("message") if isinstance(exc.data, dict) else None
        headers = {str(k).lower(): str(v) for k, v in (exc.headers or {}).items()}
        raise api_error(
            "GitHub",
            exc.status,
            message,
            token_variable=TOKEN_VARIABLE,
            secrets=[token],
            doing=step,
            rate_limited=headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers,
        ) from None
    except requests.RequestException as exc:
        raise connection_error("GitHub", api_url, exc, [token]) from None
    finally:
        client.close()


__all__ = ["TOKEN_VARIABLE", "Pacing", "github_session"]
