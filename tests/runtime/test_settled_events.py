"""Derived events no trigger listens to are settled with the event that derived them.

Settling one must be invisible except in speed: it is stored processed, with the trace the
dispatcher would have written, and only when taking it later could do nothing (no trigger
listens, its account has no run waiting or queued, no event of that account comes first).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import load_ruleset
from engine.domain import models as m
from engine.domain.clock import SimulatedClock
from engine.runtime.engine import Engine
from tests.runtime.helpers import CONFIG, place

EXTRA_RULES = """\
triggers:
  - id: move-on-deceased
    on: onAfterDeceased
    run: move
  - id: escalate-on-dispute-lift
    on: onContactHoldLifted
    run: escalate
  - id: wait-on-bankruptcy
    on: onAfterBankruptcyInsert
    run: hold-on
"""
EXTRA_PATHS = """\
action_paths:
  - id: move
    steps:
      - move_worklist: {to: COURT-PREP}
  - id: escalate
    steps:
      - set_status: LEGAL
      - move_worklist: {to: COURT-PREP}
  - id: hold-on
    steps:
      - wait: 30 days
        until: "account.status == 'NEVER'"
"""


def _engine(db_url: str, tmp_path: Path) -> Engine:
    root = tmp_path / "config"
    shutil.copytree(CONFIG, root)
    (root / "rules" / "settle.yaml").write_text(EXTRA_RULES)
    (root / "action_paths" / "settle.yaml").write_text(EXTRA_PATHS)
    # The test agency's needs-a-case trigger also listens to onAfterBankruptcyInsert.
    rules = (root / "rules" / "agency.yaml").read_text()
    needs_case = "    if: case.status == 'OPEN'"
    (root / "rules" / "agency.yaml").write_text(
        rules.replace(needs_case, f"    enabled: false\n{needs_case}")
    )
    ruleset = load_ruleset(root)
    clock = SimulatedClock(date(2026, 5, 4), ruleset.agency.timezone)
    engine = Engine(ruleset, db_url, clock=clock)
    place(engine, "A1", "100.00")  # under 500: no welcome run
    engine.process()
    return engine


def _inbox(engine: Engine, name: str) -> list[dict[str, Any]]:
    table = m.InboxEvent.__table__
    query = select(table).where(table.c.name == name).order_by(table.c.seq)
    return engine.read(lambda s: [dict(r._mapping) for r in s.execute(query)])


def _trace(engine: Engine, event_id: str) -> dict[str, Any]:
    return engine.read(lambda s: s.get(m.EventTrace, event_id).doc)


def test_an_unheard_derived_event_is_stored_processed_with_its_trace(db_url, tmp_path):
    engine = _engine(db_url, tmp_path)
    source = engine.submit("onAfterDeceased", account="A1").id
    stats = engine.process(limit=1)
    # The source event and the onWorklistChange it derived: both done in one batch.
    assert stats.outcomes == {"processed": 2}, stats.as_json()
    [moved] = _inbox(engine, "onWorklistChange")
    assert moved["status"] == "processed"
    assert (moved["parent_id"], moved["depth"], moved["source"]) == (source, 1, "derived")
    assert moved["ruleset_hash"] == engine.ruleset.hash
    assert moved["processed_at"] is not None
    assert _trace(engine, moved["id"]) == {
        "event": {
            "id": moved["id"],
            "name": "onWorklistChange",
            "subject": {"kind": "account", "id": "A1"},
            "data": {"old": None, "new": "COURT-PREP"},
            "date": "2026-05-04",
            "late": False,
            "depth": 1,
        },
        "ruleset": engine.ruleset.hash,
        "triggers": [],
        "resumed": [],
    }
    engine.close()


def test_a_heard_derived_event_waits_and_so_do_those_after_it(db_url, tmp_path):
    engine = _engine(db_url, tmp_path)
    engine.submit("onContactHoldLifted", account="A1")
    assert engine.process(limit=1).outcomes == {"processed": 1}
    # onStatusChange has a listener (the test agency's ping-pong trigger): it is taken in
    # order, and the onWorklistChange derived after it waits behind it.
    [changed] = _inbox(engine, "onStatusChange")
    [moved] = _inbox(engine, "onWorklistChange")
    assert (changed["status"], moved["status"]) == ("pending", "pending")
    assert changed["seq"] < moved["seq"]
    assert engine.process().outcomes == {"processed": 2}
    ledger = select(m.FiredEvent.trigger_id).where(m.FiredEvent.event_id == changed["id"])
    fired = engine.read(lambda s: list(s.scalars(ledger)))
    assert fired == ["ping-pong"]  # dispatched (its condition was false)
    assert _trace(engine, moved["id"])["triggers"] == []
    engine.close()


def test_an_account_with_a_waiting_run_takes_its_derived_events_in_turn(db_url, tmp_path):
    engine = _engine(db_url, tmp_path)
    engine.submit("onAfterBankruptcyInsert", account="A1")
    engine.process()
    waiting = select(m.Run.status).where(m.Run.path_id == "hold-on")
    assert engine.read(lambda s: list(s.scalars(waiting))) == ["waiting"]
    engine.submit("onAfterDeceased", account="A1")
    assert engine.process(limit=1).outcomes == {"processed": 1}
    # The waiting run re-evaluates its ``until`` on every event of its account.
    assert [e["status"] for e in _inbox(engine, "onWorklistChange")] == ["pending"]
    assert engine.process().outcomes == {"processed": 1}
    engine.close()


def test_a_later_event_of_the_same_account_keeps_derived_events_in_order(db_url, tmp_path):
    engine = _engine(db_url, tmp_path)
    for account, party in (("A2", "P2"), ("A3", "P3")):
        place(engine, account, "100.00", party=party)
    engine.process()
    payment = {"name": "onAfterPaymentPost", "data": {"amount": "5.00"}}
    engine.submit_many(
        [
            {"name": "onAfterDeceased", "account": "A1"},
            {"name": "onAfterDeceased", "account": "A2"},
            {**payment, "account": "A1"},  # beyond the first batch
        ]
    )
    # A batch of the first two events: A1 has an event pending beyond it, A2 has not.
    assert engine.process(limit=2).outcomes == {"processed": 3}
    moved = {e["subject_id"]: e["status"] for e in _inbox(engine, "onWorklistChange")}
    assert moved == {"A1": "pending", "A2": "processed"}
    engine.process()
    # In one batch, A3's derived event waits for A3's payment, later in the batch.
    engine.submit_many([{"name": "onAfterDeceased", "account": "A3"}, {**payment, "account": "A3"}])
    assert engine.process(limit=2).outcomes == {"processed": 2}
    [(status, seq)] = [
        (e["status"], e["seq"])
        for e in _inbox(engine, "onWorklistChange")
        if e["subject_id"] == "A3"
    ]
    assert status == "pending"
    assert seq > _inbox(engine, "onAfterPaymentPost")[-1]["seq"]  # taken after the payment
    assert engine.process().outcomes == {"processed": 1}
    engine.close()


def test_one_subjects_batch_settles_too_unless_more_of_it_waits(db_url, tmp_path):
    engine = _engine(db_url, tmp_path)
    place(engine, "A2", "100.00", party="P2")
    engine.process()
    engine.submit("onAfterDeceased", account="A1")
    # A worker's job for one subject: all its pending events taken, its derived one settled.
    assert engine.process(subject="account:A1").outcomes == {"processed": 2}
    engine.submit_many(
        [
            {"name": "onAfterDeceased", "account": "A2"},
            {"name": "onAfterPaymentPost", "account": "A2", "data": {"amount": "5.00"}},
        ]
    )
    # Taking one event of two: the other is still to come, so the derived event waits.
    assert engine.process(limit=1, subject="account:A2").outcomes == {"processed": 1}
    moved = {e["subject_id"]: e["status"] for e in _inbox(engine, "onWorklistChange")}
    assert moved == {"A1": "processed", "A2": "pending"}
    engine.close()


def test_a_batch_redone_after_a_failure_settles_the_same(db_url, tmp_path):
    engine = _engine(db_url, tmp_path)
    place(engine, "A2", "100.00", party="P2")
    engine.process()
    # The test agency's explode path fails (no worklist given): the batch is redone in the
    # safe mode, event by event, and the other account's derived event is settled there.
    engine.submit_many(
        [{"name": "onAfterDeceased", "account": "A1"}, {"name": "onDispute", "account": "A2"}]
    )
    assert engine.process().outcomes == {"processed": 2, "failed": 1}
    moved = [(e["subject_id"], e["status"]) for e in _inbox(engine, "onWorklistChange")]
    assert moved == [("A1", "processed")]
    assert _trace(engine, _inbox(engine, "onWorklistChange")[0]["id"])["triggers"] == []
    engine.close()
