"""The webhook service under load: 500 deliveries for 100 pull requests, with 1 and 2 workers.

    python bench/bench_serve.py [--prs 100] [--deliveries 5] [--cards 5] [--senders 8]
                                [--workers 1,2] [--check-targets]

For each worker count, a fresh ``mdvalidator serve`` (uvicorn on 127.0.0.1, the SQLite queue,
``--allow-private-network``, ``--api-rate 0``: the stand-in has no rate limit to respect) runs
against the tests' stand-in Gitee API (every request checked against the API description) and
a loopback asset server. Each pull request adds ``--cards`` cards, each with its own asset
(2 KiB) to download and verify; one card in ten is broken, so some verdicts are failures.
``--deliveries`` signed webhooks per pull request (open, then updates and duplicates of it)
are sent by ``--senders`` threads, shuffled, as fast as the service answers.

Printed per worker count: the webhook answer latency (p50, p99, max), the time from the last
delivery to the last verdict (the last label set on the stand-in), verdicts per second (pull
requests over the time from the first delivery to the last verdict), and the comments posted
(must equal the pull requests: no duplicate, none missing). ``--check-targets`` exits 1 when a
target is missed: answer p99 < 50 ms, every pull request with a verdict, one comment each.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # openapi_check, the stand-ins' request checker
sys.path.insert(0, str(ROOT / "tests" / "serve"))

from serve_forges import GiteeApi  # noqa: E402
from serve_standin import GITEE_SPEC, GITEE_TOKEN, Hub, Spec, asset_server, running  # noqa: E402
from serve_support import (  # noqa: E402
    CONF_MIRROR,
    FOLDER,
    GITEE_SECRET,
    card,
    gitee_headers,
    gitee_mr,
    redis_on_loopback,
    start_service,
    wait_until,
)

REPO = "hub/models"
P99_TARGET = 0.050


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextmanager
def redis_server(wanted: bool, folder: Path) -> Iterator[str]:
    """``sqlite``, or the URL of a fresh redis-server on a loopback port (stopped after)."""
    if not wanted:
        yield "sqlite"
        return
    with redis_on_loopback("redis-server", folder) as url:
        yield url


def send_all(
    port: int, deliveries: list[tuple[int, str]], senders: int
) -> tuple[list[tuple[float, int]], float, float]:
    """Send the signed deliveries from ``senders`` threads: (seconds, status) of each, and the
    wall-clock times of the first send and of the last answer."""
    import requests

    url = f"http://127.0.0.1:{port}/webhooks/gitee"
    local = threading.local()
    results: list[tuple[float, int]] = []
    lock = threading.Lock()

    def send(item: tuple[int, str]) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        number, action = item
        body, headers = gitee_mr(REPO, number, action), gitee_headers()
        start = time.perf_counter()
        status = local.session.post(url, data=body, headers=headers, timeout=30).status_code
        with lock:
            results.append((time.perf_counter() - start, status))

    first = time.time()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, deliveries))
    return results, first, time.time()


def run(workers: int, options: argparse.Namespace, home: Path) -> dict[str, float]:
    with running(GiteeApi(Spec(GITEE_SPEC), Hub())) as api, asset_server() as assets:
        assert isinstance(api, GiteeApi)
        numbers = list(range(1, options.prs + 1))
        for number in numbers:
            files = {}
            for index in range(options.cards):
                stem = f"model{number}x{index}_mnist"
                url, sha = assets.add(f"{stem}.ckpt", b"\x0a\x05model" + bytes([index]) * 2048)
                files[f"{FOLDER}/{stem}.md"] = card(stem, url, sha, good=(number + index) % 10 != 0)
            api.hub.open_pull(REPO, number, {"README.md": b"# hub\n"}, files)
        env = {"GITEE_TOKEN": GITEE_TOKEN, "MDVALIDATOR_GITEE_SECRET": GITEE_SECRET}
        args = [
            "--repo",
            REPO,
            "--gitee-api-url",
            api.base_url,
            "--allow-private-network",
            "--mirror",
            CONF_MIRROR,  # the cards' mindspore_hub_conf.py (check-conf is on in the bot)
            "--reconcile-interval",
            "0",
            "--api-rate",
            "0",
            "--workers",
            str(workers),
            "--queue",
            options.queue,
        ]
        service = start_service(home / f"workers-{workers}", args, env)
        try:
            deliveries = [
                (number, "open" if turn == 0 else "update")
                for number in numbers
                for turn in range(options.deliveries)
            ]
            random.Random(7).shuffle(deliveries)
            # The senders run in a process of their own: in this one, the stand-in's threads
            # (JSON-schema checks of every API call) would hold the GIL and inflate the
            # answer times measured.
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                results, first, last_delivery = pool.apply(
                    send_all, (service.port, deliveries, options.senders)
                )
            answers = [seconds for seconds, _ in results]
            statuses = [status for _, status in results]

            def all_done() -> bool:
                return all(api.hub.pulls[(REPO, n)].labels for n in numbers)

            wait_until(all_done, options.timeout, step=0.1)
            labelled = api.called("POST", "/repos/{owner}/{repo}/pulls/{number}/labels")
            last_verdict = max(r.at for r in labelled)
            comments = len(api.hub.comments)
            per_pull = {n: len(api.hub.comments_on(REPO, n)) for n in numbers}
            inside = [e["ms"] / 1000 for e in service.log_events("webhook")]
            assert api.errors == [], api.errors[:5]
        finally:
            service.stop()
    return {
        "workers": workers,
        "deliveries": len(statuses),
        "accepted": statuses.count(202),
        "p50": statistics.median(answers),
        "p99": percentile(answers, 0.99),
        "max": max(answers),
        "server_p50": statistics.median(inside),
        "server_p99": percentile(inside, 0.99),
        "drain": max(0.0, last_verdict - last_delivery),
        "rate": len(numbers) / (last_verdict - first),
        "comments": comments,
        "without": sum(1 for n in per_pull.values() if n == 0),
        "duplicates": sum(1 for n in per_pull.values() if n > 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prs", type=int, default=100)
    parser.add_argument("--deliveries", type=int, default=5, help="per pull request")
    parser.add_argument("--cards", type=int, default=5, help="per pull request")
    parser.add_argument("--senders", type=int, default=8, help="threads sending webhooks")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--redis", action="store_true", help="the Redis queue: start a redis-server on loopback"
    )
    parser.add_argument("--check-targets", action="store_true")
    options = parser.parse_args()
    options.queue = "sqlite"
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        for workers in (int(w) for w in options.workers.split(",")):
            with redis_server(options.redis, Path(folder)) as queue:
                options.queue = queue
                rows.append(run(workers, options, Path(folder)))
    print(
        f"{options.prs} pull requests x {options.cards} cards, "
        f"{options.prs * options.deliveries} deliveries from {options.senders} senders"
    )
    print(
        "workers  deliveries  202s  answer p50 ms  p99 ms  max ms  in-service p50/p99 ms  "
        "last delivery->verdict s  verdicts/s  comments  missing  duplicated"
    )
    failed = False
    for row in rows:
        print(
            f"{row['workers']:>7}  {row['deliveries']:>10}  {row['accepted']:>4}  "
            f"{row['p50'] * 1000:>13.1f}  {row['p99'] * 1000:>6.1f}  {row['max'] * 1000:>6.1f}  "
            f"{row['server_p50'] * 1000:>11.1f}/{row['server_p99'] * 1000:<9.1f} "
            f"{row['drain']:>24.2f}  {row['rate']:>10.2f}  {row['comments']:>8}  "
            f"{row['without']:>7}  {row['duplicates']:>10}"
        )
        failed |= row["p99"] >= P99_TARGET or row["without"] > 0 or row["duplicates"] > 0
        failed |= row["comments"] != options.prs
    print(
        f"targets: answer p99 < {P99_TARGET * 1000:.0f} ms, no pull request without a verdict, "
        "one comment per pull request: " + ("missed" if failed else "met")
    )
    return 1 if failed and options.check_targets else 0


if __name__ == "__main__":
    sys.exit(main())
