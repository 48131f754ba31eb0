"""Three worker processes on PostgreSQL: 20,000 events over 2,000 subjects, one worker killed.

Every subject's events are processed in order (the ``seq`` each event carries is recorded by
its run, and the records of a subject must come in ``seq`` order), each exactly once (ledger,
runs, status history and outbox rows counted), and the jobs the killed worker held are
retried by the survivors once its heartbeat is overdue.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.domain.operations import invoke
from engine.domain.operations.accounts import upsert_party
from tests.distributed.conftest import StartWorker, docket, scalar
from tests.runtime.helpers import make_engine

SUBJECTS, PER_SUBJECT = 2000, 10
TOTAL = SUBJECTS * PER_SUBJECT
PENDING = "select count(*) from inbox where name='onCeaseCommunication' and status='pending'"


def _seed(pg_url: str) -> None:
    """The test agency's version published, 2,000 accounts placed (and their events done)."""
    engine = make_engine(pg_url)
    with engine.unit() as unit:
        for index in range(SUBJECTS):
            upsert_party(unit, {"id": f"P{index}", "name": "Dana Reyes"})
            invoke(
                unit,
                "place_account",
                {
                    "account": f"A{index}",
                    "client": "ACME",
                    "parties": [f"P{index}"],
                    "balances": {"principal": "100.00"},
                },
            )
    engine.process()
    engine.close()


def _submit(pg_url: str) -> None:
    """The events, round robin over the subjects, 2,000 per transaction (one per subject)."""
    engine = make_engine(pg_url)
    for seq in range(PER_SUBJECT):
        engine.submit_many(
            {"name": "onCeaseCommunication", "account": f"A{index}", "data": {"seq": seq}}
            for index in range(SUBJECTS)
        )
    engine.close()


def _registered(pg_url: str, count: int) -> int:
    """Wait until ``count`` workers have registered; the newest one's id."""
    deadline = time.monotonic() + 60
    while scalar(pg_url, "select count(*) from procrastinate_workers") < count:
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)
    return scalar(pg_url, "select max(id) from procrastinate_workers")


def _kill_holding_a_job(pg_url: str, victim: subprocess.Popen[bytes], victim_id: int) -> int:
    """SIGKILL the victim while it holds a job (frozen with SIGSTOP to look); the job's id."""
    doing = f"select min(id) from procrastinate_jobs where status='doing' and worker_id={victim_id}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        victim.send_signal(signal.SIGSTOP)
        held = scalar(pg_url, doing)
        if held:
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
            return held
        victim.send_signal(signal.SIGCONT)
        time.sleep(0.05)
    raise AssertionError("the victim never held a job")


@pytest.mark.postgres
@pytest.mark.slow
def test_three_workers_keep_order_and_exactly_once_when_one_is_killed(
    pg_url: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    _seed(pg_url)
    setup = docket("db", "upgrade", "--distributed", "--db", pg_url)
    assert setup.returncode == 0, setup.stderr
    options = ("--heartbeat", "1", "--stalled-after", "4", "--no-relay")
    victim = start_worker(pg_url, *options, "--name", "victim")
    victim_id = _registered(pg_url, 1)
    others = [start_worker(pg_url, *options, "--name", f"w{n}") for n in (1, 2)]
    _registered(pg_url, 3)
    _submit(pg_url)
    assert scalar(pg_url, "select count(*) from inbox where name='onCeaseCommunication'") == TOTAL

    deadline = time.monotonic() + 600
    while TOTAL - scalar(pg_url, PENDING) < TOTAL // 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    held = _kill_holding_a_job(pg_url, victim, victim_id)
    killed_at = TOTAL - scalar(pg_url, PENDING)
    assert 0 < killed_at < TOTAL, "the kill must land mid-run"

    stuck = f"select count(*) from procrastinate_jobs where status = 'doing' and id in ({held})"
    while (scalar(pg_url, PENDING) or scalar(pg_url, stuck)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert scalar(pg_url, PENDING) == 0, "the survivors did not finish"
    assert scalar(pg_url, stuck) == 0, "the killed worker's job was never retried"
    logs = "".join(path.read_text(errors="replace") for path in tmp_path.glob("worker-*.log"))
    assert f'"message": "retrying a stalled job", "job": {held}' in logs
    assert all(worker.poll() is None for worker in others)

    processed = (
        "select count(*) from inbox where name='onCeaseCommunication' and status='processed'"
    )
    assert scalar(pg_url, processed) == TOTAL
    assert scalar(pg_url, "select count(*) from fired_events where trigger_id='toggle'") == TOTAL
    assert scalar(pg_url, "select count(*) from runs where path_id='toggle'") == TOTAL
    distinct_runs = "select count(distinct event_id) from runs where path_id='toggle'"
    assert scalar(pg_url, distinct_runs) == TOTAL
    letters = (
        "select count(*) from outbox where template='welcome' and event_id in "
        "(select id from inbox where name='onCeaseCommunication')"
    )
    assert scalar(pg_url, letters) == TOTAL
    assert scalar(pg_url, "select count(distinct key) from outbox") == scalar(
        pg_url, "select count(*) from outbox"
    )
    assert scalar(pg_url, "select count(*) from procrastinate_jobs where status = 'failed'") == 0

    # Per subject, the runs' records come in the order of the events' seq: 0, 1, … 9.
    seen: dict[str, list[int]] = defaultdict(list)
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("select subject_id, fields from records where model='audit' order by id")
        )
        for subject_id, fields in rows:
            seen[subject_id].append(int(fields["seq"]))
    engine.dispose()
    assert len(seen) == SUBJECTS
    assert all(seqs == list(range(PER_SUBJECT)) for seqs in seen.values()), next(
        (s, q) for s, q in seen.items() if q != list(range(PER_SUBJECT))
    )
