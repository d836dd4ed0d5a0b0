"""The service across failures: the reconciler, SIGKILL and restart, SIGTERM during a job."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_forges import GiteeApi
from serve_standin import GITEE_SPEC, GITEE_TOKEN, AssetServer, Hub, Spec, running
from serve_support import (
    CONF_MIRROR,
    FOLDER,
    GITEE_SECRET,
    card,
    gitee_headers,
    gitee_mr,
    start_service,
    wait_until,
)

REPO = "hub/models"
README = {"README.md": b"# hub\n"}
ENV = {"GITEE_TOKEN": GITEE_TOKEN, "MDVALIDATOR_GITEE_SECRET": GITEE_SECRET}


@pytest.fixture
def api() -> Iterator[GiteeApi]:
    with running(GiteeApi(Spec(GITEE_SPEC), Hub())) as stand_in:
        assert isinstance(stand_in, GiteeApi)
        yield stand_in
    assert stand_in.errors == [], stand_in.errors


@pytest.fixture
def files(assets: AssetServer) -> dict[str, bytes]:
    url, sha = assets.add("lenet.ckpt", b"\x0a\x05lenet" + b"\x00" * 300)
    return {f"{FOLDER}/lenet_mnist.md": card("lenet_mnist", url, sha)}


def args(api: GiteeApi, *more: str) -> list[str]:
    return [
        "--repo",
        REPO,
        "--gitee-api-url",
        api.base_url,
        "--allow-private-network",
        "--mirror",
        CONF_MIRROR,
        "--api-rate",
        "200",
        *more,
    ]


def pending(data_dir: Path) -> list[int]:
    with sqlite3.connect(data_dir / "ledger.sqlite3") as db:
        return [n for (n,) in db.execute("select number from pulls where generation > done")]


def test_the_reconciler_gives_a_verdict_to_a_pull_request_whose_webhook_never_came(
    api: GiteeApi, files: dict[str, bytes], tmp_path: Path
) -> None:
    api.fail("GET", "/repos/{owner}/{repo}/pulls", 401, 10_000, message="token revoked")
    service = start_service(tmp_path, args(api, "--reconcile-interval", "1"), ENV)
    try:
        wait_until(lambda: "gitee reconciler" in service.get("/").text)
        assert "Gitee API error 401" in service.get("/").text
        with api.hub.lock:
            api.faults.clear()  # the token works again (held until seen: a loaded machine
            # could poll the page past a one-pass window)
        pull = api.hub.open_pull(REPO, 1, README, files)  # no webhook is ever sent
        wait_until(lambda: pull.labels == {"mdvalidator/pass"}, 20)
        assert len(api.hub.comments_on(REPO, 1)) == 1
        wait_until(lambda: "gitee reconciler" not in service.get("/").text)  # the problem cleared
        time.sleep(1.5)  # later passes see the verdict and queue nothing more
        assert len([e for e in service.log_events("job") if e["pull"] == f"{REPO}!1"]) == 1
    finally:
        service.stop()


def test_killed_with_sigkill_and_restarted_the_service_loses_no_accepted_job(
    api: GiteeApi, files: dict[str, bytes], tmp_path: Path
) -> None:
    numbers = [1, 2, 3, 4]
    for number in numbers:
        api.hub.open_pull(REPO, number, README, files)
    api.delay = 0.15  # each job takes a couple of seconds: some queued, one running at the kill
    service = start_service(tmp_path, args(api, "--reconcile-interval", "0"), ENV)
    for number in numbers:
        assert (
            service.post("/webhooks/gitee", gitee_mr(REPO, number), gitee_headers()).status_code
            == 202
        )
    wait_until(lambda: api.called("GET", "/repos/{owner}/{repo}/pulls/{number}/files"))
    service.kill()  # SIGKILL to every process of the service
    assert pending(service.data_dir)  # accepted work outstanding
    api.delay = 0.0
    again = start_service(
        tmp_path, args(api, "--reconcile-interval", "0"), ENV, data_dir=service.data_dir
    )
    try:
        wait_until(lambda: all(api.hub.pulls[(REPO, n)].labels for n in numbers), 30)
        wait_until(lambda: pending(service.data_dir) == [])
        for number in numbers:
            assert len(api.hub.comments_on(REPO, number)) == 1
        assert again.log_events("recovered")[0]["pulls"] >= 1
    finally:
        again.stop()


def test_sigterm_requeues_the_running_job_and_exits(
    api: GiteeApi, files: dict[str, bytes], tmp_path: Path
) -> None:
    api.hub.open_pull(REPO, 1, README, files)
    api.delay = 0.4  # the job needs ~5 s; the shutdown grace is 1 s
    more = ("--reconcile-interval", "0", "--shutdown-timeout", "1")
    service = start_service(tmp_path, args(api, *more), ENV)
    assert service.post("/webhooks/gitee", gitee_mr(REPO, 1), gitee_headers()).status_code == 202
    wait_until(lambda: api.called("GET", "/repos/{owner}/{repo}/pulls/{number}"))
    started = time.monotonic()
    assert service.stop(signal.SIGTERM, timeout=20) == 0
    assert time.monotonic() - started < 10
    assert service.log_events("job-interrupted") and pending(service.data_dir) == [1]
    api.delay = 0.0
    again = start_service(tmp_path, args(api, *more), ENV, data_dir=service.data_dir)
    try:
        wait_until(lambda: api.hub.pulls[(REPO, 1)].labels == {"mdvalidator/pass"}, 20)
        assert len(api.hub.comments_on(REPO, 1)) == 1
    finally:
        assert again.stop(signal.SIGTERM) == 0


def test_sigterm_lets_a_short_job_finish(
    api: GiteeApi, files: dict[str, bytes], tmp_path: Path
) -> None:
    api.hub.open_pull(REPO, 1, README, files)
    api.delay = 0.05
    service = start_service(tmp_path, args(api, "--reconcile-interval", "0"), ENV)
    assert service.post("/webhooks/gitee", gitee_mr(REPO, 1), gitee_headers()).status_code == 202
    wait_until(lambda: api.called("GET", "/repos/{owner}/{repo}/pulls/{number}"))
    assert service.stop(signal.SIGTERM, timeout=30) == 0
    assert api.hub.pulls[(REPO, 1)].labels == {"mdvalidator/pass"}
    assert pending(service.data_dir) == [] and not service.log_events("job-interrupted")
