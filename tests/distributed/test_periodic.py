"""The periodic work in the distributed mode: the daily sweep fires a date trigger through a
worker, and a wait that is due resumes in a job under its subject's lock."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from engine.config import load_ruleset
from engine.domain.store import make_engine
from engine.runtime.engine import Engine
from tests.distributed.conftest import StartWorker, docket, scalar
from tests.scheduler.conftest import TIMING, place


@pytest.mark.postgres
@pytest.mark.slow
def test_worker_sweeps_the_day_and_resumes_due_waits(
    pg_url: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    root = tmp_path / "timing"
    shutil.copytree(TIMING, root)
    agency = root / "rules" / "agency.yaml"
    agency.write_text(agency.read_text().replace('sweep_time: "06:00"', 'sweep_time: "00:00"'))
    ruleset = load_ruleset(root)
    today = datetime.now(ZoneInfo(ruleset.agency.timezone)).date()
    engine = Engine(ruleset, pg_url)  # the real clock, like the worker's; publishes
    place(engine, "A1", "P1", next_work_date=today)
    place(engine, "A2", "P2")
    engine.submit("onDispute", account="A2")
    engine.process()
    engine.close()
    waiting = "select count(*) from runs where path_id='review-queue' and status='waiting'"
    assert scalar(pg_url, waiting) == 1
    # Five days pass for the wait (the worker's clock is the real one).
    db = make_engine(pg_url)
    with db.begin() as conn:
        conn.execute(
            text("update runs set wait_until = :day where status = 'waiting'"),
            {"day": today - timedelta(days=1)},
        )
    db.dispose()

    assert docket("db", "upgrade", "--distributed", "--db", pg_url).returncode == 0
    start_worker(pg_url, "--due-seconds", "1", "--no-relay")
    reached = "select count(*) from notes where account_id='A1' and text like 'Next work date%'"
    finished = "select count(*) from notes where account_id='A2' and text='queue review finished'"
    deadline = time.monotonic() + 90
    while not (scalar(pg_url, reached) and scalar(pg_url, finished)):
        assert time.monotonic() < deadline, (scalar(pg_url, reached), scalar(pg_url, finished))
        time.sleep(0.3)
    assert (
        scalar(
            pg_url, "select count(*) from runs where path_id='review-queue' and status='completed'"
        )
        == 1
    )
    swept = scalar(
        pg_url,
        "select count(*) from scheduler_state where key='sweep.last_day' "
        f"and value='{today.isoformat()}'",
    )
    assert swept == 1
    assert scalar(pg_url, "select count(*) from fired_dates where trigger_id='next-work-due'") == 1


@pytest.mark.postgres
@pytest.mark.slow
def test_events_left_without_a_job_get_one_from_the_safety_net(
    pg_url: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    engine = Engine(load_ruleset(TIMING), pg_url)
    place(engine, "A1", "P1")
    engine.submit("onDispute", account="A1")  # before the store defers jobs: none for it
    engine.close()
    db = make_engine(pg_url)
    with db.begin() as conn:  # it has waited longer than the safety net's minute
        conn.execute(text("update inbox set received_at = received_at - interval '2 minutes'"))
    db.dispose()
    assert docket("db", "upgrade", "--distributed", "--db", pg_url).returncode == 0
    assert scalar(pg_url, "select count(*) from procrastinate_jobs") == 0
    start_worker(pg_url, "--due-seconds", "1", "--no-relay")
    processed = "select count(*) from inbox where name = 'onDispute' and status = 'processed'"
    deadline = time.monotonic() + 60
    while not scalar(pg_url, processed):
        assert time.monotonic() < deadline, "the orphaned event was never processed"
        time.sleep(0.3)
