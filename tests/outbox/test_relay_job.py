"""The scheduler service's relay job sends what the rules queue, with nobody calling it."""

from __future__ import annotations

import time
from pathlib import Path

from engine.domain.clock import SystemClock
from engine.runtime.engine import Engine
from engine.scheduler.service import RELAY_JOB, SchedulerService
from tests.outbox.conftest import Desk, MakeDesk


def test_the_relay_job_sends_queued_messages(desk: MakeDesk, tmp_path: Path) -> None:
    one: Desk = desk()
    engine = Engine(one.ruleset, one.db_url, clock=SystemClock(one.ruleset.agency.timezone))
    service = SchedulerService(engine, interval_seconds=30, relay_seconds=0.2)
    try:
        service.start()
        assert RELAY_JOB in {job.id for job in service.jobs()}
        one.place(send=("email",))
        deadline = time.monotonic() + 30
        while one.row().status != "sent":
            assert time.monotonic() < deadline, "the relay job never sent the email"
            time.sleep(0.1)
        assert len(list((tmp_path / "docket-outbox" / "email").glob("*.eml"))) == 1
        assert service.errors == []
    finally:
        service.shutdown()
        engine.close()
