"""What a batch reads once must not change what events do: waits, queues, cases, the ledger."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import load_ruleset
from engine.domain import models as m
from engine.domain.clock import SimulatedClock
from engine.domain.operations.cases import open_case
from engine.runtime.actions import builtin_registry
from engine.runtime.actions.registry import StepContext
from engine.runtime.batching.drain import drain
from engine.runtime.engine import Engine
from tests.runtime.helpers import CONFIG, place

EXTRA_RULES = """\
triggers:
  - id: slow-payment
    on: onAfterPaymentPost
    run: slow
  - id: legal-dispute
    on: onCeaseCommunication
    if: "case and case.status == 'OPEN'"
    run: case-note
  - id: sue-on-deceased
    on: onAfterDeceased
    run: sue
  - id: hold-on-cease
    on: onCeaseCommunication
    if: "event.data.seq == 99"
    run: hold
  - id: release-follow-up
    on: onAfterFollowUpInsert
    if: "'release' in event.data"
    run: release
"""
EXTRA_PATHS = """\
action_paths:
  - id: slow
    mode: queue
    steps:
      - add_note: slow start
      - wait: 5 days
        until: "account.status == 'LEGAL'"
      - add_note: slow end
  - id: case-note
    steps:
      - add_note: "case {{ case.id }}"
  - id: sue
    steps:
      - open_case_now: {}
  - id: hold
    steps:
      - open_follow_up: {kind: payment_plan, suspend: true}
  - id: release
    steps:
      - resolve_follow_up: {outcome: done}
"""


def _open_case_now(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """An integrator's action that opens a case in the middle of a batch."""
    case = open_case(ctx.unit, f"C-{ctx.subject.id}", [ctx.subject.id], ["P2"])
    return {"case": case.id}


def _engine(db_url: str, tmp_path: Path, batched: bool = True) -> Engine:
    root = tmp_path / "config"
    shutil.copytree(CONFIG, root)
    (root / "rules" / "batch.yaml").write_text(EXTRA_RULES)
    (root / "action_paths" / "batch.yaml").write_text(EXTRA_PATHS)
    ruleset = load_ruleset(root, actions={"open_case_now": {}})
    registry = builtin_registry()
    registry.register("open_case_now", _open_case_now)
    clock = SimulatedClock(date(2026, 5, 4), ruleset.agency.timezone)
    return Engine(ruleset, db_url, clock=clock, registry=registry, batched=batched)


def _runs(engine: Engine, path: str) -> list[str]:
    query = select(m.Run.status).where(m.Run.path_id == path).order_by(m.Run.id)
    return engine.read(lambda s: list(s.scalars(query)))


def _notes(engine: Engine) -> list[str]:
    return engine.read(lambda s: [n.text for n in s.scalars(select(m.Note).order_by(m.Note.id))])


def test_runs_waiting_in_the_same_or_an_earlier_batch_are_seen(db_url, batched, tmp_path):
    engine = _engine(db_url, tmp_path, batched)
    place(engine, "A1", "100.00")
    engine.process()
    pay = {"name": "onAfterPaymentPost", "account": "A1", "data": {"amount": "1.00"}}
    engine.submit_many([pay, pay])  # one batch: the first run waits, the second queues
    engine.process()
    assert _runs(engine, "slow") == ["waiting", "queued"]
    engine.submit_many([pay])  # a later batch: the waiting run is read from the store
    engine.process()
    assert _runs(engine, "slow") == ["waiting", "queued", "queued"]
    # An event that makes the ``until`` true resumes the waiting run, then the queue moves.
    with engine.unit() as unit:
        from engine.domain.operations.accounts import set_status

        set_status(unit, unit.session.get(m.Account, "A1"), "LEGAL")
    engine.process()
    assert _runs(engine, "slow")[0] == "completed"
    assert _runs(engine, "slow")[1] in ("waiting", "completed")
    assert _notes(engine).count("slow end") >= 1
    engine.close()


