"""Turning a failed API call into one clear sentence, with no token and no traceback in it."""

from __future__ import annotations

from collections.abc import Sequence

from mdvalidator.sanitize import clean, redact, redact_url


class PublishError(Exception):
    """Publishing failed; ``str()`` is safe to print (sanitised, secrets removed)."""


_HINTS = {
    401: "the token was rejected: check that {token} is set to a valid, unexpired token",
    403: (
        "the token may not do this: it needs checks and pull-requests write permission; "
        "on a pull request from a fork the workflow token is read-only, so publish from a "
        "separate workflow_run workflow (see docs/publishing.md)"
    ),
    404: "not found: check the repository, commit and pull request number, and that the "
    "token can see the repository",
    410: "gone: the resource was removed or the feature is disabled for this repository",
    422: "the request was refused as invalid (for example a commit that is not in the repository)",
}


def api_error(
    platform: str,
    status: int,
    api_message: object,
    *,
    token_variable: str,
    secrets: Sequence[str],
    doing: str,
) -> PublishError:
    """A :class:`PublishError` for an HTTP error ``status`` answered while ``doing`` something."""
    if status >= 500:
        hint = "the server had an internal error; try again later"
    elif status == 429:
        hint = "rate limited; try again later"
    else:
        hint = _HINTS.get(status, "the request failed").format(token=token_variable)
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
