"""Follow-ups in the automation: the path actions, the suspension and its release, the trace."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.domain import models as m
from engine.domain.errors import DomainError
from engine.domain.operations.follow_ups import describe
from engine.runtime.context.subjects import resolve
from engine.runtime.dispatch.suspension import follow_up_suspension
from engine.runtime.engine import Engine
from engine.runtime.traces.queries import event_detail
from tests.follow_ups.conftest import advance


def _notes(engine: Engine, account: str) -> list[str]:
    return engine.read(
        lambda s: [n.text for n in s.scalars(select(m.Note).where(m.Note.account_id == account))]
    )


def _pay(engine: Engine, account: str = "A1") -> dict:
    submitted = engine.submit("onAfterPaymentPost", account=account, data={"amount": "5.00"})
    engine.process()
    detail = engine.read(lambda s: event_detail(s, submitted.id))
    assert detail is not None
    return detail


def test_a_path_opens_a_suspending_follow_up_that_holds_the_account_until_resolved(engine):
    engine.submit("onDispute", account="A1")
    engine.process()
    follow_up = engine.read(lambda s: describe(s, "A1-dispute"))
    assert follow_up["status"] == "open"
    assert follow_up["suspends_automation"] is True
    assert follow_up["due_date"] == "2026-05-14"
    assert follow_up["stakeholders"] == ["P1", "Compliance"]
    assert follow_up["title"] == "Dispute of A1"
    opened = follow_up["history"][0]
    assert opened["kind"] == "opened" and opened["run"] > 0

    # The standard automation skips A1, and the trace says why.
    held = _pay(engine)
    assert held["status"] == "processed"
    [trigger] = held["triggers"]
    assert trigger["outcome"] == "suspended"
    assert (
        "follow-up 'A1-dispute' (dispute) on account A1 suspends automation" in (trigger["reason"])
    )
    assert "Payment noted" not in _notes(engine, "A1")
    # Another account is not held.
    assert _pay(engine, "A2")["triggers"][0]["outcome"] == "ran"

    # Due on the 14th: its own due event still runs and resolves it; A1 is back.
    advance(engine, date(2026, 5, 14))
    follow_up = engine.read(lambda s: describe(s, "A1-dispute"))
    assert follow_up["status"] == "resolved"
    assert follow_up["outcome"] == "No answer within the dispute window"
    assert follow_up["resolved_date"] == "2026-05-14"
    assert [line["kind"] for line in follow_up["history"]] == ["opened", "resolved"]
    assert engine.read(lambda s: s.get(m.Account, "A1").status) == "ACTIVE"
    assert "A1-dispute resolved: No answer within the dispute window" in _notes(engine, "A1")

    released = _pay(engine)
    assert released["triggers"][0]["outcome"] == "ran"
    assert _notes(engine, "A1").count("Payment noted") == 1


def test_a_follow_up_on_a_case_holds_the_case_and_its_accounts(engine):
    engine.operate("open_case", {"case": "C1", "accounts": ["A1"], "defendants": ["P1"]})
    engine.operate(
        "open_follow_up",
        {"follow_up": "L1", "case": "C1", "kind": "legal", "suspend_automation": True},
    )
    engine.operate("open_follow_up", {"follow_up": "N1", "account": "A2", "kind": "other"})
    with engine.unit() as unit:
        for kind, ident in (("case", "C1"), ("account", "A1")):
            reason = follow_up_suspension(unit, resolve(unit.session, kind, ident))
            assert reason is not None and "follow-up 'L1' (legal) on case C1" in reason
        # A follow-up that does not suspend, and the follow-up's own events, hold nothing.
        assert follow_up_suspension(unit, resolve(unit.session, "account", "A2")) is None
        assert follow_up_suspension(unit, resolve(unit.session, "follow_up", "L1")) is None
    engine.operate("resolve_follow_up", {"follow_up": "L1", "outcome": "Settled out of court"})
    with engine.unit() as unit:
        assert follow_up_suspension(unit, resolve(unit.session, "case", "C1")) is None


def test_opening_emits_the_insert_event_and_resolving_the_resolved_event(engine):
    engine.operate(
        "open_follow_up",
        {"follow_up": "F1", "account": "A2", "kind": "credit_note", "owner": "Sales"},
    )
    engine.operate("resolve_follow_up", {"follow_up": "F1", "outcome": "Credit note CN-7"})
    events = engine.read(
        lambda s: [
            (e.name, e.subject_kind, e.subject_id, dict(e.data))
            for e in s.scalars(select(m.InboxEvent).where(m.InboxEvent.subject_kind == "follow_up"))
        ]
    )
    assert events == [
        (
            "onAfterFollowUpInsert",
            "follow_up",
            "F1",
            {"kind": "credit_note", "account": "A2", "case": None},
        ),
        (
            "onFollowUpResolved",
            "follow_up",
            "F1",
            {"kind": "credit_note", "outcome": "Credit note CN-7", "account": "A2", "case": None},
        ),
    ]


def test_follow_up_ids_name_the_subject_and_kind(engine):
    first = engine.operate("open_follow_up", {"account": "A2", "kind": "payment_plan"})
    second = engine.operate("open_follow_up", {"account": "A2", "kind": "installment_plan"})
    assert (first["follow_up"], first["kind"]) == ("A2-installment_plan", "installment_plan")
    assert second["follow_up"] == "A2-installment_plan-2"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"account": "A1", "kind": "dispte"}, "unknown follow-up kind 'dispte' (did you mean"),
        ({"account": "A9", "kind": "other"}, "unknown account 'A9'"),
        ({"account": "A1", "case": "C1", "kind": "other"}, "exactly one of an account or a case"),
        ({"kind": "other"}, "exactly one of an account or a case"),
        (
            {"account": "A1", "kind": "other", "due_date": "2026-05-01"},
            "due date 2026-05-01 is before today (2026-05-04)",
        ),
        ({"account": "A1", "kind": "other", "items": ["transaction:99"]}, "unknown transaction"),
        ({"account": "A1", "kind": "other", "items": ["invoice:7"]}, "unknown item kind"),
        ({"account": "A1", "kind": "other", "suspend_automation": "yes"}, "true or false"),
        ({"account": "A1", "kind": "other", "colour": "red"}, "unexpected keyword"),
    ],
)
def test_bad_openings_are_refused_and_change_nothing(engine, params, message):
    with pytest.raises(DomainError) as refused:
        engine.operate("open_follow_up", params)
    assert message in str(refused.value)
    assert engine.read(lambda s: s.scalars(select(m.FollowUp)).all()) == []
    assert engine.read(lambda s: s.scalars(select(m.FollowUpEntry)).all()) == []


def test_items_link_accounts_transactions_and_documents(engine):
    engine.operate(
        "open_follow_up",
        {
            "follow_up": "F1",
            "account": "A1",
            "kind": "dispute",
            "items": ["A2", {"document": "contract.pdf"}, "account:A1", "A2"],
        },
    )
    assert engine.read(lambda s: describe(s, "F1"))["items"] == [
        "account:A2",
        "document:contract.pdf",
        "account:A1",
    ]
