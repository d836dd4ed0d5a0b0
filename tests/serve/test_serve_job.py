"""The job as a plain function: real forge clients against the stand-ins, the real checker."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_forges import GiteeApi, GithubApi
from serve_standin import APP_ID, GITEE_TOKEN, INSTALLATION, AssetServer
from serve_support import CONF_MIRROR, FOLDER, card

from mdvalidator.argtypes import parse_mirror
from mdvalidator.serve.checking import EngineChecker
from mdvalidator.serve.events import GITEE, GITHUB, PullRequestRef
from mdvalidator.serve.gitee import GiteeClient
from mdvalidator.serve.github import GithubClient
from mdvalidator.serve.job import Labels, run_job
from mdvalidator.serve.ledger import CLOSED, DONE, FAILED, QUEUED, Claim
from mdvalidator.serve.settings import GiteeSettings, GithubSettings, Secret, check_namespace

LABELS = Labels("mdvalidator/pass", "mdvalidator/fail")
FRESH = Claim(generation=1, verdict_head="", force=False)
REPO = "hub/models"
README = {"README.md": b"# hub\n"}


def no_pause(bucket: str) -> float:
    return 0.0


@pytest.fixture
def checker(tmp_path: Path) -> EngineChecker:
    args = check_namespace(argparse.Namespace())
    args.allow_private_network = True
    args.mirror = [parse_mirror(CONF_MIRROR)]
    args.cache_dir = tmp_path / "cache"
    return EngineChecker(args)


@pytest.fixture
def cards(assets: AssetServer) -> dict[str, bytes]:
    url, sha = assets.add("lenet.ckpt", b"\x0a\x05lenet" + b"\x00" * 200)
    return {
        "good": card("lenet_mnist", url, sha),
        "bad": card("alexnet_cifar10", url, sha, good=False),
        "fixed": card("alexnet_cifar10", url, sha),
    }


@pytest.fixture
def gitee(gitee_api: GiteeApi) -> Iterator[GiteeClient]:
    settings = GiteeSettings(gitee_api.base_url, Secret(GITEE_TOKEN), Secret("hook"), (REPO,))
    client = GiteeClient(settings, no_pause, max_wait=5.0)
    yield client
    client.close()


def test_gitee_one_comment_fail_label_then_a_push_flips_it(
    gitee: GiteeClient, gitee_api: GiteeApi, checker: EngineChecker, cards: dict[str, bytes]
) -> None:
    ref = PullRequestRef(GITEE, REPO, 1)
    files = {
        f"{FOLDER}/lenet_mnist.md": cards["good"],
        f"{FOLDER}/alexnet_cifar10.md": cards["bad"],
    }
    pull = gitee_api.hub.open_pull(REPO, 1, README, files)
    result = run_job(gitee, ref, FRESH, checker, LABELS)
    assert (result.state, result.verdict, result.head) == (DONE, "fail", pull.head)
    [comment] = gitee_api.hub.comments.values()
    assert "MDV103" in comment["body"] and "alexnet_cifar10.md" in comment["body"]
    assert pull.labels == {"mdvalidator/fail"}
    assert gitee_api.hub.repo_labels[REPO] == {"mdvalidator/fail"}  # created, then set

    again = run_job(gitee, ref, FRESH, checker, LABELS)  # the same job twice: nothing new
    assert again.note == "comment unchanged" and len(gitee_api.hub.comments) == 1
    assert len(gitee_api.called("POST", "/repos/{owner}/{repo}/pulls/{number}/labels")) == 1

    first_head = pull.head
    head = gitee_api.hub.push(REPO, 1, {f"{FOLDER}/alexnet_cifar10.md": cards["fixed"]})
    fixed = run_job(gitee, ref, Claim(2, first_head, False), checker, LABELS)
    assert (fixed.verdict, fixed.head, fixed.note) == ("pass", head, "comment updated")
    assert [c["id"] for c in gitee_api.hub.comments.values()] == [comment["id"]]
    assert "All Passed" in comment["body"]
    assert pull.labels == {"mdvalidator/pass"}
    [removed] = gitee_api.called("DELETE", "/repos/{owner}/{repo}/pulls/{number}/labels/{name}")
    assert removed.path.endswith("/labels/mdvalidator%2Ffail")

    done = run_job(gitee, ref, Claim(3, head, False), checker, LABELS)
    assert done.state == DONE and done.verdict == "" and "already" in done.note
    forced = run_job(gitee, ref, Claim(4, head, True), checker, LABELS)
    assert forced.verdict == "pass" and len(gitee_api.hub.comments) == 1


def test_assets_the_pull_request_did_not_change_are_not_fetched_again(
    gitee: GiteeClient, gitee_api: GiteeApi, checker: EngineChecker, assets: AssetServer
) -> None:
    old_url, old_sha = assets.add("kept.ckpt", b"kept" * 100)
    new_url, new_sha = assets.add("new.ckpt", b"new" * 100)
    kept, moved = f"{FOLDER}/lenet_mnist.md", f"{FOLDER}/alexnet_cifar10.md"
    base = {
        kept: card("lenet_mnist", old_url, old_sha),
        moved: card("alexnet_cifar10", old_url, old_sha),
    }
    head = {
        kept: base[kept] + b"\nA line more.\n",  # the card changes, its asset does not
        moved: card("alexnet_cifar10", new_url, new_sha),  # a new asset
    }
    pull = gitee_api.hub.open_pull(REPO, 9, base, {})
    gitee_api.hub.push(REPO, 9, head)
    result = run_job(gitee, PullRequestRef(GITEE, REPO, 9), FRESH, checker, LABELS)
    assert (result.verdict, result.checked) == ("pass", 2) and pull.labels == {"mdvalidator/pass"}
    assert "/assets/new.ckpt" in assets.hits and "/assets/kept.ckpt" not in assets.hits
    [comment] = gitee_api.hub.comments.values()
    assert "1 skipped" in comment["body"] and "1 verified" in comment["body"]


def test_settings_come_from_the_base_commit(
    gitee: GiteeClient, gitee_api: GiteeApi, checker: EngineChecker, cards: dict[str, bytes]
) -> None:
    base = {**README, "setup.cfg": b"[mdvalidator]\nignore = MDV103\n"}
    pr_settings = b"[mdvalidator]\nignore = MDV1,MDV2\n"
    gitee_api.hub.open_pull(REPO, 2, base, {f"{FOLDER}/alexnet_cifar10.md": cards["bad"]})
    result = run_job(gitee, PullRequestRef(GITEE, REPO, 2), FRESH, checker, LABELS)
    assert result.verdict == "pass"
    gitee_api.hub.open_pull(
        REPO,
        3,
        README,
        {
            f"{FOLDER}/alexnet_cifar10.md": cards["bad"],
            "setup.cfg": pr_settings,
        },
    )
    result = run_job(gitee, PullRequestRef(GITEE, REPO, 3), FRESH, checker, LABELS)
    assert result.verdict == "fail"  # the PR's own settings are not applied
    body = next(c["body"] for c in gitee_api.hub.comments.values() if c["number"] == 3)
    assert "MDV019" in body and "MDV103" in body


def test_a_503_with_retry_after_then_200_ends_in_a_verdict(
    gitee: GiteeClient, gitee_api: GiteeApi, checker: EngineChecker, cards: dict[str, bytes]
) -> None:
    gitee_api.hub.open_pull(REPO, 4, README, {f"{FOLDER}/lenet_mnist.md": cards["good"]})
    gitee_api.fail(
        "GET", "/repos/{owner}/{repo}/pulls/{number}", 503, times=1, headers={"Retry-After": "1"}
    )
    result = run_job(gitee, PullRequestRef(GITEE, REPO, 4), FRESH, checker, LABELS)
    assert result.verdict == "pass"
    first, second = gitee_api.called("GET", "/repos/{owner}/{repo}/pulls/{number}")[:2]
    assert second.at - first.at >= 1.0
    assert gitee.drain_counts()['forge_api_errors_total|forge="gitee",status="503"'] == 1


@pytest.mark.parametrize("status", [401, 403, 404])
def test_forge_refusals_fail_the_job_with_a_clear_error(
    status: int, gitee: GiteeClient, gitee_api: GiteeApi, checker: EngineChecker
) -> None:
    gitee_api.hub.open_pull(REPO, 5, README, {})
    gitee_api.fail(
        "GET",
        "/repos/{owner}/{repo}/pulls/{number}/files",
        status,
        times=5,
        message="nope \x1b[31m\u202e" + GITEE_TOKEN,
    )
    result = run_job(gitee, PullRequestRef(GITEE, REPO, 5), FRESH, checker, LABELS)
    assert result.state == FAILED and f"Gitee API error {status}" in result.error
    assert (
        GITEE_TOKEN not in result.error
        and "\x1b" not in result.error
        and "\u202e" not in result.error
    )
    assert (
        len(gitee_api.called("GET", "/repos/{owner}/{repo}/pulls/{number}/files")) == 1
    )  # no retry
    assert gitee_api.hub.comments == {}


def test_a_closed_pull_request_is_left_alone(
    gitee: GiteeClient, gitee_api: GiteeApi, checker: EngineChecker
) -> None:
    pull = gitee_api.hub.open_pull(REPO, 6, README, {})
    pull.state = "merged"
    result = run_job(gitee, PullRequestRef(GITEE, REPO, 6), FRESH, checker, LABELS)
    assert result.state == CLOSED and gitee_api.hub.comments == {}


def test_a_head_that_moves_while_checking_is_not_published(
    gitee: GiteeClient, gitee_api: GiteeApi, checker: EngineChecker, cards: dict[str, bytes]
) -> None:
    gitee_api.hub.open_pull(REPO, 7, README, {f"{FOLDER}/lenet_mnist.md": cards["good"]})
    reads = 0
    real = gitee.tree_paths

    def tree_then_push(ref: PullRequestRef, sha: str) -> list[str]:
        nonlocal reads
        reads += 1
        gitee_api.hub.push(REPO, 7, {f"{FOLDER}/alexnet_cifar10.md": cards["bad"]})
        return real(ref, sha)

    gitee.tree_paths = tree_then_push  # type: ignore[method-assign]
    result = run_job(gitee, PullRequestRef(GITEE, REPO, 7), FRESH, checker, LABELS)
    assert (result.state, result.requeue, reads) == (QUEUED, True, 1)
    assert gitee_api.hub.comments == {}


def test_github_app_check_run_comment_and_labels(
    github_api: GithubApi, app_key: tuple[str, str], checker: EngineChecker, cards: dict[str, bytes]
) -> None:
    settings = GithubSettings(github_api.base_url, APP_ID, Secret(app_key[0]), Secret("hook"))
    client = GithubClient(settings, no_pause, write_interval=0.0)
    ref = PullRequestRef(GITHUB, "hub/models", 9, INSTALLATION)
    files = {
        f"{FOLDER}/lenet_mnist.md": cards["good"],
        f"{FOLDER}/alexnet_cifar10.md": cards["bad"],
    }
    pull = github_api.hub.open_pull("hub/models", 9, README, files)
    try:
        result = run_job(client, ref, FRESH, checker, LABELS)
        assert result.verdict == "fail" and "check run failure" in result.note
        [run] = github_api.check_runs.values()
        assert run["conclusion"] == "failure" and run["head_sha"] == pull.head
        [comment] = github_api.hub.comments.values()
        assert comment["body"].startswith("<!-- mdvalidator:summary -->")
        assert pull.labels == {"mdvalidator/fail"}
        assert (
            len(github_api.called("POST", "/app/installations/{installation_id}/access_tokens"))
            == 1
        )
        first_head = pull.head
        github_api.hub.push("hub/models", 9, {f"{FOLDER}/alexnet_cifar10.md": cards["fixed"]})
        fixed = run_job(client, ref, Claim(2, first_head, False), checker, LABELS)
        assert fixed.verdict == "pass" and pull.labels == {"mdvalidator/pass"}
        assert len(github_api.hub.comments) == 1 and "All Passed" in comment["body"]
        assert (
            len(github_api.called("POST", "/app/installations/{installation_id}/access_tokens"))
            == 1
        )
    finally:
        client.close()


def test_github_reconciler_listing(github_api: GithubApi, app_key: tuple[str, str]) -> None:
    settings = GithubSettings(github_api.base_url, APP_ID, Secret(app_key[0]), Secret("hook"))
    client = GithubClient(settings, no_pause)
    github_api.installed = ["hub/models"]
    pull = github_api.hub.open_pull("hub/models", 11, README, {})
    try:
        [found] = client.open_pulls()
        assert found.ref == PullRequestRef(GITHUB, "hub/models", 11, INSTALLATION)
        assert found.head_sha == pull.head
    finally:
        client.close()


def test_a_wrong_app_key_is_a_clear_401(github_api: GithubApi, checker: EngineChecker) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    settings = GithubSettings(github_api.base_url, APP_ID, Secret(other), Secret("hook"))
    client = GithubClient(settings, no_pause)
    github_api.hub.open_pull("hub/models", 12, README, {})
    try:
        result = run_job(
            client, PullRequestRef(GITHUB, "hub/models", 12, INSTALLATION), FRESH, checker, LABELS
        )
        assert result.state == FAILED and "GitHub API error 401" in result.error
        assert "PRIVATE KEY" not in result.error
    finally:
        client.close()


def test_api_calls_are_paced_per_token_across_clients(gitee_api: GiteeApi, tmp_path: Path) -> None:
    """Two clients of one token (two worker processes) share one budget through the ledger."""
    import threading
    import time

    from mdvalidator.serve.ledger_sqlite import SqliteLedger
    from mdvalidator.serve.worker import rate_pace

    gitee_api.hub.open_pull(REPO, 20, README, {})
    ledger = SqliteLedger(tmp_path / "ledger.sqlite3")
    settings = GiteeSettings(gitee_api.base_url, Secret(GITEE_TOKEN), Secret("hook"), (REPO,))
    clients = [GiteeClient(settings, rate_pace(ledger, 4.0)) for _ in range(2)]
    ref = PullRequestRef(GITEE, REPO, 20)
    start = time.monotonic()
    threads = [
        threading.Thread(target=lambda c=c: [c.pull_request(ref) for _ in range(5)])
        for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    elapsed = time.monotonic() - start
    assert len(gitee_api.called("GET", "/repos/{owner}/{repo}/pulls/{number}")) == 10
    assert elapsed >= 1.0  # 10 calls at 4 a second: three windows, so two boundaries crossed
    for client in clients:
        client.close()
