"""The real service as a GitHub App: signed deliveries, delivery ids, installations, the
check run, the comment and the labels, against the stand-in GitHub API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from serve_forges import GithubApi
from serve_standin import APP_ID, GITHUB_SPEC, INSTALLATION, AssetServer, Hub, Spec, running
from serve_support import (
    CONF_MIRROR,
    FOLDER,
    GITHUB_SECRET,
    Service,
    card,
    github_headers,
    github_pr,
    start_service,
    wait_until,
)

REPO = "hub/models"
README = {"README.md": b"# hub\n"}
HOOK = "/webhooks/github"


@dataclass
class World:
    api: GithubApi
    service: Service
    files: dict[str, bytes]
    key: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, app_key: tuple[str, str]) -> Iterator[World]:
    from serve_standin import asset_server

    home = tmp_path_factory.mktemp("github-service")
    key_file = home / "app.pem"
    key_file.write_text(app_key[0])
    with running(GithubApi(Spec(GITHUB_SPEC), Hub(), app_key[1])) as api, asset_server() as assets:
        assert isinstance(api, GithubApi) and isinstance(assets, AssetServer)
        url, sha = assets.add("lenet.ckpt", b"\x0a\x05lenet" + b"\x00" * 300)
        files = {
            f"{FOLDER}/lenet_mnist.md": card("lenet_mnist", url, sha),
            f"{FOLDER}/alexnet_cifar10.md": card("alexnet_cifar10", url, sha, good=False),
        }
        env = {
            "GITHUB_APP_ID": APP_ID,
            "GITHUB_APP_PRIVATE_KEY": str(key_file),
            "MDVALIDATOR_GITHUB_SECRET": GITHUB_SECRET,
        }
        args = [
            "--github-api-url",
            api.base_url,
            "--allow-private-network",
            "--mirror",
            CONF_MIRROR,
            "--reconcile-interval",
            "0",
            "--api-rate",
            "50",
        ]
        service = start_service(home, args, env)
        try:
            yield World(api, service, files, app_key[0])
        finally:
            service.stop()
        assert api.errors == [], api.errors


def test_a_pull_request_gets_a_check_run_one_comment_and_the_fail_label(world: World) -> None:
    pull = world.api.hub.open_pull(REPO, 1, README, world.files)
    body = github_pr(REPO, 1, INSTALLATION)
    headers = github_headers(body, delivery="11111111-2222-3333-4444-555555555555")
    assert world.service.post(HOOK, body, headers).status_code == 202
    wait_until(lambda: pull.labels == {"mdvalidator/fail"})
    [run] = world.api.check_runs.values()
    assert (run["conclusion"], run["head_sha"]) == ("failure", pull.head)
    [comment] = world.api.hub.comments_on(REPO, 1)
    assert "MDV103" in comment["body"]
    for _ in range(4):  # the same delivery id again: GitHub's redelivery
        assert world.service.post(HOOK, body, headers).status_code == 200
    check = {
        "action": "rerequested",
        "repository": {"full_name": REPO},
        "installation": {"id": INSTALLATION},
        "check_run": {"pull_requests": [{"number": 1}]},
    }
    raw = json.dumps(check).encode()
    assert world.service.post(HOOK, raw, github_headers(raw, "check_run")).status_code == 202
    wait_until(lambda: len(world.service.log_events("job")) >= 2)
    assert len(world.api.hub.comments_on(REPO, 1)) == 1


def test_signatures_and_installations(world: World) -> None:
    body = github_pr(REPO, 2, INSTALLATION)
    forged = github_headers(body, secret="guessed")
    assert world.service.post(HOOK, body, forged).status_code == 401
    tampered = github_headers(body)
    assert (
        world.service.post(HOOK, body.replace(b'"number": 2', b'"number": 3'), tampered).status_code
        == 401
    )
    no_app = github_pr(REPO, 2, None)
    assert world.service.post(HOOK, no_app, github_headers(no_app)).status_code == 403
    ping = b'{"zen": "Keep it logically awesome."}'
    assert world.service.post(HOOK, ping, github_headers(ping, "ping")).status_code == 204
    assert (
        world.service.post(
            "/webhooks/gitee", b"{}", {"X-Gitee-Event": "Merge Request Hook"}
        ).status_code
        == 404
    )


def test_no_secret_anywhere(world: World) -> None:
    shown = world.service.get("/metrics").text + world.service.get("/").text + world.service.logs()
    assert GITHUB_SECRET not in shown
    assert "PRIVATE KEY" not in shown and world.key.splitlines()[1] not in shown
    for token in world.api.tokens:
        assert token not in shown
    assert world.api.tokens  # an installation token was issued and used
