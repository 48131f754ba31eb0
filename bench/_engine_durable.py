"""Durable end-to-end on SQLite: Docket's events/s next to the raw Core insert ceiling."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from _common import Timing, chunks, rates, ratio, row, seed_accounts, timed, write_root
from sqlalchemy import Table, bindparam, func, insert, select, update

from engine import Engine, load_ruleset
from engine.domain import make_engine, upgrade
from engine.domain import models as m

TARGET_RATIO, TARGET_RATE = 0.3, 5_000
BATCH = 200  # events per transaction, the engine's default batch
EVENT = "onAfterPaymentPost"
# Every row an event leaves behind (derived onStatusChange/onWorklistChange included).
WRITTEN: tuple[type[Any], ...] = (
    m.InboxEvent,
    m.StatusHistory,
    m.WorklistHistory,
    m.OutboxMessage,
    m.FiredEvent,
    m.Run,
    m.EventTrace,
)
TRIGGER = [
    "  - id: payment-notice",
    f"    on: {EVENT}",
    "    if: account.balance > 0",
    "    run: payment-notice",
]
PATH = [
    "  - id: payment-notice",
    "    steps:",
    "      - set_status: S1",
    "      - move_worklist: {to: W1, next_work: +2 business days}",
    "      - send_letter: {template: notice, to: responsible}",
]


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _counts(engine: Engine) -> dict[str, int]:
    def count(session: Any) -> dict[str, int]:
        return {
            _table(model).name: session.scalar(select(func.count()).select_from(model))
            for model in WRITTEN
        }

    return engine.read(count)


def _docket(folder: Path, count: int) -> tuple[Timing, Timing, dict[str, int], Engine]:
    ruleset = load_ruleset(write_root(folder / "config", TRIGGER, PATH))
    engine = Engine(ruleset, f"sqlite:///{folder / 'docket.db'}")
    accounts = seed_accounts(engine.db, count)
    events = [
        {"name": EVENT, "account": a, "data": {"amount": "25.00"}, "idempotency_key": f"pay-{a}"}
        for a in accounts
    ]
    submitted, submit = timed(lambda: engine.submit_many(events))
    assert all(s.status == "pending" for s in submitted), "every event should be accepted"
    stats, process = timed(lambda: engine.process(batch_size=BATCH))
    assert stats.outcomes["processed"] == stats.processed == 3 * count, stats.as_json()
    return submit, process, _counts(engine), engine


def _rows(engine: Engine) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Every row the engine wrote, and the accounts' final status, worklist and date."""
    with engine.db.connect() as conn:
        rows = {
            _table(model).name: [dict(r._mapping) for r in conn.execute(select(_table(model)))]
            for model in WRITTEN
        }
        accounts = _table(m.Account)
        changed = [
            {"key": r.id, "status": r.status, "worklist": r.worklist, "next": r.next_work_date}
            for r in conn.execute(select(accounts))
        ]
    return rows, changed


