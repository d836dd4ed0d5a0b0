"""One-line publishing errors: hints that fit the forge, secrets removed, library logs held."""

from __future__ import annotations

import logging

import pytest

from mdvalidator.publish.errors import api_error, library_logs_held

SECRET = "tok_secret_123"


def _error(platform: str, status: int, message: object = None, **kwargs: object) -> str:
    return str(
        api_error(platform, status, message, token_variable=f"{platform.upper()}_TOKEN",
                  secrets=[SECRET], doing="doing it", **kwargs)  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("platform", "status", "present", "absent"),
    [
        ("GitHub", 403, ["checks and pull-requests write", "workflow_run"], ["Gitee"]),
        ("Gitee", 403, ["pull_requests scope", "Gitee Go"], ["workflow", "fork", "checks"]),
        ("GitHub", 401, ["GITHUB_TOKEN"], []),
        ("Gitee", 401, ["GITEE_TOKEN", "Gitee personal access token"], ["GitHub"]),
        ("Gitee", 404, ["not found"], []),
        ("GitHub", 502, ["internal error"], []),
        ("Gitee", 429, ["rate limited"], []),
    ],
)
def test_hints_talk_about_the_forge_in_use(
    platform: str, status: int, present: list[str], absent: list[str]
) -> None:
    text = _error(platform, status)
    assert text.startswith(f"{platform} API error {status} while doing it: ")
    for word in present:
        assert word in text
    for word in absent:
        assert word not in text


def test_a_github_rate_limit_is_not_called_a_permission_problem() -> None:
    assert "rate limited" in _error("GitHub", 403, "API rate limit exceeded for 1.2.3.4")
    assert "rate limited" in _error("GitHub", 403, None, rate_limited=True)
    assert "rate limited" not in _error("GitHub", 403, "Resource not accessible by integration")


def test_the_server_message_is_cleaned_and_the_secret_removed() -> None:
    text = _error("Gitee", 400, f"bad\n##[add-mask]x {SECRET}")
    assert SECRET not in text and "\n" not in text and "##[" not in text


def test_library_logs_are_held_and_everything_is_put_back() -> None:
    github_logger = logging.getLogger("github")
    before = (list(github_logger.handlers), github_logger.propagate)
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    root = logging.getLogger()
    keep = Keep()
    root.addHandler(keep)
    try:
        with library_logs_held() as held:
            logging.getLogger("github.GithubRetry").warning("Request GET /x failed with 403")
            logging.getLogger("urllib3.connectionpool").warning("Retrying /x?access_token=t")
            logging.getLogger("mdvalidator").warning("ours")
        assert held.count == 2
        assert [r.getMessage() for r in seen] == ["ours"]
    finally:
        root.removeHandler(keep)
    assert (list(github_logger.handlers), github_logger.propagate) == before
