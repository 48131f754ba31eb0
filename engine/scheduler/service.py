"""The embedded scheduler: APScheduler 3 running the few fixed jobs of one process.

Two jobs, never one per case: the daily cycle (``run_day``) at ``agency.sweep_time`` in the
agency time zone, and the frequent job (``run_due``: dates entered today, due waits, the
inbox) every ``interval_seconds``. On start-up the service applies a RuleSet version change
to waiting runs and catches up: if today's sweep time has passed it runs today's cycle,
otherwise the cycle of yesterday — either covers every day missed since the last sweep.
A lock keeps the two jobs from overlapping; the ledger keeps a repeat from firing twice.
With ``relay_seconds`` a third job runs the outbox relay (``docket run`` turns it on): in the
write turns of ``relay_gate`` when the owner sets one (the API's write gate), with the
outcomes it could not record yet kept across passes, and ``relay_problem`` saying why it
cannot send (its connectors do not start, or every send of its last pass failed).
In the distributed mode the same job functions run as procrastinate periodic tasks.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from engine.outbox import Gate, Unrecorded, record_kept, relay_once
from engine.scheduler import versions
from engine.scheduler.jobs import DayReport, run_day, run_due

if TYPE_CHECKING:
    from engine.runtime import Engine

log = logging.getLogger("docket.scheduler")

DAILY_JOB = "docket-daily-cycle"
DUE_JOB = "docket-due-work"
RELAY_JOB = "docket-outbox-relay"


def sweep_time(engine: Engine) -> time:
    """The agency's daily sweep time (``HH:MM``)."""
    hour, _, minute = engine.ruleset.agency.sweep_time.partition(":")
    return time(int(hour), int(minute or 0))


class SchedulerService:
    """Start and stop the fixed jobs of the embedded mode around one engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval_seconds: float = 60.0,
        relay_seconds: float | None = None,
    ) -> None:
        self.engine = engine
        self.interval_seconds = interval_seconds
        self.relay_seconds = relay_seconds  # None: no outbox relay job in this process
        self.zone = ZoneInfo(engine.ruleset.agency.timezone)
        self.scheduler = BackgroundScheduler(timezone=self.zone)
        self.lock = threading.Lock()
        self.last_cycle: DayReport | None = None
        self.errors: list[str] = []
        self.relay_gate: Gate | None = None
        self.unrecorded = Unrecorded()
        self._relay_error: str | None = None  # the last pass failed outright
        self._relay_stuck: str | None = None  # sends failed, and none succeeded since

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Apply a version change, catch up missed days, then schedule the fixed jobs."""
        change = versions.adopt(self.engine)
        for problem in change.problems:
            log.warning("version change: %s", problem)
        self.catch_up()
        self.scheduler.add_job(
            self.daily,
            self._daily_trigger(),
            id=DAILY_JOB,
            name="daily cycle: date sweep, due waits, daily hooks, inbox",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # a late cycle still runs: it is the day's only sweep
            replace_existing=True,
        )
        self.scheduler.add_job(
            self.due,
            IntervalTrigger(seconds=self.interval_seconds, timezone=self.zone),
            id=DUE_JOB,
            name="due work: today's new dates, due waits, inbox",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
        if self.relay_seconds is not None:
            self.scheduler.add_job(
                self.relay,
                IntervalTrigger(seconds=self.relay_seconds, timezone=self.zone),
                id=RELAY_JOB,
                name="outbox relay: send due messages through their connectors",
                max_instances=1,
                coalesce=True,
                replace_existing=True,
            )
        self.scheduler.start()

    def follow_sweep_time(self) -> None:
        """Move the daily job to the running version's ``agency.sweep_time`` (after a switch)."""
        if self.running:
            self.scheduler.reschedule_job(DAILY_JOB, trigger=self._daily_trigger())

    def _daily_trigger(self) -> CronTrigger:
        at = sweep_time(self.engine)
        return CronTrigger(hour=at.hour, minute=at.minute, timezone=self.zone)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the jobs; with ``wait`` a running job finishes first, and outcomes the relay
        could not record yet get a last try."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        if wait and len(self.unrecorded):
            record_kept(self.engine, self.unrecorded, self.relay_gate)

    @property
    def relay_problem(self) -> str | None:
        """Why the relay cannot send (None: it can, as far as its last passes tell)."""
        return self._relay_error or self._relay_stuck

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    def jobs(self) -> list[Any]:
        return list(self.scheduler.get_jobs())

    # --- job bodies ----------------------------------------------------------------------

    def catch_up(self) -> DayReport:
        """The cycle of today (after sweep time) or of yesterday (before it)."""
        assert self.engine.clock is not None
        today = self.engine.clock.today()
        local_now = datetime.now(self.zone).time()
        day = today if local_now >= sweep_time(self.engine) else today - timedelta(days=1)
        with self.lock:
            self.last_cycle = run_day(self.engine, day)
        return self.last_cycle

    def daily(self) -> None:
        try:
            with self.lock:
                self.last_cycle = run_day(self.engine)
        except Exception as exc:  # the scheduler thread must survive; the next run retries
            self.errors.append(f"daily cycle: {type(exc).__name__}: {exc}")
            log.exception("daily cycle failed")

    def due(self) -> None:
        try:
            with self.lock:
                run_due(self.engine)
        except Exception as exc:
            self.errors.append(f"due work: {type(exc).__name__}: {exc}")
            log.exception("due work failed")

    def relay(self) -> None:
        # Not under the lock: a slow SMTP server must not hold back the date sweep.
        try:
            report = relay_once(self.engine, gate=self.relay_gate, unrecorded=self.unrecorded)
        except Exception as exc:  # the scheduler thread must survive; the next run retries
            self.errors.append(f"outbox relay: {type(exc).__name__}: {exc}")
            self._relay_error = f"the outbox relay fails: {exc}"
            log.exception("outbox relay failed")
            return
        self._relay_error = None
        if report.cannot_send:
            self._relay_stuck = (
                f"the outbox relay cannot send: {len(report.retrying)} message(s) failed in "
                f"its last pass and none went out; last error: {report.last_failure}"
            )
        elif report.sent:
            self._relay_stuck = None
