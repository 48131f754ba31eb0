"""A real process killed with SIGKILL mid-batch, restarted: every event exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO

TOTAL, ACCOUNTS = 5000, 50


def _worker(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.runtime.crash_worker", *args], cwd=REPO, env=env
    )


def _scalar(db_url: str, sql: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_sigkill_mid_batch_then_restart_processes_every_event_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    assert _worker("seed", db_url, str(TOTAL), str(ACCOUNTS)).wait(timeout=300) == 0
    pending = "select count(*) from inbox where name='onCeaseCommunication' and status='pending'"
    assert _scalar(db_url, pending) == TOTAL

    worker = _worker("work", db_url)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = TOTAL - _scalar(db_url, pending)
        if done >= 600:
            break
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    killed_at = TOTAL - _scalar(db_url, pending)
    assert 0 < killed_at < TOTAL, "the kill must land mid-run"

    assert _worker("work", db_url).wait(timeout=600) == 0
    assert _scalar(db_url, pending) == 0
    processed = (
        "select count(*) from inbox where name='onCeaseCommunication' and status='processed'"
    )
    assert _scalar(db_url, processed) == TOTAL
    assert _scalar(db_url, "select count(*) from fired_events where trigger_id='toggle'") == TOTAL
    assert (
        _scalar(db_url, "select count(distinct event_id) from runs where path_id='toggle'") == TOTAL
    )
    assert _scalar(db_url, "select count(*) from runs where path_id='toggle'") == TOTAL
    # Every event changed the status once and queued one letter, no more.
    status_rows = (
        "select count(*) from status_history where new in ('NEW', 'ACTIVE') and old is not null"
    )
    assert _scalar(db_url, status_rows) == TOTAL
    assert (
        _scalar(
            db_url,
            "select count(*) from outbox where template='welcome' "
            "and event_id in (select id from inbox where "
            "name='onCeaseCommunication')",
        )
        == TOTAL
    )
    assert _scalar(db_url, "select count(distinct key) from outbox") == _scalar(
        db_url, "select count(*) from outbox"
    )
    assert _scalar(db_url, "select count(*) from records where model='audit'") == TOTAL
