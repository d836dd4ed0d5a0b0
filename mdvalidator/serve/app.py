"""The web part: an ASGI app (Starlette) that verifies, parses the minimum and enqueues.

    POST /webhooks/gitee    Gitee's Merge Request Hook and Note Hook (only when Gitee is set up)
    POST /webhooks/github   the GitHub App's webhook (only when the App is set up)
    GET  /healthz           200 once the queue and the ledger answer, else 503
    GET  /metrics           Prometheus text format
    GET  /                  the status page

A delivery is answered 413 (body over the cap), 401 (bad, missing or expired signature), 204
(an event or action we do not handle), 400 (a handled event whose payload names no pull
request), 403 (a repository we do not serve; nothing queued), 200 (a replay: nothing queued) or
202 (queued). Nothing slow happens here: the ledger and the queue each take one small write.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from mdvalidator.serve import signatures, status
from mdvalidator.serve.events import GITEE, GITHUB, Event, PayloadError, parse_gitee, parse_github
from mdvalidator.serve.ledger import Ledger
from mdvalidator.serve.logs import log, now_ms
from mdvalidator.serve.metrics import CONTENT_TYPE, WebMetrics
from mdvalidator.serve.queue import TaskQueue
from mdvalidator.serve.settings import ServeSettings


@dataclass(frozen=True)
class Answer:
    status: int
    body: Mapping[str, Any]
    reason: str = ""  # why it was refused or ignored (metrics label)


class Receiver:
    """The webhook logic, without HTTP: headers (lower-case names) and raw body in."""

    def __init__(
        self, settings: ServeSettings, ledger: Ledger, queue: TaskQueue, metrics: WebMetrics
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.queue = queue
        self.metrics = metrics

    def _verify(self, forge: str, headers: Mapping[str, str], body: bytes) -> signatures.Verdict:
        if forge == GITEE:
            assert self.settings.gitee is not None
            secret = self.settings.gitee.webhook_secret.reveal()
            return signatures.verify_gitee(headers, body, secret, time.time())
        assert self.settings.github is not None
        secret = self.settings.github.webhook_secret.reveal()
        return signatures.verify_github(headers, body, secret)

    def _event(self, forge: str, headers: Mapping[str, str], payload: Any) -> Event | None:
        if forge == GITEE:
            return parse_gitee(headers.get("x-gitee-event", ""), payload)
        return parse_github(headers.get("x-github-event", ""), payload)

    def _served(self, forge: str, event: Event) -> bool:
        if forge == GITEE:
            assert self.settings.gitee is not None
            return self.settings.gitee.serves(event.repo)
        return all(ref.installation > 0 for ref in event.pulls)

    def receive(self, forge: str, headers: Mapping[str, str], body: bytes) -> Answer:
        verdict = self._verify(forge, headers, body)
        if not verdict.ok:
            return Answer(401, {"error": "signature refused"}, verdict.reason)
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return Answer(400, {"error": "the body is not JSON"}, "bad-payload")
        try:
            event = self._event(forge, headers, payload)
        except PayloadError as exc:
            return Answer(400, {"error": str(exc)}, "bad-payload")
        if event is None:
            return Answer(204, {}, "unhandled-event")
        if not event.pulls:
            return Answer(204, {}, "no-pull-request")
        if not self._served(forge, event):
            return Answer(403, {"error": "this repository is not served here"}, "unserved")
        if not self.ledger.accept_delivery(verdict.replay_key, event.pulls, event.force):
            return Answer(200, {"status": "duplicate delivery, already queued"}, "duplicate")
        for ref in event.pulls:
            self.queue.enqueue(ref)
        return Answer(202, {"status": "queued", "pulls": [r.shown for r in event.pulls]})

    def note(self, forge: str, answer: Answer, seconds: float) -> None:
        self.metrics.received.labels(forge).inc()
        self.metrics.answer.labels(forge).observe(seconds)
        if answer.status in (200, 204) and answer.reason:
            self.metrics.ignored.labels(forge, answer.reason).inc()
        elif answer.status >= 400:
            self.metrics.refused.labels(forge, answer.reason or str(answer.status)).inc()


async def _capped_body(request: Request, cap: int) -> bytes | None:
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > cap):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(settings: ServeSettings, ledger: Ledger, queue: TaskQueue) -> Starlette:
    """The ASGI application of ``settings``' configured forges."""
    metrics = WebMetrics(ledger, queue.length)
    receiver = Receiver(settings, ledger, queue, metrics)
    secrets = settings.secrets()

    def hook(forge: str) -> Any:
        async def endpoint(request: Request) -> Response:
            start = time.perf_counter()
            body = await _capped_body(request, settings.max_body)
            headers = {k.lower(): v for k, v in request.headers.items()}
            if body is None:
                answer = Answer(413, {"error": "the body is larger than the cap"}, "too-large")
            else:
                try:
                    answer = await run_in_threadpool(receiver.receive, forge, headers, body)
                except Exception as exc:  # the ledger or the queue is unreachable
                    log("webhook-error", 40, forge=forge, error=type(exc).__name__)
                    answer = Answer(503, {"error": "the queue is unavailable"}, "unavailable")
            seconds = time.perf_counter() - start
            receiver.note(forge, answer, seconds)
            log(
                "webhook", forge=forge, status=answer.status, reason=answer.reason,
                delivery=headers.get("x-github-delivery", ""),
                name=headers.get("x-gitee-event") or headers.get("x-github-event", ""),
                pulls=list(answer.body.get("pulls", [])), ms=now_ms(start),
            )  # fmt: skip
            if answer.status == 204:
                return Response(status_code=204)
            return JSONResponse(dict(answer.body), status_code=answer.status)

        return endpoint

    async def healthz(request: Request) -> Response:
        def check() -> None:
            ledger.ping()
            queue.ping()

        try:
            await run_in_threadpool(check)
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, 503)
        return JSONResponse({"status": "ok"})

    async def metrics_page(request: Request) -> Response:
        text = await run_in_threadpool(metrics.render)
        return Response(text, media_type=CONTENT_TYPE)

    info = {
        "forges": ", ".join(
            name for name, conf in (("gitee", settings.gitee), ("github", settings.github)) if conf
        ),
        "gitee repositories": ", ".join(settings.gitee.repos) if settings.gitee else "-",
        "queue": settings.queue_shown,
        "role": settings.role,
    }

    async def status_page(request: Request) -> Response:
        def page() -> str:
            return status.render(ledger.recent(), ledger.problems(), info, secrets)

        return HTMLResponse(await run_in_threadpool(page))

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
        Route("/", status_page, methods=["GET"]),
    ]
    for forge, conf in ((GITEE, settings.gitee), (GITHUB, settings.github)):
        if conf is not None:
            routes.append(Route(f"/webhooks/{forge}", hook(forge), methods=["POST"]))
            metrics.received.labels(forge)  # the series exist from the first scrape on
            metrics.answer.labels(forge)
    return Starlette(routes=routes)
