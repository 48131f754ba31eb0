"""The procrastinate app of the distributed mode: Docket's tasks and periodic tasks.

Tasks (queue ``events``): ``docket.process`` (a subject's pending events; deferred by the
inbox trigger, ``lock`` = subject key) and ``docket.resume`` (one due wait, ``lock`` = its
subject key, ``queueing_lock`` = the run). Periodic tasks (queue ``periodic``), each deferred
once per period across all workers and locked so that two never overlap: ``docket.due``
(every minute: the daily cycle when due, today's new dates, due waits), ``docket.relay`` (the
outbox) and ``docket.retry_stalled`` (jobs of a worker whose heartbeat stopped — killed, or
its machine gone — go back to the queue; running them again is safe, the inbox and the
ledger make each event count once); it also keeps the job table's planner statistics fresh.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.utils import sync_to_async

from .schema import EVENTS_QUEUE, PERIODIC_QUEUE, PROCESS_TASK, RELAY_QUEUE, conninfo
from .work import Worker

log = logging.getLogger("docket.worker")

RESUME_TASK = "docket.resume"
# A job that failed (a deadlock between a case's job and one of its accounts' jobs, a lost
# connection) runs again: the inbox keeps what was done, the rest is redone.
JOB_RETRY = RetryStrategy(max_attempts=20, exponential_wait=1)
# Periodic jobs go before the event backlog (jobs run by priority, then by id): a stalled job
# must be retried, and the day swept, even while thousands of events wait.
PERIODIC_PRIORITY = 10


@dataclass(frozen=True)
class Timing:
    """How often the periodic tasks run (cron, with an optional 6th field for seconds) and
    when a worker without a heartbeat counts as gone."""

    due_cron: str = "* * * * *"
    relay_cron: str | None = "* * * * * */5"  # None: this worker does not run the relay
    stalled_cron: str = "* * * * * */10"
    heartbeat_seconds: float = 10.0
    stalled_after_seconds: float = 30.0


def build_app(db_url: str, worker: Worker | None = None, timing: Timing = Timing()) -> App:
    """The app; with ``worker`` (a worker process) its tasks run on that worker's engine."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(db_url)))

    def current() -> Worker:
        if worker is None:
            raise RuntimeError("this app only defers jobs: run them with `docket worker`")
        return worker

    @app.task(name=PROCESS_TASK, queue=EVENTS_QUEUE, retry=JOB_RETRY)
    def process(subject: str) -> dict[str, Any]:
        return current().process(subject)

    @app.task(name=RESUME_TASK, queue=EVENTS_QUEUE, retry=JOB_RETRY)
    def resume(run: int) -> str:
        return current().resume(run)

    @app.periodic(cron=timing.due_cron, periodic_id="due", priority=PERIODIC_PRIORITY)
    @app.task(
        name="docket.due", queue=PERIODIC_QUEUE, lock="docket.due", queueing_lock="docket.due"
    )
    async def due(timestamp: int) -> dict[str, Any]:
        done, waits = await sync_to_async(current().due)
        for run_id, subject in waits:
            try:
                await resume.configure(
                    lock=subject, queueing_lock=f"docket.resume:{run_id}"
                ).defer_async(run=run_id)
            except AlreadyEnqueued:  # a job for this wait is already queued
                continue
        return done

    if timing.relay_cron is not None:
        _relay_task(app, current, timing.relay_cron)

    @app.periodic(cron=timing.stalled_cron, periodic_id="stalled", priority=PERIODIC_PRIORITY)
    @app.task(
        name="docket.retry_stalled",
        queue=PERIODIC_QUEUE,
        lock="docket.retry_stalled",
        queueing_lock="docket.retry_stalled",
    )
    async def retry_stalled(timestamp: int) -> int:
        await sync_to_async(current().maintain)
        stalled = await app.job_manager.get_stalled_jobs(
            seconds_since_heartbeat=timing.stalled_after_seconds
        )
        count = 0
        for job in stalled:
            log.warning(
                "retrying a stalled job",
                extra={"job": job.id, "task": job.task_name, "lock": job.lock},
            )
            await app.job_manager.retry_job(job)
            count += 1
        return count

    return app


def _relay_task(app: App, current: Callable[[], Worker], cron: str) -> None:
    @app.periodic(cron=cron, periodic_id="relay", priority=PERIODIC_PRIORITY)
    @app.task(
        name="docket.relay",
        queue=RELAY_QUEUE,
        lock="docket.relay",
        queueing_lock="docket.relay",
    )
    async def relay(timestamp: int) -> dict[str, Any]:
        done, more = await sync_to_async(current().relay)
        if more:  # the next batch right away, as a job of its own
            with contextlib.suppress(AlreadyEnqueued):  # one is queued already
                await relay.configure(priority=PERIODIC_PRIORITY).defer_async(timestamp=timestamp)
        return done


def run_worker(
    app: App,
    *,
    name: str | None = None,
    concurrency: int = 1,
    queues: list[str] | None = None,
    timing: Timing = Timing(),
) -> None:
    """Run one procrastinate worker until SIGTERM/SIGINT (the job in progress finishes)."""
    app.run_worker(
        name=name,
        concurrency=concurrency,
        queues=queues or None,
        wait=True,
        update_heartbeat_interval=timing.heartbeat_seconds,
        stalled_worker_timeout=timing.stalled_after_seconds,
        delete_jobs="successful",
    )
