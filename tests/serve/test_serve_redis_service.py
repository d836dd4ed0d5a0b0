"""Redis mode against a real redis-server: one web process and two worker processes, each
with its own data dir, sharing the work through the queue and the ledger in Redis."""

from __future__ import annotations

import signal
from pathlib import Path

from serve_forges import GiteeApi
from serve_standin import GITEE_SPEC, GITEE_TOKEN, AssetServer, Hub, Spec, running
from serve_support import (
    CONF_MIRROR,
    FOLDER,
    GITEE_SECRET,
    card,
    free_port,
    gitee_headers,
    gitee_mr,
    start_service,
    wait_until,
)

REPO = "hub/models"
ENV = {"GITEE_TOKEN": GITEE_TOKEN, "MDVALIDATOR_GITEE_SECRET": GITEE_SECRET}


def test_two_workers_share_the_work_through_redis(
    redis_url: str, assets: AssetServer, tmp_path: Path
) -> None:
    url, sha = assets.add("lenet.ckpt", b"\x0a\x05lenet" + b"\x00" * 300)
    files = {f"{FOLDER}/lenet_mnist.md": card("lenet_mnist", url, sha)}
    with running(GiteeApi(Spec(GITEE_SPEC), Hub())) as api:
        assert isinstance(api, GiteeApi)
        api.delay = 0.02
        numbers = list(range(1, 13))
        for number in numbers:
            api.hub.open_pull(REPO, number, {"README.md": b"# hub\n"}, files)
        common = [
            "--repo",
            REPO,
            "--gitee-api-url",
            api.base_url,
            "--allow-private-network",
            "--mirror",
            CONF_MIRROR,
            "--queue",
            redis_url,
            "--reconcile-interval",
            "0",
            "--api-rate",
            "200",
        ]
        web = start_service(tmp_path, [*common, "--role", "web"], ENV, data_dir=tmp_path / "web")
        workers = [
            start_service(
                tmp_path,
                [*common, "--role", "worker"],
                ENV,
                data_dir=tmp_path / f"w{i}",
                port=free_port(),
                wait=False,
            )
            for i in (1, 2)
        ]
        try:
            wait_until(lambda: all(w.log_events("worker-start") for w in workers))
            for number in numbers:
                body = gitee_mr(REPO, number)
                assert web.post("/webhooks/gitee", body, gitee_headers()).status_code == 202
            wait_until(lambda: all(api.hub.pulls[(REPO, n)].labels for n in numbers), 40)
            for number in numbers:
                assert len(api.hub.comments_on(REPO, number)) == 1
            wanted = {f"{REPO}!{n}" for n in numbers}

            def done() -> list[set[str]]:
                return [{e["pull"] for e in w.log_events("job")} for w in workers]

            wait_until(lambda: done()[0] | done()[1] == wanted)  # the log line follows the label
            assert done()[0] and done()[1], done()  # both workers ran jobs
            status = web.get("/").text
            assert all(f"!{n}<" in status for n in numbers) and "redis://" in status
            assert 'mdvalidator_jobs_done_total{verdict="pass"} 12.0' in web.get("/metrics").text
            for worker in workers:
                assert worker.stop(signal.SIGTERM) == 0
        finally:
            for service in (web, *workers):
                service.kill()
        assert api.errors == [], api.errors
