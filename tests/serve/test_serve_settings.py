"""The one settings object: secrets from the environment only, never shown."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mdvalidator.commands import serve as command
from mdvalidator.serve.settings import SettingsError, from_args


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.configure(parser)
    return parser.parse_args(list(argv))


GITEE_ENV = {"GITEE_TOKEN": "tok-AAAA", "MDVALIDATOR_GITEE_SECRET": "sec-BBBB"}


def test_defaults_of_the_contract(tmp_path: Path) -> None:
    settings = from_args(parse("--repo", "hub/models", "--data-dir", str(tmp_path)), GITEE_ENV)
    assert (settings.host, settings.port, settings.queue, settings.role, settings.workers) == (
        "127.0.0.1",
        8080,
        "sqlite",
        "all",
        1,
    )
    assert (settings.label_pass, settings.label_fail) == ("mdvalidator/pass", "mdvalidator/fail")
    assert settings.gitee is not None and settings.github is None
    assert settings.gitee.api_url == "https://gitee.com/api/v5"
    assert settings.check_args.cache_dir == tmp_path / "cache"
    shown = repr(settings)
    assert "tok-AAAA" not in shown and "sec-BBBB" not in shown and "***" in shown


def test_repos_repeatable_and_several_after_one_flag(tmp_path: Path) -> None:
    args = parse("--repo", "a/b", "c/d", "--repo", "e/f", "--data-dir", str(tmp_path))
    settings = from_args(args, GITEE_ENV)
    assert settings.gitee is not None and settings.gitee.repos == ("a/b", "c/d", "e/f")
    assert settings.gitee.serves("A/B") and not settings.gitee.serves("a/x")


@pytest.mark.parametrize(
    ("env", "argv", "said"),
    [
        ({}, ["--repo", "a/b"], "no forge configured"),
        ({"GITEE_TOKEN": "x"}, ["--repo", "a/b"], "MDVALIDATOR_GITEE_SECRET"),
        (GITEE_ENV, [], "no --repo"),
        ({"GITHUB_APP_ID": "12"}, [], "GITHUB_APP_PRIVATE_KEY and MDVALIDATOR_GITHUB_SECRET"),
        (
            {
                "GITHUB_APP_ID": "x",
                "GITHUB_APP_PRIVATE_KEY": "-----BEGIN k",
                "MDVALIDATOR_GITHUB_SECRET": "s",
            },
            [],
            "numeric",
        ),
        (
            {
                "GITHUB_APP_ID": "1",
                "GITHUB_APP_PRIVATE_KEY": "/nonexistent/key.pem",
                "MDVALIDATOR_GITHUB_SECRET": "s",
            },
            [],
            "neither PEM text nor a readable file",
        ),
        (GITEE_ENV, ["--repo", "a/b", "--label-pass", "x", "--label-fail", "x"], "must differ"),
    ],
)
def test_start_up_errors_name_what_is_missing(
    env: dict[str, str], argv: list[str], said: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=said):
        from_args(parse(*argv, "--data-dir", str(tmp_path)), env)


def test_private_key_from_a_file(tmp_path: Path) -> None:
    key = tmp_path / "app.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")
    env = {
        "GITHUB_APP_ID": "12",
        "GITHUB_APP_PRIVATE_KEY": str(key),
        "MDVALIDATOR_GITHUB_SECRET": "hook",
    }
    settings = from_args(parse("--data-dir", str(tmp_path)), env)
    assert settings.github is not None and "MIIB" in settings.github.private_key.reveal()
    assert "MIIB" not in repr(settings) and settings.gitee is None


@pytest.mark.parametrize(
    "argv",
    [
        ["--queue", "mysql://x"],
        ["--queue", "redis://h:1/x"],
        ["--repo", "../x"],
        ["--label-pass", "a,b"],
        ["--workers", "0"],
        ["--gitee-api-url", "ftp://x"],
    ],
)
def test_bad_flags_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse(*argv)


def test_serve_without_a_forge_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mdvalidator.cli import main

    for name in ("GITEE_TOKEN", "MDVALIDATOR_GITEE_SECRET", "GITHUB_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve", "--data-dir", str(tmp_path)]) == 2
    assert "no forge configured" in capsys.readouterr().err
