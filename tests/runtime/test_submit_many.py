"""``Engine.submit_many``: one transaction, the same checks as ``submit``, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.domain import models as m
from tests.runtime.helpers import make_engine, place


def _inbox(engine):
    return engine.read(
        lambda s: [
            (e.name, e.subject_id, e.status, e.reason, e.idempotency_key)
            for e in s.scalars(select(m.InboxEvent).order_by(m.InboxEvent.seq))
        ]
    )


def test_bulk_submit_accepts_rejects_and_replays_like_submit(db_url):
    engine = make_engine(db_url)
    place(engine, "A1", "1200.00")
    engine.process()
    earlier = engine.submit(
        "onAfterPaymentPost", account="A1", data={"amount": "1.00"}, idempotency_key="k-0"
    )
    before = len(_inbox(engine))

    results = engine.submit_many(
        [
            {"name": "onAfterPaymentPost", "account": "A1", "data": {"amount": "5.00"}},
            {"name": "onAfterAcountInsert", "account": "A1"},
            {"name": "onDispute", "account": "NOPE"},
            {"name": "onDispute", "account": "A1", "data": [1, 2]},
            {"name": "onCaseCourtDate", "case": "C1"},
            {"name": "onAfterPaymentPost", "account": "A1", "idempotency_key": "k-0"},
            {
                "name": "onCeaseCommunication",
                "account": "A1",
                "idempotency_key": "k-1",
                "data": {"seq": 1},
            },
            {
                "name": "onCeaseCommunication",
                "account": "A1",
                "idempotency_key": "k-1",
                "data": {"seq": 1},
            },
        ]
    )

    assert [(r.status, r.replay) for r in results] == [
        ("pending", False),
        ("rejected", False),
        ("rejected", False),
        ("rejected", False),
        ("rejected", False),
        ("pending", True),
        ("pending", False),
        ("pending", True),
    ]
    assert "did you mean 'onAfterAccountInsert'" in str(results[1].reason)
    assert results[2].reason == "unknown account 'NOPE'"
    assert results[3].reason == "event data must be a JSON object, got list"
    assert "date trigger" in str(results[4].reason)
    assert results[5].id == earlier.id  # a key already stored is answered, not stored twice
    assert results[7].id == results[6].id  # so is a key seen earlier in the same batch
    # Every new event is kept, rejected ones with their reason, in the order given.
    stored = _inbox(engine)[before:]
    assert [(name, status) for name, _, status, _, _ in stored] == [
        ("onAfterPaymentPost", "pending"),
        ("onAfterAcountInsert", "rejected"),
        ("onDispute", "rejected"),
        ("onDispute", "rejected"),
        ("onCaseCourtDate", "rejected"),
        ("onCeaseCommunication", "pending"),
    ]
    stats = engine.process()
    assert stats.outcomes["processed"] >= 3 and not stats.outcomes["failed"]
    engine.close()


def test_bulk_submit_is_one_transaction(db_url):
    engine = make_engine(db_url)
    place(engine, "A1", "1200.00")
    engine.process()
    before = engine.read(lambda s: s.scalar(select(func.count()).select_from(m.InboxEvent)))
    with pytest.raises(TypeError, match="unknown event argument"):
        engine.submit_many(
            [
                {"name": "onDispute", "account": "A1"},
                {"name": "onDispute", "account": "A1", "acount": "A1"},
            ]
        )
    after = engine.read(lambda s: s.scalar(select(func.count()).select_from(m.InboxEvent)))
    assert after == before  # a malformed call stores nothing, not half the batch
    assert engine.submit_many([]) == []
    engine.close()


def test_bulk_submitted_events_process_like_single_ones(db_url):
    engine = make_engine(db_url)
    for number in range(1, 6):
        place(engine, f"A{number}", "100.00", party=f"P{number}")
    engine.process()
    results = engine.submit_many(
        [
            {"name": "onAfterPaymentPost", "account": f"A{n}", "data": {"amount": f"{n}.00"}}
            for n in range(1, 6)
        ]
    )
    assert all(r.status == "pending" for r in results)
    engine.process()
    amounts = engine.read(lambda s: sorted(r.fields["amount"] for r in s.scalars(select(m.Record))))
    assert amounts == ["1.00", "2.00", "3.00", "4.00", "5.00"]
    fired = engine.read(
        lambda s: s.scalar(
            select(func.count())
            .select_from(m.FiredEvent)
            .where(m.FiredEvent.event_id.in_([r.id for r in results]))
        )
    )
    assert fired == 5
    engine.close()
