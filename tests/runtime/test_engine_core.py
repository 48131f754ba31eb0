"""Engine core through the Python API: events in, triggers, runs, traces, guarantees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.domain import models as m
from tests.runtime.helpers import make_engine, place


def _count(engine, model, *where):
    return engine.read(lambda s: s.scalar(select(func.count()).select_from(model).where(*where)))


def test_placement_runs_the_welcome_path_and_traces_it(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    place(engine, "A1", "1200.00")
    stats = engine.process()
    assert stats.outcomes["processed"] >= 1
    account = engine.read(lambda s: s.get(m.Account, "A1"))
    assert account.status == "ACTIVE"
    assert account.worklist == "COLLECTIONS"
    assert str(account.next_work_date) == "2026-05-05"  # +1 business day from Monday
    letters = engine.read(lambda s: list(s.scalars(select(m.OutboxMessage))))
    assert [(x.channel, x.template, x.recipient["party"]) for x in letters] == [
        ("letter", "welcome", "P1")
    ]
    assert "1,200.00" in letters[0].payload["body"] or "1200.00" in letters[0].payload["body"]
    notes = engine.read(lambda s: [n.text for n in s.scalars(select(m.Note))])
    assert notes == ["Half is 600.00"]  # Decimal arithmetic with a float literal stays exact
    runs = engine.read(lambda s: list(s.scalars(select(m.Run))))
    assert [(r.path_id, r.status) for r in runs] == [("welcome", "completed")]
    assert runs[0].ruleset_hash == engine.ruleset.hash
    engine.close()


def test_false_condition_is_traced_with_the_values_it_saw(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    place(engine, "A2", "320.00")
    engine.process()
    traces = engine.read(lambda s: [t.doc for t in s.scalars(select(m.EventTrace))])
    insert = next(t for t in traces if t["event"]["name"] == "onAfterAccountInsert")
    entry = insert["triggers"][0]
    assert entry["trigger"] == "welcome"
    assert entry["outcome"] == "condition_false"
    assert entry["if"]["expr"] == "account.balance >= 500"
    assert entry["if"]["seen"] == {"account.balance": "320.00"}
    assert _count(engine, m.Run) == 0
    engine.close()


def test_bad_events_are_rejected_with_reason_and_kept(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    place(engine, "A1", "1200.00")
    unknown_event = engine.submit("onAfterAcountInsert", account="A1")
    unknown_account = engine.submit("onDispute", account="NOPE")
    bad_data = engine.submit("onDispute", account="A1", data=[1, 2])
    date_trigger = engine.submit("onCaseCourtDate", case="C1")
    assert unknown_event.status == "rejected"
    assert "did you mean 'onAfterAccountInsert'" in str(unknown_event.reason)
    assert unknown_account.reason == "unknown account 'NOPE'"
    assert bad_data.reason == "event data must be a JSON object, got list"
    assert "date trigger" in str(date_trigger.reason)
    assert _count(engine, m.InboxEvent, m.InboxEvent.status == "rejected") == 4
    engine.close()


def test_failing_step_rolls_back_the_event_and_records_the_failure(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    place(engine, "A1", "1200.00")
    place(engine, "A2", "1200.00", party="P2")
    engine.process()
    bad = engine.submit("onDispute", account="A1", data={"worklist": "NOWHERE"})
    good = engine.submit("onAfterPaymentPost", account="A2", data={"amount": "25.00"})
    engine.process()
    account = engine.read(lambda s: s.get(m.Account, "A1"))
    assert account.status == "ACTIVE"  # set_status LEGAL rolled back
    assert "DISPUTED" not in account.flags
    event = engine.read(
        lambda s: s.scalars(select(m.InboxEvent).where(m.InboxEvent.id == bad.id)).one()
    )
    assert event.status == "failed"
    assert "unknown worklist 'NOWHERE'" in str(event.reason)
    failed = engine.read(lambda s: s.scalars(select(m.Run).where(m.Run.status == "failed")).one())
    assert failed.path_id == "explode"
    assert "move_worklist" in str(failed.error_step)
    # No status history or derived events leaked out of the failed event.
    assert _count(engine, m.StatusHistory, m.StatusHistory.new == "LEGAL") == 0
    assert _count(engine, m.InboxEvent, m.InboxEvent.parent_id == bad.id) == 0
    other = engine.read(
        lambda s: s.scalars(select(m.InboxEvent).where(m.InboxEvent.id == good.id)).one()
    )
    assert other.status == "processed"
    records = engine.read(lambda s: [r.fields for r in s.scalars(select(m.Record))])
    assert records == [{"amount": "25.00"}]
    engine.close()


def test_loop_guard_stops_a_status_ping_pong(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    place(engine, "A1", "100.00")
    engine.process()
    engine.operate("record_dispute", {"account": "A1"})  # unrelated hold, no loop
    with engine.unit() as unit:
        from engine.domain.operations.accounts import set_status

        set_status(unit, unit.session.get(m.Account, "A1"), "PING")
    engine.process()
    guarded = engine.read(
        lambda s: list(
            s.scalars(
                select(m.InboxEvent).where(
                    m.InboxEvent.status == "rejected", m.InboxEvent.reason.like("loop guard%")
                )
            )
        )
    )
    assert len(guarded) == 1
    assert guarded[0].depth == 5  # max_event_depth is 4 in the test agency
    engine.close()


def test_exactly_once_ledger_and_idempotency_key(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    place(engine, "A1", "100.00")
    first = engine.submit(
        "onAfterPaymentPost", account="A1", data={"amount": "1.00"}, idempotency_key="pay-1"
    )
    again = engine.submit(
        "onAfterPaymentPost", account="A1", data={"amount": "1.00"}, idempotency_key="pay-1"
    )
    assert again.replay and again.id == first.id
    engine.process()
    engine.process()
    assert _count(engine, m.FiredEvent, m.FiredEvent.event_id == first.id) == 1
    assert _count(engine, m.Record) == 1
    engine.close()


def test_case_actions_apply_to_every_account_of_the_case(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    place(engine, "A1", "100.00", bundle="B1")
    place(engine, "A2", "200.00", bundle="B1")
    engine.process()
    engine.operate("open_case", {"case": "C1", "accounts": ["A1", "A2"], "defendants": ["P1"]})
    engine.process()
    statuses = engine.read(lambda s: {a.id: a.status for a in s.scalars(select(m.Account))})
    assert statuses == {"A1": "LEGAL", "A2": "LEGAL"}
    letters = engine.read(
        lambda s: list(s.scalars(select(m.OutboxMessage).where(m.OutboxMessage.case_id == "C1")))
    )
    assert [x.recipient["party"] for x in letters] == ["P1"]
    engine.close()


def test_integrators_register_actions_used_by_rules(db_url, batched, tmp_path):
    import shutil

    from engine import load_ruleset
    from engine.config import ConfigError
    from engine.domain.clock import SimulatedClock
    from engine.runtime.actions import builtin_registry
    from engine.runtime.engine import Engine
    from tests.runtime.helpers import CONFIG

    root = tmp_path / "config"
    shutil.copytree(CONFIG, root)
    (root / "action_paths" / "score.yaml").write_text(
        "action_paths:\n  - id: score\n    steps:\n      - score: {weight: 2}\n"
        "triggers:\n  - {id: score-on-payment, on: onAfterPaymentPost, run: score}\n"
    )
    with pytest.raises(ConfigError, match="action path 'score': unknown action 'score'"):
        load_ruleset(root)

    registry = builtin_registry()
    seen: list[tuple[Decimal, int]] = []

    @registry.register("score")
    def score(ctx, params):
        seen.append((ctx.context["account"].balance, params["weight"]))
        return {"scored": True}

    ruleset = load_ruleset(root, actions=registry.names())
    engine = Engine(
        ruleset, db_url, clock=SimulatedClock(date(2026, 5, 4)), registry=registry, batched=batched
    )
    place(engine, "A1", "100.00")
    engine.submit("onAfterPaymentPost", account="A1", data={"amount": "1.00"})
    engine.process()
    assert seen == [(Decimal("100.00"), 2)]
    engine.close()


def test_condition_error_fails_that_event_only(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    place(engine, "A1", "100.00")
    place(engine, "A2", "100.00", party="P2")
    engine.process()
    broken = engine.submit("onAfterBankruptcyInsert", account="A1")
    fine = engine.submit("onAfterPaymentPost", account="A2", data={"amount": "3.00"})
    stats = engine.process()
    assert stats.outcomes["failed"] == 1
    events = engine.read(lambda s: {e.id: e for e in s.scalars(select(m.InboxEvent))})
    assert events[broken.id].status == "failed"
    assert "trigger needs-a-case" in str(events[broken.id].reason)
    assert "case.status == 'OPEN'" in str(events[broken.id].reason)
    assert events[fine.id].status == "processed"
    engine.close()


def test_first_account_of_a_client_without_parties_on_a_fresh_store(db_url, batched):
    engine = make_engine(db_url, batched=batched)
    result = engine.operate(
        "place_account", {"account": "A1", "client": "ACME", "balances": {"principal": "10.00"}}
    )
    assert result == {"account": "A1"}
    assert engine.read(lambda s: s.get(m.Account, "A1").client_code) == "ACME"
    engine.close()
