"""Settlements and offers through the operations, the daily cycle and the widget, on SQLite
and PostgreSQL: what the scenario files cannot see (installment statuses, rows removed,
nothing changed by a refusal, the widget's figures)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.config.model import InterestRules
from engine.domain import models as m
from engine.domain.errors import DomainError
from engine.domain.operations.settlements import widget
from engine.runtime.engine import Engine
from engine.scheduler.jobs import run_day
from tests.settlements.helpers import advance, operate, place


def count(engine: Engine, model: type[object]) -> int:
    return int(engine.read(lambda s: s.scalar(select(func.count()).select_from(model))))


def test_installments_are_paid_or_missed_once_each(engine: Engine) -> None:
    place(engine, "A1", "ACME", ["P1"], principal="1000.00")
    operate(
        engine,
        "create_settlement",
        settlement="S1",
        account="A1",
        amount="600.00",
        installments=[
            {"due_date": "2026-05-15", "amount": "200.00"},
            {"due_date": "2026-06-15", "amount": "200.00"},
            {"due_date": "2026-07-15", "amount": "200.00"},
        ],
    )
    advance(engine, date(2026, 5, 14))
    operate(engine, "post_payment", account="A1", amount="250.00")  # 50.00 carried forward
    advance(engine, date(2026, 6, 10))
    operate(engine, "post_payment", account="A1", amount="100.00")  # 150.00: short by 50.00
    advance(engine, date(2026, 6, 17))
    run_day(engine, date(2026, 6, 17))  # a second cycle on the same day fires nothing more

    def statuses(session: object) -> list[str]:
        row = session.get(m.Settlement, "S1")  # type: ignore[attr-defined]
        return [i.status for i in row.installments]

    assert engine.read(statuses) == ["paid", "missed", "due"]
    missed = engine.read(
        lambda s: list(
            s.scalars(select(m.InboxEvent).where(m.InboxEvent.name == "onInstallmentMissed"))
        )
    )
    assert [(e.business_date, e.data["due_date"], e.data["received"]) for e in missed] == [
        (date(2026, 6, 16), "2026-06-15", "100.00")
    ]
    # Catching up covers the last installment, not the missed one.
    operate(engine, "post_payment", account="A1", amount="200.00")
    assert engine.read(statuses) == ["paid", "missed", "paid"]


def test_inactive_void_and_unapproved_settlements_do_not_track_installments(
    engine: Engine,
) -> None:
    plan = [{"due_date": "2026-05-15", "amount": "500.00"}]
    for n, state in ((1, None), (2, "inactive"), (3, "void")):
        place(engine, f"A{n}", "ACME", [f"P{n}"], principal="1000.00")
        # S1 is below Acme's 600.00 and waits for approval; S2 and S3 are within authority.
        amount = "500.00" if n == 1 else "600.00"
        operate(
            engine,
            "create_settlement",
            settlement=f"S{n}",
            account=f"A{n}",
            amount=amount,
            installments=plan,
        )
        if state:
            operate(engine, "set_settlement_state", settlement=f"S{n}", state=state)
    advance(engine, date(2026, 5, 20))

    def missed(session: object) -> list[str]:
        query = select(m.InboxEvent.subject_id).where(m.InboxEvent.name == "onInstallmentMissed")
        return list(session.scalars(query))  # type: ignore[attr-defined]

    assert engine.read(missed) == []
    # Approved, S1 tracks from now on: its plan is already behind.
    operate(engine, "approve_settlement", settlement="S1", by="J. Marsh")
    assert engine.read(missed) == ["S1"]


def test_remove_deletes_the_settlement_its_claims_and_installments(engine: Engine) -> None:
    place(engine, "A1", "ACME", ["P1"], principal="1000.00")
    operate(
        engine,
        "create_settlement",
        settlement="S1",
        account="A1",
        amount="600.00",
        claims=[{"claimant": "P1", "amount": "600.00"}],
        installments=[{"due_date": "2026-06-01", "amount": "600.00"}],
    )
    assert (count(engine, m.SettlementClaim), count(engine, m.Installment)) == (1, 1)
    operate(engine, "remove_settlement", settlement="S1")
    assert count(engine, m.Settlement) == 0
    assert (count(engine, m.SettlementClaim), count(engine, m.Installment)) == (0, 0)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("create_settlement", {"amount": "0.00"}, "must be greater than zero"),
        ("create_settlement", {"percent": "101"}, "between 0 and 100, got 101"),
        ("create_settlement", {"percent": "-1"}, "between 0 and 100, got -1"),
        ("create_settlement", {"amount": "abc"}, "settlement amount must be an amount of money"),
        ("create_offer", {"amount": "-1.00", "term_days": 10}, "must be greater than zero"),
        ("create_offer", {"amount": "100.00", "term_days": 0}, "whole number of days"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    engine: Engine, name: str, params: dict[str, object], message: str
) -> None:
    place(engine, "A1", "ACME", ["P1"], principal="1000.00")
    before = [count(engine, model) for model in (m.Settlement, m.Offer, m.InboxEvent)]
    ident = {"settlement": "S1"} if name == "create_settlement" else {"offer": "O1"}
    with pytest.raises(DomainError, match=message):
        engine.operate(name, {**ident, "account": "A1", **params})
    assert [count(engine, model) for model in (m.Settlement, m.Offer, m.InboxEvent)] == before


def test_new_interest_is_counted_only_when_the_client_includes_it(engine: Engine) -> None:
    acme = engine.ruleset.clients["ACME"]
    assert acme.settlement is not None and acme.settlement.include_new_interest
    nine = InterestRules(rate=Decimal("9.0"), basis=365, buckets=("principal",))
    clients = {**engine.ruleset.clients, "ACME": replace(acme, interest=nine)}
    engine.ruleset = replace(engine.ruleset, clients=clients)
    place(engine, "A1", "ACME", ["P1"], principal="1000.00")
    with engine.unit("test") as unit:
        account = unit.session.get(m.Account, "A1")
        assert account is not None
        account.placed_date = date(2026, 1, 1)
    # 1,000.00 × 9 % × 123 / 365 = 30.33 new interest; 600.00 + 50 % of it (15.165 -> 15.17).
    result = operate(engine, "create_settlement", settlement="S1", account="A1", calculate=True)
    assert (result["amount"], result["calculated_amount"]) == ("615.17", "615.17")
    without = replace(acme.settlement, include_new_interest=False)
    clients["ACME"] = replace(acme, interest=nine, settlement=without)
    engine.ruleset = replace(engine.ruleset, clients=clients)
    place(engine, "A2", "ACME", ["P2"], principal="1000.00")
    result = operate(engine, "create_settlement", settlement="S2", account="A2", calculate=True)
    assert result["amount"] == "600.00"


def test_the_widget_shows_the_figures_of_the_bank_seed(engine: Engine) -> None:
    place(engine, "G1", "GLOBEX", ["P1"], principal="2000.00", interest="300.00", fees="40.00")
    operate(engine, "post_payment", account="G1", amount="40.00")  # the day before the offer
    advance(engine, date(2026, 5, 5))
    operate(engine, "create_offer", offer="O1", account="G1", amount="1200.00", term_days=30)
    operate(engine, "offer_action", offer="O1", action="generate")
    advance(engine, date(2026, 5, 20))
    operate(engine, "post_payment", account="G1", amount="700.00")
    shown = engine.read(lambda s: widget(s, engine.ruleset, "G1", date(2026, 5, 20)))
    assert shown["source"] == "offer O1"
    assert shown["total_outstanding"] == "1600.00"
    assert shown["at_initiation"] == {
        "date": "2026-05-05",
        "total": "2300.00",
        "principal": "1960.00",  # Globex's spreader pays principal first
        "interest": "300.00",
        "other": "40.00",
    }
    assert shown["settlement_amount"] == "1200.00"
    assert shown["payment_received"] == "700.00"
    assert shown["outstanding_post_settlement"] == "1100.00"  # 1,600.00 - 500.00 to pay
    assert shown["status"] == "Offer Generated"
    assert shown["offers_by_status"]["Offer Generated"] == 1
    assert shown["authority"].startswith("Settle at 55% of principal")
    assert shown["offers"][0]["end_date"] == "2026-06-04"


def test_payments_before_inception_are_listed_but_not_counted(engine: Engine) -> None:
    place(engine, "A1", "ACME", ["P1"], principal="1000.00")
    operate(engine, "post_payment", account="A1", amount="100.00")
    advance(engine, date(2026, 5, 6))
    operate(engine, "create_settlement", settlement="S1", account="A1", amount="540.00")
    operate(engine, "post_payment", account="A1", amount="40.00")
    shown = engine.read(lambda s: widget(s, engine.ruleset, "A1", date(2026, 5, 6)))
    [item] = shown["settlements"]
    assert (item["received"], item["remaining"]) == ("40.00", "500.00")
    assert [(p["amount"], p["counted"]) for p in item["payments"]] == [
        ("40.00", True),
        ("100.00", False),
    ]


def test_an_expiry_date_caps_the_term_and_generation_restarts_it(engine: Engine) -> None:
    place(engine, "A1", "ACME", ["P1"], principal="1000.00")
    operate(
        engine,
        "create_offer",
        offer="O1",
        account="A1",
        amount="500.00",
        term_days=30,
        expiry_date="2026-05-20",
    )
    assert engine.read(lambda s: s.get(m.Offer, "O1").end_date) == date(2026, 5, 20)
    operate(engine, "offer_action", offer="O1", action="cancel")
    operate(engine, "create_offer", offer="O2", account="A1", amount="500.00", term_days=30)
    assert engine.read(lambda s: s.get(m.Offer, "O2").end_date) == date(2026, 6, 3)
    advance(engine, date(2026, 5, 11))
    operate(engine, "offer_action", offer="O2", action="generate")
    offer = engine.read(lambda s: s.get(m.Offer, "O2"))
    assert (offer.offer_date, offer.end_date) == (date(2026, 5, 11), date(2026, 6, 10))
    with pytest.raises(DomainError, match="unknown offer 'O3'"):
        engine.operate("offer_action", {"offer": "O3", "action": "accept"})