def _ceiling(
    folder: Path, count: int, rows: dict[str, list[dict[str, Any]]], changed: list[Any]
) -> Timing:
    """Inserting the same rows (and updating the accounts) with Core executemany."""
    url = f"sqlite:///{folder / 'ceiling.db'}"
    upgrade(url)
    db = make_engine(url)  # the engine's own SQLite settings: WAL, synchronous=NORMAL
    seed_accounts(db, count)
    accounts = _table(m.Account)
    set_state = (
        update(accounts)
        .where(accounts.c.id == bindparam("key"))
        .values(
            status=bindparam("status"),
            worklist=bindparam("worklist"),
            next_work_date=bindparam("next"),
        )
    )
    batches = max(1, count // BATCH)  # one transaction per BATCH source events, as Docket
    tables = {_table(model).name: _table(model) for model in WRITTEN}
    split = {name: _split(table_rows, batches) for name, table_rows in rows.items()}
    updates = _split(changed, batches)

    def insert_all() -> None:
        for index in range(batches):
            with db.begin() as conn:
                for name, table in tables.items():
                    if split[name][index]:
                        conn.execute(insert(table), split[name][index])
                if updates[index]:
                    conn.execute(set_state, updates[index])

    _, timing = timed(insert_all)
    db.dispose()
    return timing


def _driver_limit(folder: Path, count: int) -> Timing:
    """The same rows through the sqlite3 driver alone: values already encoded as the database
    stores them (read raw from Docket's file, outside the timing), no SQLAlchemy at all. No
    design that writes these rows to SQLite from Python can be faster on this machine."""
    source = sqlite3.connect(folder / "docket.db")
    names = [_table(model).name for model in WRITTEN]
    encoded = {}
    for name in names:
        found = source.execute(f"select * from {name}")
        columns = [d[0] for d in found.description]
        marks = ", ".join("?" * len(columns))
        sql = f"insert into {name} ({', '.join(columns)}) values ({marks})"
        encoded[name] = (sql, found.fetchall())
    state = source.execute("select status, worklist, next_work_date, id from accounts").fetchall()
    source.close()
    url = f"sqlite:///{folder / 'limit.db'}"
    upgrade(url)
    seed_accounts(make_engine(url), count)
    batches = max(1, count // BATCH)
    split = {name: _split(table_rows, batches) for name, (_, table_rows) in encoded.items()}
    updates = _split(state, batches)
    db = sqlite3.connect(folder / "limit.db", isolation_level=None)
    db.execute("pragma journal_mode=wal")
    db.execute("pragma synchronous=normal")
    db.execute("pragma foreign_keys=on")

    def insert_all() -> None:
        set_state = "update accounts set status=?, worklist=?, next_work_date=? where id=?"
        for index in range(batches):
            db.execute("begin")
            for name, (sql, _) in encoded.items():
                if split[name][index]:
                    db.executemany(sql, split[name][index])
            db.executemany(set_state, updates[index])
            db.execute("commit")

    _, timing = timed(insert_all)
    db.close()
    return timing


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    size = -(-len(items) // parts) if items else 1
    pieces = [list(piece) for piece in chunks(items, size)]
    return pieces + [[] for _ in range(parts - len(pieces))]


def durable(count: int) -> bool:
    """Section 2; True when both targets are met."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        submit, process, written, engine = _docket(folder, count)
        rows, changed = _rows(engine)
        engine.close()
        ceiling = _ceiling(folder, count, rows, changed)
        limit = _driver_limit(folder, count)
    docket = submit + process
    print(
        f"2. Durable end-to-end on SQLite (WAL, synchronous=NORMAL): {count:,} events, each "
        "running a 3-step path (set_status, move_worklist, send_letter to the responsible party)"
    )
    print("   rows written: " + ", ".join(f"{t} {n:,}" for t, n in written.items()))
    row("Docket submit_many (one transaction)", *rates(count, submit), "events/s")
    row("Docket process (each: 1 + 2 derived events)", *rates(count, process), "events/s")
    docket_wall, docket_cpu = rates(count, docket)
    ceiling_wall, ceiling_cpu = rates(count, ceiling)
    row("Docket end-to-end (submit + process)", docket_wall, docket_cpu, "events/s")
    row("ceiling: same rows, Core executemany", ceiling_wall, ceiling_cpu, "events/s")
    note = "informational: the most any Python engine gets here"
    row("limit: same rows, sqlite3 driver alone", *rates(count, limit), "events/s", note)
    ok_ratio = ratio(
        "Docket / ceiling",
        docket_wall / ceiling_wall,
        docket_cpu / ceiling_cpu,
        TARGET_RATIO,
        f"target >= {TARGET_RATIO:g}",
    )
    ok_rate = docket_wall >= TARGET_RATE
    verdict = f"target >= {TARGET_RATE:,} {'ok' if ok_rate else 'MISSED'}"
    print(f"  {'Docket events/s (wall clock)':<42} {docket_wall:>12,.0f}{'':<30}{verdict}")
    return ok_ratio and ok_rate
