"""``mdvalidator serve``: the pull-request bot as a webhook service (docs/serve.md).

Needs the serve extra: ``pip install 'mdvalidator[serve]'``. Nothing of it is imported to
build the parser, so ``mdvalidator --help`` and the lint path stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys

from mdvalidator.argtypes import argtype, at_least, parse_size

HELP = "run the bot as a webhook service for Gitee and a GitHub App (docs/serve.md)"
DESCRIPTION = """\
Receive Gitee webhooks and a GitHub App's webhooks, check each pull request's changed
descriptors (read back from the forge API, judged by the base branch's settings) and publish
one summary comment (a check run too, on GitHub) and a pass or fail label.

Secrets come from the environment only:
  GITEE_TOKEN, MDVALIDATOR_GITEE_SECRET                          Gitee (with --repo)
  GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY (PEM text or a path), MDVALIDATOR_GITHUB_SECRET
Endpoints: POST /webhooks/gitee, POST /webhooks/github, GET /healthz, GET /metrics, GET /.

examples:
  mdvalidator serve --repo mindspore-ai/hub                         # one hub, one machine
  mdvalidator serve --queue redis://10.0.0.5:6379/0 --role web --host 0.0.0.0
  mdvalidator serve --queue redis://10.0.0.5:6379/0 --role worker --workers 4 --repo o/r
"""

__all__ = ["DESCRIPTION", "HELP", "configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    from mdvalidator.serve import settings as S
    from mdvalidator.settings import SETTINGS, add_flags

    seconds = argtype(at_least(0, float, "seconds"))
    service = parser.add_argument_group("service")
    service.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    service.add_argument(
        "--port",
        type=argtype(at_least(0, int, "a port")),
        default=8080,
        help="port to listen on (default %(default)s)",
    )
    service.add_argument(
        "--data-dir",
        metavar="DIR",
        help="queue, ledger, job folders and asset cache "
        "(default: the user data folder, .../mdvalidator/serve)",
    )
    service.add_argument(
        "--queue",
        type=argtype(S.parse_queue),
        default="sqlite",
        metavar="sqlite|redis://HOST:PORT/DB",
        help="where tasks wait: a SQLite file in the data dir (default), or a "
        "Redis server shared by several machines",
    )
    service.add_argument(
        "--role",
        choices=S.ROLES,
        default="all",
        help="all: web and workers (default); web: only receive webhooks; "
        "worker: only run jobs (and the reconciler)",
    )
    service.add_argument(
        "--workers",
        type=argtype(at_least(1, int, "a number of workers")),
        default=1,
        metavar="N",
        help="worker processes (default 1)",
    )
    service.add_argument(
        "--shutdown-timeout",
        type=seconds,
        default=30.0,
        metavar="SECONDS",
        help="on SIGTERM, how long running jobs may take to finish before "
        "they are queued again (default 30)",
    )
    service.add_argument(
        "--max-body-size",
        type=argtype(parse_size),
        default=1024 * 1024,
        metavar="SIZE",
        help="refuse webhook bodies larger than this (default 1M)",
    )
    forges = parser.add_argument_group("forges")
    forges.add_argument(
        "--gitee-api-url",
        type=argtype(S.parse_api_url),
        default="https://gitee.com/api/v5",
        metavar="URL",
        help="default %(default)s",
    )
    forges.add_argument(
        "--github-api-url",
        type=argtype(S.parse_api_url),
        default="https://api.github.com",
        metavar="URL",
        help="GitHub Enterprise: https://HOST/api/v3 (default %(default)s)",
    )
    forges.add_argument(
        "--repo",
        action="extend",
        nargs="+",
        type=argtype(S.parse_repo),
        metavar="OWNER/NAME",
        help="a Gitee repository to serve (repeatable)",
    )
    forges.add_argument(
        "--reconcile-interval",
        type=seconds,
        default=300.0,
        metavar="SECONDS",
        help="how often open pull requests without a verdict are queued (0: never; default 300)",
    )
    forges.add_argument(
        "--label-pass",
        type=argtype(S.parse_label),
        default="mdvalidator/pass",
        metavar="NAME",
        help="label of a passing pull request (default %(default)s)",
    )
    forges.add_argument(
        "--label-fail",
        type=argtype(S.parse_label),
        default="mdvalidator/fail",
        metavar="NAME",
        help="label of a failing pull request (default %(default)s)",
    )
    forges.add_argument(
        "--api-rate",
        type=argtype(at_least(0, float, "requests per second")),
        default=10.0,
        metavar="N",
        help="forge API requests per second per token, all processes together "
        "(0: unlimited; default 10)",
    )
    keys = S.check_keys()
    for title in ("choosing rules", "running", "asset verification"):
        group = parser.add_argument_group(f"checking: {title}")
        add_flags(group, [s.key for s in SETTINGS if s.group == title and s.key in keys])


def run(args: argparse.Namespace) -> int:
    try:
        import huey  # noqa: F401
        import prometheus_client  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401

        from mdvalidator.serve import runner
        from mdvalidator.serve.settings import SettingsError, from_args
    except ImportError as exc:
        print(
            f"mdvalidator serve needs the serve extra ({exc.name} is missing): "
            "pip install 'mdvalidator[serve]'",
            file=sys.stderr,
        )
        return 2
    try:
        settings = from_args(args, os.environ)
    except SettingsError as exc:
        print(f"mdvalidator serve: {exc}", file=sys.stderr)
        return 2
    return runner.run(settings)
