"""The compose example and docs/serve.md stay in step with the service."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from mdvalidator.commands import serve as command
from mdvalidator.serve.metrics import LEDGER_COUNTERS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "serve.md").read_text("utf-8")


def test_the_compose_file_uses_the_official_redis_image_and_valid_commands() -> None:
    compose = yaml.safe_load((ROOT / "examples" / "serve" / "compose.yml").read_text("utf-8"))
    services = compose["services"]
    assert services["redis"]["image"].startswith("redis:")
    parser = argparse.ArgumentParser()
    command.configure(parser)
    roles = set()
    for name in ("web", "worker"):
        args = parser.parse_args(services[name]["command"])
        assert args.queue == "redis://redis:6379/0"
        roles.add(args.role)
    assert roles == {"web", "worker"}
    assert (ROOT / "examples" / "serve" / "Dockerfile").is_file()


def test_the_doc_names_every_metric_flag_and_variable() -> None:
    names = [f"mdvalidator_{n}_total" for n in LEDGER_COUNTERS]
    names += [
        "mdvalidator_webhooks_received_total",
        "mdvalidator_webhooks_refused_total",
        "mdvalidator_webhooks_ignored_total",
        "mdvalidator_webhook_answer_seconds",
        "mdvalidator_job_duration_seconds",
        "mdvalidator_jobs_running",
        "mdvalidator_queue_length",
    ]
    for name in names:
        assert f"`{name}" in DOC, name
    parser = argparse.ArgumentParser()
    command.configure(parser)
    for action in parser._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and action.container.title in ("service", "forges"):
                assert flag in DOC, flag
    for variable in (
        "GITEE_TOKEN",
        "MDVALIDATOR_GITEE_SECRET",
        "GITHUB_APP_ID",
        "GITHUB_APP_PRIVATE_KEY",
        "MDVALIDATOR_GITHUB_SECRET",
    ):
        assert variable in DOC
