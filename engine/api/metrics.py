"""Prometheus metrics: counters the API and its workers keep, gauges read from the store.

Counters (this process): events received and processed by outcome, HTTP requests, date
firings on time and late, configuration reloads; histograms: request latency, sweep duration;
gauge: how late the last daily sweep started. Gauges read from the store at scrape time (cached
for ``cache_seconds``): runs by trigger and status, outbox messages by status and dead
letters, pending inbox events — so they are right whichever process did the work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from engine.distributed.schema import has_procrastinate
from engine.domain import models as m

DEAD_STATUSES = ("dead", "dead_letter")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
SWEEP_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)


class StoreCollector(Collector):
    """Gauges counted in the store, at most once per ``cache_seconds``."""

    def __init__(self, sessions: sessionmaker[Session], cache_seconds: float) -> None:
        self.sessions = sessions
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._at = 0.0
        self._rows: dict[str, list[tuple[Any, ...]]] = {}

    def _read(self) -> dict[str, list[tuple[Any, ...]]]:
        with self._lock:
            if self._rows and time.monotonic() - self._at < self.cache_seconds:
                return self._rows
            with self.sessions() as session:
                runs = session.execute(
                    select(m.Run.trigger_id, m.Run.status, func.count()).group_by(
                        m.Run.trigger_id, m.Run.status
                    )
                ).all()
                outbox = session.execute(
                    select(m.OutboxMessage.status, func.count()).group_by(m.OutboxMessage.status)
                ).all()
                pending = session.scalar(
                    select(func.count())
                    .select_from(m.InboxEvent)
                    .where(m.InboxEvent.status == "pending")
                )
                jobs, workers = _jobs(session)
            self._rows = {
                "runs": [tuple(r) for r in runs],
                "outbox": [tuple(r) for r in outbox],
                "pending": [(pending or 0,)],
                "jobs": jobs,
                "workers": workers,
            }
            self._at = time.monotonic()
            return self._rows

    def collect(self) -> Iterator[Metric]:
        rows = self._read()
        runs = GaugeMetricFamily(
            "docket_runs", "Runs in the store by trigger and status.", labels=["trigger", "status"]
        )
        for trigger, status, count in rows["runs"]:
            runs.add_metric([trigger or "(none)", status], count)
        yield runs
        outbox = GaugeMetricFamily(
            "docket_outbox_messages", "Outbox messages by status.", labels=["status"]
        )
        dead = 0
        for status, count in rows["outbox"]:
            outbox.add_metric([status], count)
            if status in DEAD_STATUSES:
                dead += count
        yield outbox
        yield GaugeMetricFamily(
            "docket_outbox_dead_letters", "Outbox messages moved to dead letters.", value=dead
        )
        yield GaugeMetricFamily(
            "docket_inbox_pending", "Events waiting in the inbox.", value=rows["pending"][0][0]
        )
        if not rows["workers"]:
            return  # not a store set up for workers (the distributed mode)
        jobs = GaugeMetricFamily(
            "docket_jobs", "Worker jobs by task and status.", labels=["task", "status"]
        )
        for task, status, count in rows["jobs"]:
            jobs.add_metric([task, status], count)
        yield jobs
        yield GaugeMetricFamily(
            "docket_workers", "Workers with a heartbeat.", value=rows["workers"][0][0]
        )


def _jobs(session: Session) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """procrastinate's jobs by task and status, and its live workers ([] when not set up)."""
    if session.get_bind().dialect.name != "postgresql":
        return [], []
    if not has_procrastinate(session.connection()):
        return [], []
    jobs = session.execute(
        text("SELECT task_name, status::text, count(*) FROM procrastinate_jobs GROUP BY 1, 2")
    ).all()
    workers = session.scalar(text("SELECT count(*) FROM procrastinate_workers"))
    return [tuple(r) for r in jobs], [(workers or 0,)]


class Metrics:
    """One registry per app, so tests may build several apps in one process."""

    def __init__(self, sessions: sessionmaker[Session], cache_seconds: float = 5.0) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.events_received = Counter(
            "docket_events_received",
            "Events received over HTTP by outcome (accepted, rejected, replayed).",
            ["outcome"],
            registry=r,
        )
        self.events_processed = Counter(
            "docket_events_processed",
            "Events processed by this process, by outcome (processed, rejected, failed).",
            ["outcome"],
            registry=r,
        )
        self.http_requests = Counter(
            "docket_http_requests",
            "HTTP requests by method, route and status code.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            "docket_http_request_duration_seconds",
            "HTTP request latency by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sweep_duration = Histogram(
            "docket_sweep_duration_seconds",
            "Duration of scheduler jobs (daily cycle, due work).",
            ["job"],
            buckets=SWEEP_BUCKETS,
            registry=r,
        )
        self.sweep_lateness = Gauge(
            "docket_sweep_lateness_seconds",
            "How long after its scheduled time the last daily cycle started.",
            registry=r,
        )
        self.date_firings = Counter(
            "docket_date_firings",
            "Date-trigger firings written by sweeps, on time or late (catch-up).",
            ["timing"],
            registry=r,
        )
        self.reloads = Counter(
            "docket_config_reloads",
            "Configuration reloads by outcome (applied, unchanged, refused).",
            ["outcome"],
            registry=r,
        )
        r.register(StoreCollector(sessions, cache_seconds))

    def processed(self, outcomes: dict[str, int]) -> None:
        for outcome, count in outcomes.items():
            if count:
                self.events_processed.labels(outcome).inc(count)
