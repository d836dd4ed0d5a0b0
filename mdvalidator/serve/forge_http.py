"""One HTTP session per forge client: pacing, bounded retries, clear errors, call counts.

Every request first takes a slot of the token's rate limit (shared by every process through
the ledger). 5xx and 429 answers, and GitHub's 403 with ``x-ratelimit-remaining: 0``, are
retried with exponential backoff, honouring ``Retry-After`` (seconds or an HTTP date) and
``x-ratelimit-reset``, a bounded number of times and never longer than ``max_wait`` per pause;
writes are retried only when the forge said it did not do them (429, 503). Any other error is a
:class:`ForgeError` whose text is fit for a log and the status page: the server's message
sanitised, secrets removed, no URL (a Gitee read carries its token in the query).
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mdvalidator import __version__
from mdvalidator.sanitize import clean, redact

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# The largest answer read: a recursive tree of a 100,000-file hub is a few MB; a file's
# contents come base64-encoded, and a descriptor is capped far below this anyway.
MAX_ANSWER = 64 * 1024 * 1024
NOT_DONE_STATUSES = frozenset({429, 503})  # a write answered so was not carried out


class ForgeError(Exception):
    """A forge API call failed; ``str()`` is safe to log and show. ``status`` 0: no answer."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


_HINTS = {
    401: "the credentials were rejected ({credentials})",
    403: "not allowed: {permission}",
    404: "not found (the repository, pull request or file is gone, or hidden from {who})",
    410: "gone",
    422: "the request was refused as invalid",
    429: "rate limited",
}


@dataclass(frozen=True)
class ForgeText:
    """How errors of one forge read."""

    platform: str  # "Gitee" or "GitHub"
    credentials: str  # what to check on a 401
    permission: str  # what a 403 usually means
    who: str  # whose view a 404 is


@dataclass
class CallStats:
    """API calls and errors of one client, flushed into the ledger's counters per job."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[tuple[str, int]] = field(default_factory=Counter)

    def drain(self) -> dict[str, float]:
        counts: dict[str, float] = {}
        for forge, n in self.calls.items():
            counts[f'forge_api_calls_total|forge="{forge}"'] = n
        for (forge, status), n in self.errors.items():
            counts[f'forge_api_errors_total|forge="{forge}",status="{status}"'] = n
        self.calls.clear()
        self.errors.clear()
        return counts


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any
    headers: Mapping[str, str]


Pace = Callable[[str], float]  # bucket -> seconds to wait before the next request (0: go)


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """The pause a ``Retry-After`` or ``x-ratelimit-reset`` header asks for, in seconds."""
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - now)
    if (
        headers.get("x-ratelimit-remaining") == "0"
        and headers.get("x-ratelimit-reset", "").isdigit()
    ):
        return max(0.0, float(headers["x-ratelimit-reset"]) - now)
    return None


class ForgeSession:
    """A requests session bound to one API root, with the behaviour described above."""

    def __init__(
        self,
        forge: str,
        base_url: str,
        text: ForgeText,
        *,
        pace: Pace,
        secrets: Callable[[], list[str]],
        stats: CallStats,
        attempts: int = 5,
        max_wait: float = 60.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import requests

        self.forge = forge
        self.base = base_url.rstrip("/")
        self.text = text
        self.pace = pace
        self.secrets = secrets
        self.stats = stats
        self.attempts = attempts
        self.max_wait = max_wait
        self.timeout = timeout
        self.sleep = sleep
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy or netrc credentials from the environment
        self.session.headers["User-Agent"] = f"mdvalidator-serve/{__version__}"
        self.session.headers["Accept"] = "application/json"

    def close(self) -> None:
        self.session.close()

    def _backoff(self, attempt: int) -> float:
        pause: float = min(self.max_wait, 0.5 * 2 ** (attempt - 1))
        return pause * (0.8 + 0.4 * random.random())

    def _wait_for_slot(self, bucket: str) -> None:
        deadline = time.monotonic() + self.max_wait
        while True:
            wait = self.pace(bucket)
            if wait <= 0:
                return
            if time.monotonic() + wait > deadline:
                raise ForgeError(f"{self.text.platform} API: our own rate limit stayed full", 429)
            self.sleep(min(wait, 1.0))

    def request(
        self,
        method: str,
        path: str,
        doing: str,
        *,
        bucket: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        allow: tuple[int, ...] = (),
    ) -> Answer:
        """Send one request; an answer below 400 (or in ``allow``) is returned, else raised."""
        import requests

        idempotent = method in ("GET", "HEAD", "PUT", "DELETE")
        for attempt in range(1, self.attempts + 1):
            self._wait_for_slot(bucket)
            try:
                response = self.session.request(
                    method, self.base + path, params=params, json=json, headers=headers,
                    timeout=self.timeout, allow_redirects=False, stream=True,
                )  # fmt: skip
                raw = _read_capped(response, doing, self.text.platform)
            except requests.RequestException as exc:
                self.stats.errors[(self.forge, 0)] += 1
                early = isinstance(exc, requests.ConnectionError) and not isinstance(
                    exc, requests.ReadTimeout
                )
                if attempt < self.attempts and (idempotent or early):
                    self.sleep(self._backoff(attempt))
                    continue
                raise ForgeError(
                    f"cannot reach the {self.text.platform} API while {doing}: {type(exc).__name__}"
                ) from None
            self.stats.calls[self.forge] += 1
            status = response.status_code
            if status < 400 or status in allow:
                return Answer(status, _json(raw), _lower(response.headers))
            self.stats.errors[(self.forge, status)] += 1
            answer_headers = _lower(response.headers)
            limited = status == 403 and answer_headers.get("x-ratelimit-remaining") == "0"
            retryable = status in RETRIED_STATUSES or limited
            if (
                retryable
                and attempt < self.attempts
                and (idempotent or status in NOT_DONE_STATUSES)
            ):
                wait = retry_after(answer_headers, time.time())
                wait = self._backoff(attempt) if wait is None else wait
                if wait <= self.max_wait:
                    self.sleep(wait)
                    continue
            raise self._error(status, raw, doing, limited)
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, status: int, raw: bytes, doing: str, limited: bool) -> ForgeError:
        if status >= 500:
            hint = "the server had an internal error; retried, still failing"
        elif limited or status == 429:
            hint = "rate limited"
        else:
            hint = _HINTS.get(status, "the request failed").format(
                credentials=self.text.credentials,
                permission=self.text.permission,
                who=self.text.who,
            )
        text = f"{self.text.platform} API error {status} while {doing}: {hint}"
        said = _message(raw)
        if said:
            text += f' (the server said: "{clean(said, 200)}")'
        return ForgeError(redact(text, self.secrets()), status)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _read_capped(response: Any, doing: str, platform: str) -> bytes:
    data = bytearray()
    for chunk in response.iter_content(64 * 1024):
        data += chunk
        if len(data) > MAX_ANSWER:
            response.close()
            raise ForgeError(f"{platform} API: the answer while {doing} is over {MAX_ANSWER} bytes")
    return bytes(data)


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _message(raw: bytes) -> str:
    data = _json(raw)
    message = data.get("message") if isinstance(data, dict) else None
    return message if isinstance(message, str) else ""
