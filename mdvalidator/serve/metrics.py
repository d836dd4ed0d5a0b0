"""Metrics in the Prometheus text format, every name prefixed ``mdvalidator_``, with units.

The web process counts the webhooks it answers (``prometheus_client`` counters and a histogram
of answer times). Jobs run in other processes, perhaps on other machines, so what they count
(jobs, their durations, forge API calls and errors) is added to the ledger's counters and read
back here at scrape time; the queue length and the jobs running are read from the queue and the
ledger. Nothing here carries a secret: labels are forge names, reasons, verdicts, statuses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from mdvalidator.serve.ledger import Ledger

PREFIX = "mdvalidator_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
JOB_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

# Counters the workers keep in the ledger: name -> (help, label names).
LEDGER_COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "jobs_queued": ("Pull requests accepted for a check (webhooks, reconciler, recovery)", ()),
    "jobs_done": ("Jobs that ended; verdict pass, fail or none (none published)", ("verdict",)),
    "jobs_failed": ("Jobs that ended in an error (forge API, settings)", ()),
    "forge_api_calls": ("Forge API requests answered", ("forge",)),
    "forge_api_errors": ("Forge API errors, by HTTP status (0: no answer)", ("forge", "status")),
    "reconcile_runs": ("Reconciler passes over the open pull requests", ()),
}  # fmt: skip
_KEY = re.compile(r"^(?P<name>[a-z_]+)(?:\|(?P<labels>.*))?$")
_LABEL = re.compile(r'(\w+)="([^"]*)"')


def counter_key(name: str, **labels: str) -> str:
    """How a counter series is named in the ledger: ``name|label="value",...``."""
    if not labels:
        return name
    return name + "|" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def job_duration_counts(seconds: float) -> dict[str, float]:
    """The ledger increments that record one job of ``seconds`` in the duration histogram."""
    counts = {
        counter_key("job_duration_seconds_bucket", le=_le(bound)): 1.0
        for bound in JOB_BUCKETS
        if seconds <= bound
    }
    counts[counter_key("job_duration_seconds_bucket", le="+Inf")] = 1.0
    counts["job_duration_seconds_sum"] = seconds
    counts["job_duration_seconds_count"] = 1.0
    return counts


def _le(bound: float) -> str:
    return f"{bound:g}" if bound != int(bound) else f"{bound:.1f}"


def _parse(counts: Mapping[str, float]) -> dict[str, list[tuple[dict[str, str], float]]]:
    series: dict[str, list[tuple[dict[str, str], float]]] = defaultdict(list)
    for key, value in counts.items():
        found = _KEY.match(key)
        if found:
            labels = dict(_LABEL.findall(found["labels"] or ""))
            series[found["name"]].append((labels, value))
    return series


class LedgerCollector(Collector):
    """What the workers counted, the jobs running and the queue's length, at scrape time."""

    def __init__(self, ledger: Ledger, queue_length: Any) -> None:
        self.ledger = ledger
        self.queue_length = queue_length

    def collect(self) -> Iterator[Metric]:
        series = _parse(self.ledger.counters())
        for name, (doc, label_names) in LEDGER_COUNTERS.items():
            family = CounterMetricFamily(PREFIX + name, doc, labels=label_names)
            for labels, value in series.get(f"{name}_total", []):
                family.add_metric([labels.get(n, "") for n in label_names], value)
            yield family
        buckets = sorted(
            ((labels.get("le", ""), value) for labels, value in series.get(
                "job_duration_seconds_bucket", [])),
            key=lambda item: float("inf") if item[0] == "+Inf" else float(item[0]),
        )  # fmt: skip
        total = sum(v for _, v in series.get("job_duration_seconds_sum", []))
        yield HistogramMetricFamily(
            PREFIX + "job_duration_seconds",
            "Time from claiming a pull request to its published verdict",
            buckets=buckets or [("+Inf", 0.0)],
            sum_value=total,
        )
        yield GaugeMetricFamily(
            PREFIX + "jobs_running", "Jobs holding a pull request's lease now",
            value=self.ledger.running(),
        )  # fmt: skip
        yield GaugeMetricFamily(
            PREFIX + "queue_length", "Tasks waiting in the queue", value=self.queue_length()
        )


class WebMetrics:
    """The web process's registry: its own counters plus :class:`LedgerCollector`."""

    def __init__(self, ledger: Ledger, queue_length: Any) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created: noise
        self.registry = CollectorRegistry(auto_describe=False)
        self.received = Counter(
            PREFIX + "webhooks_received", "Webhook deliveries received", ["forge"],
            registry=self.registry,
        )  # fmt: skip
        self.refused = Counter(
            PREFIX + "webhooks_refused",
            "Webhook deliveries refused (signature, expiry, size, payload, repository)",
            ["forge", "reason"], registry=self.registry,
        )  # fmt: skip
        self.ignored = Counter(
            PREFIX + "webhooks_ignored", "Deliveries answered but not queued (event, replay)",
            ["forge", "reason"], registry=self.registry,
        )  # fmt: skip
        self.answer = Histogram(
            PREFIX + "webhook_answer_seconds", "Time to answer a webhook delivery", ["forge"],
            buckets=WEBHOOK_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.registry.register(LedgerCollector(ledger, queue_length))

    def render(self) -> bytes:
        return generate_latest(self.registry)
