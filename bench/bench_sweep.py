"""Benchmark: set-based date sweeps against APScheduler with one job per case.

    python bench/bench_sweep.py                 # 100,000 and 1,000,000 cases (a few minutes)
    python bench/bench_sweep.py --cases 20000   # a quick run

For each size it bulk-loads the cases into a fresh SQLite file (SQLAlchemy Core executemany;
five case dates spread over two years) and measures, with 5 date triggers configured:
  * the daily sweep (the steady state: yesterday was swept; median of five days), for the
    five triggers and for one, and its peak Python memory;
  * a 30-day catch-up sweep after an outage, and its peak Python memory.
Peak memory comes from tracemalloc in a second sweep of other days (tracemalloc slows Python,
so times are measured without it). Then APScheduler 3 holds one job per case (100,000 cases
by default): the time to add them to a MemoryJobStore and to fire the ones due today, and
the speed-up of our daily sweep over it (one job per case stands for one trigger, so the
fair ratio is against our sweep of one trigger; the ratio against all five is shown too).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from engine.config import load_ruleset
from engine.config.model import RuleSet
from engine.domain import SimulatedClock
from engine.domain import models as m
from engine.runtime import Engine
from engine.scheduler.sweep import LAST_SWEPT, sweep

DAY = date(2026, 6, 1)  # the day swept; case dates spread two years around it
SPREAD_DAYS = 730
TRIGGERS = {  # id: (event, offset)
    "court-reminder": ("onCaseCourtDate", "-3 business days"),
    "mediation-reminder": ("onCaseMediationDate", "-2 business days"),
    "filing-costs": ("onCaseFileDate", None),
    "answer-deadline": ("onCaseServedDate", "+20 days"),
    "post-judgment-review": ("onCaseJudgmentDate", "+30 days"),
}
FIELDS = ("court_date", "mediation_date", "file_date", "served_date", "judgment_date")


def write_config(root: Path, triggers: dict[str, tuple[str, str | None]] = TRIGGERS) -> RuleSet:
    """A minimal agency with the given date triggers, each running a one-note path."""
    (root / "rules").mkdir(parents=True)
    (root / "action_paths").mkdir()
    lines = [
        "agency: {name: Bench, timezone: America/Chicago, calendar: {holidays: US}}",
        "status_codes: [{code: NEW, label: New}, {code: ACTIVE, label: Active}]",
        "worklists: [{id: W, label: W}]",
        "clients: [{code: ACME, name: Acme}]",
        "triggers:",
    ]
    for ident, (event, offset) in triggers.items():
        extra = f", offset: {offset}" if offset else ""
        lines.append(f"  - {{id: {ident}, on: {event}, run: note{extra}}}")
    (root / "rules" / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "action_paths" / "note.yaml").write_text(
        "action_paths: [{id: note, steps: [{add_note: due}]}]\n", encoding="utf-8"
    )
    return load_ruleset(root)


def load_cases(engine: Engine, count: int, seed: int = 4) -> float:
    """Bulk-insert ``count`` cases with Core executemany; returns seconds."""
    rng = random.Random(seed)
    first = DAY - timedelta(days=SPREAD_DAYS // 2)
    now = datetime(2026, 1, 1)
    started = time.perf_counter()
    chunk = 50_000
    with engine.db.begin() as conn:
        for start in range(0, count, chunk):
            rows = []
            for n in range(start, min(start + chunk, count)):
                row: dict[str, Any] = {
                    "id": f"C{n:07d}",
                    "status": "OPEN",
                    "opened_date": first,
                    "created_at": now,
                }
                for name in FIELDS:
                    row[name] = first + timedelta(days=rng.randrange(SPREAD_DAYS))
                rows.append(row)
            conn.execute(insert(m.Case.__table__), rows)
    with engine.db.connect() as conn:  # a settled database, not one mid-bulk-load
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


def mark_swept(engine: Engine, day: date) -> None:
    with engine.unit() as unit:
        unit.session.merge(m.SchedulerState(key=LAST_SWEPT, value=day.isoformat()))


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def peak_memory(fn: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        value = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, peak


def daily_sweeps(engine: Engine, first: date, days: int = 5) -> tuple[float, int]:
    """The median time of ``days`` consecutive daily sweeps, and the firings of the median."""
    mark_swept(engine, first - timedelta(days=1))
    runs = sorted(
        (timed(lambda d=first + timedelta(days=n): sweep(engine, d))[::-1] for n in range(days)),
        key=lambda pair: pair[0],
    )
    seconds, report = runs[len(runs) // 2]
    return seconds, report.fired


def bench_size(count: int, folder: Path, ruleset: RuleSet, single: RuleSet) -> dict[str, Any]:
    url = f"sqlite:///{folder / f'sweep-{count}.db'}"
    engine = Engine(ruleset, url, clock=SimulatedClock(DAY, ruleset.agency.timezone))
    one = Engine(single, url, clock=SimulatedClock(DAY, single.agency.timezone), migrate=False)
    try:
        load_seconds = load_cases(engine, count)
        # The steady state: yesterday was swept, today's sweep covers yesterday and today.
        daily_s, daily_fired = daily_sweeps(engine, DAY)
        one_s, one_fired = daily_sweeps(one, DAY + timedelta(days=5))
        # A daily sweep under tracemalloc, for its peak memory.
        mark_swept(engine, DAY + timedelta(days=11))
        _, daily_peak = peak_memory(lambda: sweep(engine, DAY + timedelta(days=12)))
        # After a 30-day outage: one sweep catches up every missed day.
        mark_swept(engine, DAY + timedelta(days=40))
        catch_up, catch_up_s = timed(lambda: sweep(engine, DAY + timedelta(days=70)))
        mark_swept(engine, DAY + timedelta(days=100))
        _, catch_up_peak = peak_memory(lambda: sweep(engine, DAY + timedelta(days=130)))
    finally:
        one.close()
        engine.close()
    return {
        "cases": count,
        "load_s": load_seconds,
        "daily_s": daily_s,
        "daily_fired": daily_fired,
        "one_s": one_s,
        "one_fired": one_fired,
        "daily_peak": daily_peak,
        "catch_up_s": catch_up_s,
        "catch_up_fired": catch_up.fired,
        "catch_up_peak": catch_up_peak,
    }


def bench_apscheduler(count: int) -> dict[str, Any]:
    """One APScheduler job per case (its next date firing): add them, fire today's."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.date import DateTrigger

    fired = 0
    done = threading.Event()
    lock = threading.Lock()
    rng = random.Random(4)
    due_today = 0
    now = datetime.now(UTC)
    run_dates = []
    for _ in range(count):
        offset = rng.randrange(SPREAD_DAYS) - SPREAD_DAYS // 2
        if offset == 0:
            due_today += 1
            run_dates.append(now - timedelta(seconds=1))
        else:  # the past ones already fired; what remains is in the future
            run_dates.append(now + timedelta(days=abs(offset)))

    def fire() -> None:
        nonlocal fired
        with lock:
            fired += 1
            if fired == due_today:
                done.set()

    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(8)},
        timezone=UTC,
    )
    scheduler.start(paused=True)
    started = time.perf_counter()
    for n, when in enumerate(run_dates):
        scheduler.add_job(fire, DateTrigger(run_date=when), id=f"case-{n}", misfire_grace_time=None)
    add_s = time.perf_counter() - started
    started = time.perf_counter()
    scheduler.resume()
    done.wait(timeout=600)
    fire_s = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    return {"jobs": count, "add_s": add_s, "fire_s": fire_s, "due": due_today, "fired": fired}


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases",
        type=int,
        nargs="*",
        default=[100_000, 1_000_000],
        help="case counts to sweep (default: 100000 1000000)",
    )
    parser.add_argument(
        "--apscheduler-cases",
        type=int,
        default=100_000,
        help="jobs for the APScheduler comparison (default: 100000)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as folder:
        ruleset = write_config(Path(folder) / "config")
        first = dict(list(TRIGGERS.items())[:1])
        single = write_config(Path(folder) / "config-one", first)
        results = [bench_size(count, Path(folder), ruleset, single) for count in args.cases]
    print(f"date sweeps on SQLite, {len(TRIGGERS)} date triggers (one indexed query each):")
    for r in results:
        print(
            f"  {r['cases']:>9,} cases: load {r['load_s']:.1f} s | daily sweep "
            f"{r['daily_s']:.3f} s ({r['daily_fired']:,} fired; one trigger {r['one_s']:.3f} s, "
            f"{r['one_fired']:,} fired), peak {mib(r['daily_peak'])} | 30-day catch-up "
            f"{r['catch_up_s']:.2f} s ({r['catch_up_fired']:,} fired), "
            f"peak {mib(r['catch_up_peak'])}"
        )
    aps = bench_apscheduler(args.apscheduler_cases)
    total = aps["add_s"] + aps["fire_s"]
    print(
        f"APScheduler 3, one job per case, {aps['jobs']:,} jobs in a MemoryJobStore: add "
        f"{aps['add_s']:.2f} s, fire the {aps['due']} due today {aps['fire_s']:.3f} s "
        f"(fired {aps['fired']})"
    )
    ours = next((r for r in results if r["cases"] == args.apscheduler_cases), None)
    if ours is not None:
        print(
            f"speed-up at {aps['jobs']:,} cases: {total / ours['one_s']:.0f}x per trigger "
            f"(APScheduler add + fire {total:.2f} s vs our daily sweep of that trigger "
            f"{ours['one_s']:.3f} s); {total / ours['daily_s']:.0f}x against our sweep of all "
            f"{len(TRIGGERS)} triggers ({ours['daily_s']:.3f} s)"
        )


if __name__ == "__main__":
    main()
