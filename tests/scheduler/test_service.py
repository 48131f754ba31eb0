"""The embedded APScheduler service: two fixed jobs, catch-up on start, the inbox drained."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from engine.config.model import RuleSet
from engine.domain import models as m
from engine.domain.clock import SystemClock
from engine.runtime.engine import Engine
from engine.scheduler.service import DAILY_JOB, DUE_JOB, SchedulerService
from engine.scheduler.sweep import LAST_SWEPT
from tests.scheduler.conftest import open_case, place


def wait_for(check: object, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_the_service_catches_up_on_start_and_drains_the_inbox(
    db_url: str, timing_ruleset: RuleSet
) -> None:
    clock = SystemClock(timing_ruleset.agency.timezone)
    engine = Engine(timing_ruleset, db_url, clock=clock)
    today = clock.today()
    place(engine)
    open_case(engine, served_date=(today - timedelta(days=8)).isoformat())  # due 3 days ago
    with engine.unit() as unit:  # the engine last swept five days ago, then was down
        unit.session.merge(
            m.SchedulerState(key=LAST_SWEPT, value=(today - timedelta(days=5)).isoformat())
        )
    service = SchedulerService(engine, interval_seconds=0.2)
    try:
        service.start()
        assert {job.id for job in service.jobs()} == {DAILY_JOB, DUE_JOB}  # never one per case
        [row] = engine.read(lambda s: list(s.scalars(select(m.FiredDate))))
        assert (row.trigger_id, row.late) == ("service-check", True)

        submitted = engine.submit("onCaseServed", case="C1")

        def drained() -> bool:
            event = engine.read(
                lambda s: s.scalars(
                    select(m.InboxEvent).where(m.InboxEvent.id == submitted.id)
                ).one()
            )
            return bool(event.status == "processed")

        assert wait_for(drained), "the due job did not process the inbox"
        assert service.errors == []
    finally:
        service.shutdown()
        engine.close()
    assert not service.running
