"""The processes of ``mdvalidator serve`` and how they start and stop.

``--role web``: uvicorn serving the app. ``--role worker``: start-up recovery, the reconciler
(a child process), and a Huey consumer with ``--workers`` worker processes. ``--role all`` (the
default): the web part in a child process, the worker part in this one. SIGTERM stops
gracefully: uvicorn finishes the requests it has, the consumer lets running jobs finish for
``--shutdown-timeout`` seconds and then interrupts them (an interrupted job is queued again).
Every child watches its parent and exits when it is gone, so a killed service leaves nothing
running behind it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from mdvalidator.serve import logs
from mdvalidator.serve.ledger_open import open_ledger
from mdvalidator.serve.logs import log
from mdvalidator.serve.settings import ServeSettings

_FORK = multiprocessing.get_context("fork")
WORKER_NICENESS = 10


def watch_parent(on_gone: Callable[[], None], interval: float = 0.5) -> None:
    """Call ``on_gone`` (in a daemon thread) once this process's parent has exited."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        on_gone()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _exit_now() -> None:
    os._exit(1)


def _yield_to_the_web() -> None:
    """Jobs are throughput work and webhooks wait for an answer: on a machine that runs both,
    the workers give way (a lower CPU priority), so answers stay fast while jobs run."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)


def run_web(settings: ServeSettings, child: bool = False) -> int:
    import uvicorn

    from mdvalidator.serve.app import create_app
    from mdvalidator.serve.queue import TaskQueue

    ledger = open_ledger(settings.data_dir, settings.queue)
    queue = TaskQueue(settings)
    app = create_app(settings, ledger, queue)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False,
        lifespan="off", server_header=False, proxy_headers=False,
        timeout_graceful_shutdown=max(1, int(settings.shutdown_timeout)),
    )  # fmt: skip
    server = uvicorn.Server(config)
    if child:

        def stop() -> None:
            server.should_exit = True

        watch_parent(stop)
    log("web-start", host=settings.host, port=settings.port, queue=settings.queue_shown)
    server.run()
    return 0 if server.started else 2


def run_reconciler(settings: ServeSettings) -> int:
    """Every ``--reconcile-interval`` seconds (one process of the whole service per interval:
    a slot in the ledger), queue the open pull requests that have no verdict."""
    from mdvalidator.serve.queue import TaskQueue
    from mdvalidator.serve.worker import make_forges, reconcile_once

    watch_parent(_exit_now)
    _yield_to_the_web()
    ledger = open_ledger(settings.data_dir, settings.queue)
    queue = TaskQueue(settings)
    forges = make_forges(settings, ledger)
    interval = settings.reconcile_interval
    while True:
        try:
            if ledger.take_slot("reconciler", 1, interval) == 0:
                reconcile_once(forges, ledger, queue)
        except Exception as exc:  # the ledger or the queue is down: try again next time
            log("reconcile-error", logging.WARNING, error=type(exc).__name__)
        time.sleep(interval - (time.time() % interval) + 0.01)


def _start_child(target: Callable[..., int], *args: Any) -> Any:
    def body() -> None:
        os._exit(target(*args))

    process = _FORK.Process(target=body, daemon=False)
    process.start()
    return process


def _stop_child(process: Any, grace: float) -> None:
    if process is None or not process.is_alive():
        return
    os.kill(process.pid, signal.SIGTERM)
    process.join(grace)
    if process.is_alive():
        process.kill()
        process.join(5)


def run_worker(settings: ServeSettings) -> int:
    from mdvalidator.serve.checking import warm_up
    from mdvalidator.serve.queue import TaskQueue
    from mdvalidator.serve.worker import Worker, recover

    warm_up(settings.check_args)
    ledger = open_ledger(settings.data_dir, settings.queue)
    worker = Worker(settings, ledger)
    queue = TaskQueue(settings, worker.handle)
    worker.queue = queue
    log("worker-start", workers=settings.workers, queue=settings.queue_shown)
    log("recovered", pulls=recover(ledger, queue))

    @queue.huey.on_startup()  # type: ignore[untyped-decorator]
    def _in_each_worker() -> None:
        watch_parent(_exit_now)
        _yield_to_the_web()

    reconciler = None
    if settings.reconcile_interval > 0:
        reconciler = _start_child(run_reconciler, settings)
    consumer = queue.consumer(settings)
    try:
        consumer.run()
    finally:
        _stop_child(reconciler, 5.0)
    log("worker-stop")
    return 0


def run(settings: ServeSettings) -> int:
    """Start the processes of ``settings.role``; returns the exit status."""
    logs.setup(settings.secrets())
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if settings.role == "web":
        return run_web(settings)
    if settings.role == "worker":
        return run_worker(settings)
    web = _start_child(run_web, settings, True)
    try:
        return run_worker(settings)
    finally:
        _stop_child(web, settings.shutdown_timeout + 5)
