"""Docket through procrastinate workers on PostgreSQL, next to procrastinate no-op jobs.

    python bench/bench_distributed.py [--events 4000] [--subjects 400] [--quick]

On a fresh schema of the PostgreSQL server named by DOCKET_BENCH_PG (default: this
machine's ``test`` database), in the same run:

1. **baseline**: procrastinate alone — one worker process runs ``--events`` no-op sync jobs
   (one per event, ``lock`` = subject, as Docket's jobs), deferred beforehand;
2. **Docket, one job per event**: one event per subject, each submitted in its own
   transaction (as the API does), so the inbox trigger defers one job per event and no job
   finds more than its own event; one ``docket worker`` processes
   them, each through a 3-step path (status, worklist with a business-day date, letter
   rendered into an outbox row) plus the derived onStatusChange/onWorklistChange events;
3. the same with two workers (the speed-up from 1 to 2);
4. **Docket, bulk**: the events over ``--subjects`` subjects in one ``submit_many`` (one
   job per subject, which processes that subject's events in one go), one worker.

Throughput is polled from the database (from the first unit of work done to the queue
being empty), so process start-up is not counted. Overhead = 1 - Docket events/s / no-op jobs/s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _common import seed_accounts, write_root
from _engine_durable import PATH, TRIGGER
from sqlalchemy import create_engine, text

from engine import Engine, load_ruleset
from engine.distributed import schema

REPO = Path(__file__).resolve().parents[1]
PG = os.environ.get("DOCKET_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
EVENT = "onAfterPaymentPost"
TARGET_OVERHEAD = 0.30
DOCKET = [sys.executable, "-c", "from engine.cli.main import main; main()"]
NOOP_WORKER = """
import sys
from procrastinate import App, PsycopgConnector
from engine.distributed.schema import conninfo
app = App(connector=PsycopgConnector(conninfo=conninfo(sys.argv[1])))
@app.task(name="bench.noop", queue="bench")
def noop(subject: str) -> None:
    return None
app.run_worker(
    queues=["bench"], wait=False, concurrency=1, install_signal_handlers=False,
    delete_jobs="successful",
)
"""


class Store:
    """One connection pool for the bench's own reads."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def scalar(self, sql: str, **params: object) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar() or 0)

    def execute(self, sql: str, **params: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)


def _drain(store: Store, remaining: str, processes: list[subprocess.Popen[bytes]]) -> float:
    """Seconds from the first unit of work done to the last, polled every 10 ms: process
    start-up is not counted, the same way for the baseline and for Docket."""
    initial = store.scalar(remaining)
    first: float | None = None
    try:
        while True:
            left = store.scalar(remaining)
            now = time.perf_counter()
            if first is None and left < initial:
                first = now
            if left == 0 and first is not None:
                return now - first
            assert all(p.poll() in (None, 0) for p in processes), "a worker failed"
            time.sleep(0.01)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait(timeout=120)


def _noop_rate(store: Store, url: str, events: int) -> float:
    """procrastinate alone: ``events`` no-op jobs, one lock each, by one worker."""
    store.execute(
        "SELECT procrastinate_defer_jobs_v1(ARRAY(SELECT ROW('bench', 'bench.noop', 0, "
        "'account:' || n, NULL, jsonb_build_object('subject', 'account:' || n), NULL)"
        "::procrastinate_job_to_defer_v1 FROM generate_series(1, :events) AS n ORDER BY n))",
        events=events,
    )
    store.execute("ANALYZE procrastinate_jobs")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen([sys.executable, "-c", NOOP_WORKER, url], env=env)
    remaining = "select count(*) from procrastinate_jobs where task_name = 'bench.noop'"
    return events / _drain(store, remaining, [worker])


def _docket_rate(
    store: Store,
    url: str,
    engine: Engine,
    accounts: list[str],
    events: int,
    workers: int,
    bulk: bool,
) -> float:
    """Submit ``events`` round robin over ``accounts`` (each in its own transaction, or all at
    once), then let ``workers`` processes work them off (derived events included)."""
    batch = [
        {"name": EVENT, "account": accounts[n % len(accounts)], "data": {"amount": "25.00"}}
        for n in range(events)
    ]
    if bulk:
        engine.submit_many(batch)
    else:
        for event in batch:
            engine.submit_many([event])
    store.execute("ANALYZE procrastinate_jobs")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [*DOCKET, "worker", "--db", url, "--no-relay", "--log-level", "warning"]
    with tempfile.TemporaryDirectory() as folder:
        started = [subprocess.Popen(command, cwd=folder, env=env) for _ in range(workers)]
        seconds = _drain(store, "select count(*) from inbox where status = 'pending'", started)
    left = store.scalar("select count(*) from inbox where status <> 'processed'")
    assert not left, f"{left} events not processed"
    return events / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--subjects", type=int, default=400, help="subjects of the bulk run")
    parser.add_argument("--quick", action="store_true", help="1,000 events, bulk on 100 subjects")
    args = parser.parse_args()
    events, subjects = (1000, 100) if args.quick else (args.events, args.subjects)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = f"{PG}?options=-csearch_path%3D{name}"
    try:
        schema.install(url)
        with tempfile.TemporaryDirectory() as folder:
            ruleset = load_ruleset(write_root(Path(folder) / "config", TRIGGER, PATH))
            engine = Engine(ruleset, url)  # publishes the version the workers load
            accounts = seed_accounts(engine.db, events)
            print(
                f"{events:,} events: one per subject (one job each), then {subjects:,} "
                "subjects for the bulk run; PostgreSQL; each worker runs 1 job at a time"
            )
            store = Store(url)
            noop = _noop_rate(store, url, events)
            one = _docket_rate(store, url, engine, accounts, events, 1, bulk=False)
            two = _docket_rate(store, url, engine, accounts, events, 2, bulk=False)
            bulk = _docket_rate(store, url, engine, accounts[:subjects], events, 1, bulk=True)
            engine.close()
            store.engine.dispose()
        print(f"procrastinate no-op jobs, 1 worker          {noop:9,.0f} jobs/s")
        print(f"Docket, one job per event, 1 worker         {one:9,.0f} events/s")
        print(f"Docket, one job per event, 2 workers        {two:9,.0f} events/s")
        print(f"Docket, bulk (one job per subject), 1 worker {bulk:8,.0f} events/s")
        overhead = 1 - one / noop
        verdict = "met" if overhead <= TARGET_OVERHEAD else "MISSED"
        print(
            f"overhead vs no-op jobs (one job per event)  {overhead:9.0%}  target <= 30%: {verdict}"
        )
        print(f"overhead vs no-op jobs (bulk)               {1 - bulk / noop:9.0%}")
        print(f"speed-up 1 -> 2 workers                     {two / one:9.2f}x")
        return 0 if overhead <= TARGET_OVERHEAD else 1
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