def test_an_account_event_sees_its_case_and_a_case_opened_earlier_in_the_batch(
    db_url, batched, tmp_path
):
    engine = _engine(db_url, tmp_path, batched)
    place(engine, "A1", "100.00")
    place(engine, "A2", "100.00", party="P2")
    engine.process()
    engine.operate("open_case", {"case": "C1", "accounts": ["A1"], "defendants": ["P1"]})
    engine.process()
    cease = {"name": "onCeaseCommunication", "data": {"seq": 1}}
    engine.submit_many(
        [
            {**cease, "account": "A1"},  # the case is read once for the batch
            {"name": "onAfterDeceased", "account": "A2"},  # opens C-A2 mid-batch
            {**cease, "account": "A2"},  # must see C-A2, opened by the event before it
        ]
    )
    stats = engine.process()
    assert not stats.outcomes["failed"], stats.as_json()
    assert "case C1" in _notes(engine)
    assert "case C-A2" in _notes(engine)
    fired = engine.read(
        lambda s: list(
            s.scalars(
                select(m.FiredEvent.outcome).where(m.FiredEvent.trigger_id == "legal-dispute")
            )
        )
    )
    assert fired == ["ran", "ran"]
    engine.close()


def test_a_failing_event_leaves_no_ledger_row_trace_or_status_behind(db_url, batched, tmp_path):
    engine = _engine(db_url, tmp_path, batched)
    place(engine, "A1", "1200.00")
    engine.process()
    bad, good = engine.submit_many(
        [
            {"name": "onDispute", "account": "A1", "data": {"worklist": "NOWHERE"}},
            {"name": "onAfterPaymentPost", "account": "A1", "data": {"amount": "2.00"}},
        ]
    )
    engine.process()

    def facts(session: Any) -> dict[str, Any]:
        return {
            "status": {e.id: e.status for e in session.scalars(select(m.InboxEvent))},
            "fired": sorted(
                (f.event_id == good.id, f.trigger_id) for f in session.scalars(select(m.FiredEvent))
            ),
            "traces": {
                t.event_id: t.doc["triggers"][0]["outcome"]
                for t in session.scalars(
                    select(m.EventTrace).where(m.EventTrace.event_id.in_([bad.id, good.id]))
                )
            },
        }

    found = engine.read(facts)
    assert found["status"][bad.id] == "failed"
    assert found["status"][good.id] == "processed"
    # The failed event's claim rolled back with it; the good one's claims are stored once.
    assert (False, "explode") not in found["fired"]
    assert [t for ok, t in found["fired"] if ok] == ["payment-note", "slow-payment"]
    assert found["traces"] == {bad.id: "failed", good.id: "ran"}
    engine.close()


def _process(engine: Engine, optimistic: bool) -> dict[str, int]:
    assert engine.clock is not None
    stats = drain(
        engine.sessions, engine.dispatcher, engine.ruleset, engine.clock, optimistic=optimistic
    )
    return dict(stats.outcomes)


def _state(session: Any) -> dict[str, Any]:
    """Everything the events of the test below may leave behind, free of ids and times."""
    inbox = {
        (e.name, e.subject_id, (e.data or {}).get("seq")): (e.status, e.reason)
        for e in session.scalars(select(m.InboxEvent))
    }
    return {
        "accounts": {
            a.id: (a.status, a.worklist, sorted(a.flags))
            for a in session.scalars(select(m.Account))
        },
        "inbox": inbox,
        "status_history": sorted(
            (h.account_id, h.old, h.new) for h in session.scalars(select(m.StatusHistory))
        ),
        "outbox": sorted(
            (o.account_id, o.status) for o in session.scalars(select(m.OutboxMessage))
        ),
        "notes": sorted((n.account_id, n.text) for n in session.scalars(select(m.Note))),
        "ledger": sorted((f.trigger_id, f.outcome) for f in session.scalars(select(m.FiredEvent))),
        "runs": sorted(
            (r.path_id, r.subject_id, r.status, r.error_step or "")
            for r in session.scalars(select(m.Run))
        ),
    }


