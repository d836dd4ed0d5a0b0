"""Turning a failed API call into one clear sentence, with no token and no traceback in it.

The client libraries log on their own: PyGithub installs a stderr handler on the ``github``
logger and prints every retried 403 ("Request GET ... failed with 403"), and urllib3 logs the
URLs it retries (a Gitee read carries ``access_token`` in its query). :func:`library_logs_held`
keeps those records away from the terminal while we publish, so the one line we print is the
only one, and counts what it held.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from mdvalidator.sanitize import clean, redact, redact_url

# The loggers of the HTTP stack under the publishers (PyGithub, requests' urllib3).
LIBRARY_LOGGERS = ("github", "urllib3")


class PublishError(Exception):
    """Publishing failed; ``str()`` is safe to print (sanitised, secrets removed)."""


_COMMON_HINTS = {
    404: "not found: check the repository, commit and pull request number, and that the "
    "token can see the repository",
    410: "gone: the resource was removed or the feature is disabled for this repository",
    422: "the request was refused as invalid (for example a commit that is not in the repository)",
}
_HINTS = {
    "GitHub": {
        401: "the token was rejected: check that {token} is set to a valid, unexpired token",
        403: (
            "the token may not do this: it needs checks and pull-requests write permission; "
            "on a pull request from a fork the workflow token is read-only, so publish from a "
            "separate workflow_run workflow (see docs/publishing.md)"
        ),
    },
    "Gitee": {
        401: "the token was rejected: check that {token} holds a valid Gitee personal access "
        "token of the bot account",
        403: (
            "the token may not do this: the bot account's personal access token needs the "
            "pull_requests scope (and user_info, to find its own comment), and the account "
            "must be allowed to comment on this repository (a member, for a private one); "
            "check the secret parameter of the Gitee Go pipeline (see docs/publishing.md)"
        ),
    },
}


def _hint(
    platform: str, status: int, api_message: object, token_variable: str, rate_limited: bool
) -> str:
    if status >= 500:
        return "the server had an internal error; try again later"
    said = api_message.lower() if isinstance(api_message, str) else ""
    if status == 429 or (status == 403 and (rate_limited or "rate limit" in said)):
        return "rate limited; try again later"
    hints = {**_COMMON_HINTS, **_HINTS.get(platform, {})}
    return hints.get(status, "the request failed").format(token=token_variable)


def api_error(
    platform: str,
    status: int,
    api_message: object,
    *,
    token_variable: str,
    secrets: Sequence[str],
    doing: str,
    rate_limited: bool = False,
) -> PublishError:
    """A :class:`PublishError` for an HTTP error ``status`` answered while ``doing`` something.

    ``rate_limited``: the answer's headers said so (GitHub answers a rate limit with 403 and
    ``x-ratelimit-remaining: 0``; after retries its body may be gone)."""
    hint = _hint(platform, status, api_message, token_variable, rate_limited)
    text = f"{platform} API error {status} while {doing}: {hint}"
    if isinstance(api_message, str) and api_message.strip():
        text += f' (the server said: "{clean(api_message, 200)}")'
    return PublishError(redact(text, list(secrets)))


def connection_error(
    platform: str, url: str, exc: BaseException, secrets: Sequence[str]
) -> PublishError:
    """Could not talk to the server at all (DNS, refused, TLS, timeout)."""
    text = f"cannot reach the {platform} API at {redact_url(url, 200)}: {type(exc).__name__}"
    return PublishError(redact(text, list(secrets)))


class _Held(logging.Handler):
    """Keeps the records it is handed (a bounded number), prints nothing."""

    def __init__(self, keep: int = 100) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self.count = 0
        self.keep = keep

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.records) < self.keep:
            self.records.append(record)


@contextmanager
def library_logs_held(names: Sequence[str] = LIBRARY_LOGGERS) -> Iterator[_Held]:
    """While inside, records of the ``names`` loggers go to a holder, not to any handler of
    theirs or of the root logger; everything is put back afterwards."""
    held = _Held()
    saved = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.handlers[:], logger.propagate))
        logger.handlers = [held]
        logger.propagate = False
    try:
        yield held
    finally:
        for logger, handlers, propagate in saved:
            logger.handlers = handlers
            logger.propagate = propagate
