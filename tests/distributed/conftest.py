"""Fixtures of the distributed mode: a PostgreSQL schema set up for workers, and workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO, _pg_schema_url

DOCKET = [sys.executable, "-c", "from engine.cli.main import main; main()"]


@pytest.fixture
def pg_url(pg_reason: str | None) -> Iterator[str]:
    """A fresh PostgreSQL schema (the distributed mode needs PostgreSQL)."""
    yield from _pg_schema_url(pg_reason)


def docket(*args: str, cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DOCKET, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def scalar(db_url: str, sql: str, **params: object) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar() or 0)
    finally:
        engine.dispose()


def fetch(db_url: str, sql: str) -> list[object]:
    """The first column of every row ``sql`` returns."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).scalars())
    finally:
        engine.dispose()


StartWorker = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[StartWorker]:
    """Start ``docket worker`` processes (logs in tmp_path/worker-N.log); stopped at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(db_url: str, *args: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [*DOCKET, "worker", "--db", db_url, *args],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
