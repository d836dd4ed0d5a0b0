"""The real service for Gitee: uvicorn on 127.0.0.1, webhooks over HTTP with real signatures,
the stand-in Gitee API and an asset server on loopback. One service serves the whole module;
each test uses its own pull request numbers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from serve_forges import GiteeApi
from serve_standin import GITEE_SPEC, GITEE_TOKEN, AssetServer, Hub, Spec, asset_server, running
from serve_support import (
    CONF_MIRROR,
    FOLDER,
    GITEE_SECRET,
    Service,
    card,
    gitee_headers,
    gitee_mr,
    gitee_note,
    start_service,
    wait_until,
)

REPO = "hub/models"
README = {"README.md": b"# hub\n"}
HOOK = "/webhooks/gitee"


@dataclass
class World:
    api: GiteeApi
    assets: AssetServer
    service: Service
    cards: dict[str, bytes]

    def pull_request(self, number: int, bad: bool = False) -> None:
        files = {f"{FOLDER}/lenet_mnist.md": self.cards["good"]}
        if bad:
            files[f"{FOLDER}/alexnet_cifar10.md"] = self.cards["bad"]
        self.api.hub.open_pull(REPO, number, README, files)

    def deliver(self, number: int, **options: object) -> int:
        return self.service.post(HOOK, gitee_mr(REPO, number), gitee_headers(**options)).status_code  # type: ignore[arg-type]

    def comments(self, number: int) -> list[dict[str, object]]:
        return self.api.hub.comments_on(REPO, number)

    def labels(self, number: int) -> set[str]:
        return self.api.hub.pulls[(REPO, number)].labels

    def row(self, number: int) -> str:
        page = self.service.get("/").text
        found = re.search(rf"<tr><td>gitee</td><td>{REPO}</td><td>!{number}</td>.*?</tr>", page)
        return found.group(0) if found else ""

    def idle(self) -> bool:
        text = self.service.get("/metrics").text
        return "mdvalidator_queue_length 0.0" in text and "mdvalidator_jobs_running 0.0" in text


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("gitee-service")
    with running(GiteeApi(Spec(GITEE_SPEC), Hub())) as api, asset_server() as assets:
        assert isinstance(api, GiteeApi)
        url, sha = assets.add("lenet.ckpt", b"\x0a\x05lenet" + b"\x00" * 300)
        cards = {
            "good": card("lenet_mnist", url, sha),
            "bad": card("alexnet_cifar10", url, sha, good=False),
            "fixed": card("alexnet_cifar10", url, sha),
        }
        env = {"GITEE_TOKEN": GITEE_TOKEN, "MDVALIDATOR_GITEE_SECRET": GITEE_SECRET}
        args = [
            "--repo",
            REPO,
            "--gitee-api-url",
            api.base_url,
            "--allow-private-network",
            "--mirror",
            CONF_MIRROR,
            "--api-rate",
            "200",
            "--reconcile-interval",
            "0",
            "--shutdown-timeout",
            "5",
        ]
        service = start_service(home, args, env)
        try:
            yield World(api, assets, service, cards)
        finally:
            service.stop()
        assert api.errors == [], api.errors


def test_a_good_and_a_bad_card_get_one_comment_and_the_fail_label(world: World) -> None:
    world.pull_request(1, bad=True)
    assert world.deliver(1) == 202
    wait_until(lambda: world.labels(1))
    assert world.labels(1) == {"mdvalidator/fail"}
    [comment] = world.comments(1)
    assert "MDV103" in str(comment["body"]) and "alexnet_cifar10.md" in str(comment["body"])
    wait_until(lambda: "fail" in world.row(1))


def test_a_new_push_edits_the_same_comment_and_flips_the_label(world: World) -> None:
    world.pull_request(2, bad=True)
    assert world.deliver(2) == 202
    wait_until(lambda: world.labels(2) == {"mdvalidator/fail"})
    [first] = world.comments(2)
    world.api.hub.push(REPO, 2, {f"{FOLDER}/alexnet_cifar10.md": world.cards["fixed"]})
    assert world.service.post(HOOK, gitee_mr(REPO, 2, "update"), gitee_headers()).status_code == 202
    wait_until(lambda: world.labels(2) == {"mdvalidator/pass"})
    [again] = world.comments(2)
    assert again["id"] == first["id"] and "All Passed" in str(again["body"])


def test_five_duplicate_deliveries_make_no_second_comment(world: World) -> None:
    world.pull_request(3)
    headers, body = gitee_headers(), gitee_mr(REPO, 3)
    statuses = [world.service.post(HOOK, body, headers).status_code for _ in range(5)]
    assert statuses == [202, 200, 200, 200, 200]
    for _ in range(5):  # five more deliveries of the same event, each freshly signed
        time.sleep(0.002)
        assert world.deliver(3) == 202
    wait_until(lambda: world.labels(3))
    wait_until(world.idle)
    time.sleep(0.3)
    assert len(world.comments(3)) == 1
    posts = [
        r
        for r in world.api.called("POST", "/repos/{owner}/{repo}/pulls/{number}/comments")
        if r.path.endswith("/pulls/3/comments")
    ]
    assert len(posts) == 1


def test_password_mode_and_url_encoded_signatures_are_accepted(world: World) -> None:
    world.pull_request(4)
    world.pull_request(5)
    assert world.deliver(4, mode="password") == 202
    assert world.deliver(5, encoded=True) == 202
    wait_until(lambda: world.labels(4) and world.labels(5))


def test_forged_expired_and_replayed_signatures(world: World) -> None:
    world.pull_request(6)
    world.pull_request(7)
    assert world.deliver(6, secret="guessed") == 401
    assert world.deliver(6, mode="password", secret="guessed") == 401
    hour_ago = int((time.time() - 3601) * 1000)
    assert world.deliver(6, timestamp=hour_ago) == 401
    headers = gitee_headers()
    assert world.service.post(HOOK, gitee_mr(REPO, 6), headers).status_code == 202
    for _ in range(3):  # the same delivery again
        assert world.service.post(HOOK, gitee_mr(REPO, 6), headers).status_code == 200
    # the signature does not cover the body: another body is another event (a check of that
    # pull request, read back from the API), and never a second comment anywhere
    assert world.service.post(HOOK, gitee_mr(REPO, 7), headers).status_code == 202
    stale = gitee_headers(timestamp=hour_ago)
    assert world.service.post(HOOK, gitee_mr(REPO, 6), stale).status_code == 401
    wait_until(lambda: world.labels(6) and world.labels(7))
    wait_until(world.idle)
    assert len(world.comments(6)) == 1 and len(world.comments(7)) == 1
    refused = world.service.get("/metrics").text
    assert 'mdvalidator_webhooks_refused_total{forge="gitee",reason="bad-signature"} 2.0' in refused
    assert 'mdvalidator_webhooks_refused_total{forge="gitee",reason="expired"} 2.0' in refused
    assert 'mdvalidator_webhooks_ignored_total{forge="gitee",reason="duplicate"}' in refused


def test_events_we_do_not_handle_are_204(world: World) -> None:
    service = world.service
    assert service.post(HOOK, b"{}", gitee_headers(event="Push Hook")).status_code == 204
    assert service.post(HOOK, gitee_mr(REPO, 1, "close"), gitee_headers()).status_code == 204
    assert (
        service.post(
            HOOK, gitee_note(REPO, 1, "LGTM"), gitee_headers(event="Note Hook")
        ).status_code
        == 204
    )
    assert service.post(HOOK, b"not json", gitee_headers()).status_code == 400
    bad = json.dumps({"action": "open", "repository": {"full_name": REPO}}).encode()
    assert service.post(HOOK, bad, gitee_headers()).status_code == 400


def test_a_repository_not_served_is_403_and_queues_nothing(world: World) -> None:
    body = gitee_mr("someone/else", 1)
    assert world.service.post(HOOK, body, gitee_headers()).status_code == 403
    time.sleep(0.3)
    assert not [r for r in world.api.requests if "someone" in r.path]
    assert "someone/else" not in world.service.get("/").text


def test_the_answer_comes_within_a_second_whatever_the_queue_holds(world: World) -> None:
    for number in range(1000, 1040):
        world.api.hub.open_pull(REPO, number, README, {}).state = "closed"
    slowest = 0.0
    for number in range(1000, 1040):
        start = time.perf_counter()
        assert world.deliver(number) == 202
        slowest = max(slowest, time.perf_counter() - start)
    assert slowest < 1.0
    wait_until(world.idle, 60)


def test_bodies_over_the_cap_are_413(world: World) -> None:
    big = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert world.service.post(HOOK, big, gitee_headers()).status_code == 413


def test_a_recheck_comment_runs_the_check_again(world: World) -> None:
    world.pull_request(8, bad=True)
    assert world.deliver(8) == 202
    wait_until(lambda: world.labels(8))
    wait_until(world.idle)
    runs = len(world.service.log_events("job"))
    note = gitee_note(REPO, 8, "/mdvalidator recheck")
    assert world.service.post(HOOK, note, gitee_headers(event="Note Hook")).status_code == 202
    wait_until(
        lambda: any(e["pull"] == f"{REPO}!8" for e in world.service.log_events("job")[runs:])
    )
    assert len(world.comments(8)) == 1


def test_a_forge_answering_503_then_200_ends_in_a_verdict(world: World) -> None:
    world.pull_request(9)
    wait_until(world.idle)
    world.api.fail("GET", "/repos/{owner}/{repo}/pulls/{number}", 503, headers={"Retry-After": "1"})
    assert world.deliver(9) == 202
    wait_until(lambda: world.labels(9))
    reads = [
        r
        for r in world.api.called("GET", "/repos/{owner}/{repo}/pulls/{number}")
        if r.path.endswith("/pulls/9")
    ]
    assert reads[1].at - reads[0].at >= 1.0


def test_401_403_and_404_show_on_the_status_page(world: World) -> None:
    hostile = "denied \x1b[31m\u202e<script>alert(1)</script> " + GITEE_TOKEN
    for number, status in ((10, 401), (11, 403)):
        world.pull_request(number)
        wait_until(world.idle)
        world.api.fail("GET", "/repos/{owner}/{repo}/pulls/{number}", status, message=hostile)
        assert world.deliver(number) == 202
        wait_until(lambda n=number, s=status: f"Gitee API error {s}" in world.row(n))
    assert world.deliver(12) == 202  # no such pull request
    wait_until(lambda: "Gitee API error 404" in world.row(12))
    page = world.service.get("/").text
    assert "<script>" not in page and "&lt;script&gt;" in page and "\u202e" not in page


def test_the_github_path_is_404_when_only_gitee_is_configured(world: World) -> None:
    response = world.service.post("/webhooks/github", b"{}", {"X-GitHub-Event": "ping"})
    assert response.status_code == 404


def test_health_and_metrics(world: World) -> None:
    assert world.service.get("/healthz").json() == {"status": "ok"}
    text = world.service.get("/metrics").text
    for name in (
        "mdvalidator_webhooks_received_total",
        "mdvalidator_jobs_done_total",
        "mdvalidator_job_duration_seconds_bucket",
        "mdvalidator_forge_api_calls_total",
        "mdvalidator_forge_api_errors_total",
        "mdvalidator_queue_length",
        "mdvalidator_jobs_running",
        "mdvalidator_webhook_answer_seconds_bucket",
    ):
        assert name in text
    names = {
        line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and line[0] != "#"
    }
    assert all(name.startswith("mdvalidator_") for name in names)


def test_no_secret_in_logs_metrics_or_the_status_page_and_logs_are_clean_json(world: World) -> None:
    world.pull_request(13)
    wait_until(world.idle)
    hostile = "denied \x1b[31m\u202e " + GITEE_TOKEN
    world.api.fail("GET", "/repos/{owner}/{repo}/pulls/{number}", 403, message=hostile)
    assert world.deliver(13) == 202
    wait_until(lambda: "Gitee API error 403" in world.row(13))
    shown = world.service.get("/metrics").text + world.service.get("/").text + world.service.logs()
    for secret in (GITEE_TOKEN, GITEE_SECRET):
        assert secret not in shown
    lines = world.service.logs().splitlines()
    records = [json.loads(line) for line in lines]
    assert {"webhook", "job"} <= {r["event"] for r in records}
    raw = "\n".join(lines)
    assert "\u202e" not in raw and "\\u001b" not in raw and "\x1b" not in raw
    errors = [r["error"] for r in records if r["event"] == "job" and r.get("error")]
    assert any("denied" in e for e in errors)
