"""What a worker process does for each job: the same functions as the embedded mode.

One ``Worker`` per process holds an engine on the published configuration version. Jobs of
one process take turns on it (the engine is not shared by two jobs at once); parallelism
comes from running several worker processes, each with its own engine and connections.

- ``process(subject)``: every pending event of one subject, in inbox order (the job's
  procrastinate lock is the subject key, so no other job works on it meanwhile).
- ``resume(run)``: one waiting run whose wait is over, under its subject's lock.
- ``due()``: the periodic work — the daily cycle once its hour has passed (date sweep with
  catch-up, the daily hooks) and today's dates entered since; the app then defers one
  ``resume`` job per due wait. Events it queues get their jobs from the inbox trigger.
- ``relay()``: the outbox relay.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from engine.domain import models as m
from engine.outbox import Unrecorded, relay_once
from engine.runtime import Engine
from engine.scheduler import versions
from engine.scheduler.jobs import ResumeReport, due_waits, resume_run, run_day
from engine.scheduler.service import sweep_time
from engine.scheduler.sweep import last_swept, sweep

from .schema import mark_subject, refresh_job_statistics, requeue_orphans

log = logging.getLogger("docket.worker")


ORPHAN_AFTER = timedelta(minutes=1)
RELAY_BATCH = 200  # messages per relay job: event jobs of the same process go in between


@dataclass
class Worker:
    """A worker process's engine, kept on the published version."""

    engine: Engine
    lock: threading.Lock
    subject: str | None = None  # the subject whose events this process is working on
    follow_seconds: float = 1.0  # how often a job checks for a newly published version
    checked_at: float = float("-inf")
    unrecorded: Unrecorded = field(default_factory=Unrecorded)  # relay outcomes not written yet

    @classmethod
    def open(cls, db_url: str, **engine_options: Any) -> Worker:
        engine = versions.open_published(db_url, migrate=False, **engine_options)
        worker = cls(engine, threading.Lock())
        event.listen(engine.sessions, "after_begin", worker._mark_subject)
        return worker

    def _mark_subject(self, _session: Session, _transaction: Any, connection: Connection) -> None:
        if self.subject is not None:
            mark_subject(connection, self.subject)

    def close(self) -> None:
        self.engine.close()

    # --- configuration -------------------------------------------------------------------

    def follow(self, force: bool = False) -> str:
        """Switch to the published version if another one was published; its hash.

        Checked at most every ``follow_seconds`` (one read), so a version published now is
        used by the jobs that start from a second on; a run records the version it used.
        """
        if force or time.monotonic() - self.checked_at >= self.follow_seconds:
            self.checked_at = time.monotonic()
            versions.follow(self.engine)
        return self.engine.ruleset.hash

    # --- job bodies ----------------------------------------------------------------------

    def process(self, subject: str) -> dict[str, Any]:
        with self.lock:
            self.follow()
            self.subject = subject
            try:
                stats = self.engine.process(subject=subject)
            finally:
                self.subject = None
        return stats.as_json()

    def resume(self, run_id: int) -> str:
        engine = self.engine
        assert engine.clock is not None
        with self.lock:
            self.follow()
            today = engine.clock.today()
            report = ResumeReport()
            with engine.sessions() as session, session.begin():
                session.info["today"] = today
                run = session.scalars(due_waits(today).where(m.Run.id == run_id)).first()
                if run is None:
                    return "not due"  # resumed by an earlier job, cancelled, or not yet due
                resume_run(engine, session, run, today, report)
        return "resumed" if report.resumed else f"failed: {report.failed[0][1]}"

    def due(self, now: datetime | None = None) -> tuple[dict[str, Any], list[tuple[int, str]]]:
        """Run the periodic work; return what it did and the due waits (run, subject key)."""
        engine = self.engine
        assert engine.clock is not None
        done: dict[str, Any] = {}
        with self.lock:
            self.follow(force=True)
            today = engine.clock.today()
            local = now or datetime.now(ZoneInfo(engine.ruleset.agency.timezone))
            cycle_day = today if local.time() >= sweep_time(engine) else today - timedelta(days=1)
            with engine.sessions() as session:
                swept = last_swept(session)
            if swept is None or swept < cycle_day:
                done["cycle"] = run_day(engine, cycle_day, drain=False).as_json()
            elif swept == today:
                done["sweep"] = sweep(engine, today).as_json()
            with engine.sessions() as session, session.begin():
                done["orphans"] = requeue_orphans(
                    session.connection(), engine.clock.now() - ORPHAN_AFTER
                )
                columns = (m.Run.id, m.Run.subject_kind, m.Run.subject_id)
                waiting = session.execute(due_waits(today).with_only_columns(*columns)).all()
        done["due_waits"] = len(waiting)
        return done, [(run_id, f"{kind}:{subject_id}") for run_id, kind, subject_id in waiting]

    def maintain(self) -> bool:
        """Keep the job table's statistics fresh (see ``schema.refresh_job_statistics``)."""
        with self.engine.db.connect() as connection:
            refreshed = refresh_job_statistics(connection)
            connection.commit()
        if refreshed:
            log.info("job table statistics refreshed")
        return refreshed

    def relay(self) -> tuple[dict[str, Any], bool]:
        """Send up to RELAY_BATCH due messages; True as well when more may be due."""
        # Only the version check holds the engine: a slow mail server must not hold back
        # this process's event jobs (the relay leases the messages it sends).
        with self.lock:
            self.follow(force=True)
        report = relay_once(self.engine, limit=RELAY_BATCH, unrecorded=self.unrecorded)
        done = report.as_json()
        return dict(done), sum(len(ids) for ids in done.values()) >= RELAY_BATCH