def _trace_runs_exist(session: Any) -> bool:
    ids = set(session.scalars(select(m.Run.id)))
    for trace in session.scalars(select(m.EventTrace)):
        for entry in trace.doc["triggers"]:
            if not set(entry.get("runs", [])) <= ids:
                return False
    return True


def test_an_optimistic_batch_with_a_failing_event_keeps_exactly_the_other_events(db_url, tmp_path):
    """Without savepoints a batch that meets a failure is redone event by event: the store
    ends exactly as the safe mode alone leaves it, on both backends."""
    found = {}
    for optimistic in (True, False):
        url = db_url if "postgres" in db_url else f"sqlite:///{tmp_path / f'{optimistic}.db'}"
        engine = _engine(url, tmp_path / str(optimistic))
        for account in ("A1", "A2", "A3"):
            place(engine, account, "1200.00")
        assert _process(engine, optimistic) == {"processed": 9}
        first = engine.submit_many(
            [
                {"name": "onAfterPaymentPost", "account": "A1", "data": {"amount": "3.00"}},
                {"name": "onDispute", "account": "A2", "data": {"worklist": "NOWHERE"}},
                {"name": "onCeaseCommunication", "account": "A3", "data": {"seq": 7}},
            ]
        )
        outcomes = _process(engine, optimistic)
        assert outcomes == {"processed": 3, "failed": 1}, outcomes  # + A3's onStatusChange
        found[optimistic] = engine.read(_state)
        assert engine.read(_trace_runs_exist)
        statuses = engine.read(lambda s: {e.id: e.status for e in s.scalars(select(m.InboxEvent))})
        assert [statuses[e.id] for e in first] == ["processed", "failed", "processed"]
        engine.close()
        if "postgres" in db_url:  # one schema per test: the safe mode is compared on SQLite
            break
    state = found[True]
    # The failing event rolled back alone: A2 keeps the welcome path's state, no LEGAL, no flag.
    assert state["accounts"]["A2"] == ("ACTIVE", "COLLECTIONS", [])
    assert ("A2", "ACTIVE", "LEGAL") not in state["status_history"]
    assert [r[2] for r in state["runs"] if r[0] == "explode"] == ["failed"]  # recorded once
    # The others committed: A1's payment note, A3's toggle with its letter.
    assert ("A1", "Payment noted") in state["notes"]
    assert state["accounts"]["A3"][0] == "NEW"
    assert ("A3", "ACTIVE", "NEW") in state["status_history"]
    assert state["outbox"].count(("A3", "pending")) == 2  # welcome letter + toggle letter
    if True in found and False in found:
        assert found[True] == found[False]


def test_a_follow_up_opened_or_resolved_mid_batch_is_seen_by_the_next_events(
    db_url, batched, tmp_path
):
    engine = _engine(db_url, tmp_path, batched)
    place(engine, "A1", "100.00")
    engine.process()
    pay = {"name": "onAfterPaymentPost", "account": "A1", "data": {"amount": "1.00"}}
    hold = {"name": "onCeaseCommunication", "account": "A1", "data": {"seq": 99}}
    engine.submit_many([pay, hold, pay])  # the batch reads A1's follow-ups (none) first
    stats = engine.process()
    assert not stats.outcomes["failed"], stats.as_json()
    opened = engine.read(lambda s: list(s.scalars(select(m.FollowUp.id))))
    assert len(opened) == 1
    release = {
        "name": "onAfterFollowUpInsert",
        "subject": ("follow_up", opened[0]),
        "data": {"release": "yes"},
    }
    engine.submit_many([pay, release, pay])  # this batch reads the open one, then resolves it
    stats = engine.process()
    assert not stats.outcomes["failed"], stats.as_json()
    outcomes = engine.read(
        lambda s: [
            f.outcome
            for f in s.scalars(
                select(m.FiredEvent)
                .join(m.InboxEvent, m.InboxEvent.id == m.FiredEvent.event_id)
                .where(m.FiredEvent.trigger_id == "payment-note")
                .order_by(m.InboxEvent.seq)
            )
        ]
    )
    assert outcomes == ["ran", "suspended", "suspended", "ran"]
    engine.close()
