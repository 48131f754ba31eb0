"""Payments on judgment accounts: mirrored onto the originals in the same transaction, never
edited by hand, unspread and respread with history kept; moved payments; the report."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.domain import models as m
from engine.domain.errors import DomainError
from engine.domain.operations.payments import posting as payments
from engine.domain.reports import payments_report
from tests.legal.conftest import START, MakeEngine, filed_case, place, set_day

D = Decimal


def _rows(engine, account: str | None = None) -> list[tuple]:
    query = select(m.Transaction).order_by(m.Transaction.id)
    if account is not None:
        query = query.where(m.Transaction.account_id == account)
    return engine.read(
        lambda s: [
            (t.id, t.kind, t.account_id, t.amount, t.parent_id, t.reversed, t.client_code)
            for t in s.scalars(query)
        ]
    )


def _balance(engine, account: str) -> dict[str, Decimal]:
    return engine.read(lambda s: s.get(m.Account, account).balances())


def _two_original_judgment(engine, **extra: object) -> None:
    place(
        engine,
        {"id": "A1", "client": "ACME", "bundle": "B1", "balances": {"principal": "1200.00"}},
        {"id": "A2", "client": "ACME", "bundle": "B1", "balances": {"principal": "600.00"}},
    )
    filed_case(engine, "A1", "A2")
    params = {
        "case": "C1",
        "judgment_client": "ACME-JDG",
        "judgment_account": "J1",
        "amount": "1800.00",
        "interest_rate": "0",
        **extra,
    }
    engine.operate("render_judgment", params)
    engine.process()


def test_render_judgment_creates_the_linked_judgment_account(make_engine: MakeEngine):
    engine = make_engine()
    _two_original_judgment(engine, court_costs="150.00", spread={"A1": "1300.00", "A2": "500"})

    def read(s):
        j1 = s.get(m.Account, "J1")
        judgment = s.get(m.Judgment, "J1")
        spread = {r.account_id: r.amount for r in s.scalars(select(m.JudgmentSpread))}
        case = s.get(m.Case, "C1")
        parties = [(p.party_id, p.roles) for p in j1.parties]
        return (
            j1.client_code,
            j1.is_judgment,
            j1.judgment_id,
            j1.principal,
            j1.court_costs,
            j1.status,
            parties,
            judgment.amount,
            judgment.case_id,
            spread,
            (s.get(m.Account, "A1").judgment_id, s.get(m.Account, "A2").judgment_id),
            (case.judgment_id, case.judgment_date, case.status),
        )

    assert engine.read(read) == (
        "ACME-JDG",
        True,
        "J1",
        D("1800.00"),
        D("150.00"),
        "JDG",  # set by the sample agency's open-judgment-account path
        [("P1", ["responsible"])],
        D("1800.00"),
        "C1",
        {"A1": D("1300.00"), "A2": D("500.00")},
        ("J1", "J1"),
        ("J1", START, "JUDGMENT"),
    )
    statuses = engine.read(lambda s: [s.get(m.Account, a).status for a in ("A1", "A2")])
    assert statuses == ["AJ", "AJ"]


def test_without_a_spread_the_amount_follows_the_proposed_spread(make_engine: MakeEngine):
    engine = make_engine()
    place(
        engine,
        {"id": "A1", "client": "ACME", "bundle": "B1", "balances": {"principal": "1000.00"}},
        {"id": "A2", "client": "ACME", "bundle": "B1", "balances": {"principal": "500.00"}},
    )
    filed_case(engine, "A1", "A2")
    engine.operate("auto_spread", {"case": "C1"})
    result = engine.operate(
        "render_judgment",
        {"case": "C1", "judgment_client": "ACME-JDG", "judgment_account": "J1", "amount": "100"},
    )
    assert result["spread"] == {"A1": "66.67", "A2": "33.33"}


def test_a_payment_is_mirrored_onto_the_originals_in_the_same_transaction(
    make_engine: MakeEngine, monkeypatch: pytest.MonkeyPatch
):
    seen: list[tuple[str, str, Decimal]] = []

    def hook(unit, account, tx):
        seen.append((account.id, tx.kind, tx.amount))

    monkeypatch.setattr(payments, "AFTER_PAYMENT", [*payments.AFTER_PAYMENT, hook])
    engine = make_engine()
    _two_original_judgment(engine)
    set_day(engine, START + timedelta(days=3))
    result = engine.operate("post_payment", {"account": "J1", "amount": "300.00"})
    assert result["mirrors"] == {"A1": "200.00", "A2": "100.00"}  # ACME: proportional
    assert _rows(engine) == [
        (1, "payment", "J1", D("300.00"), None, False, "ACME-JDG"),
        (2, "interest", "J1", D("0.00"), None, False, "ACME-JDG"),
        (3, "mirror", "A1", D("200.00"), 1, False, "ACME"),
        (4, "mirror", "A2", D("100.00"), 1, False, "ACME"),
    ]
    assert seen == [
        ("J1", "payment", D("300.00")),
        ("A1", "mirror", D("200.00")),
        ("A2", "mirror", D("100.00")),
    ]
    assert _balance(engine, "A1")["principal"] == D("1000.00")
    assert _balance(engine, "A2")["principal"] == D("500.00")
    assert _balance(engine, "J1")["principal"] == D("1500.00")
    last = engine.read(lambda s: [s.get(m.Account, a).last_payment_date for a in ("J1", "A1")])
    assert last == [START + timedelta(days=3)] * 2


def test_a_failing_hook_rolls_the_whole_payment_back(
    make_engine: MakeEngine, monkeypatch: pytest.MonkeyPatch
):
    def hook(unit, account, tx):
        if tx.kind == "mirror":
            raise DomainError(f"settlement tracking refused {account.id}")

    monkeypatch.setattr(payments, "AFTER_PAYMENT", [hook])
    engine = make_engine()
    _two_original_judgment(engine)
    with pytest.raises(DomainError, match="refused A1"):
        engine.operate("post_payment", {"account": "J1", "amount": "300.00"})
    assert _rows(engine) == []
    assert _balance(engine, "J1")["principal"] == D("1800.00")


def test_mirrors_follow_each_original_clients_judgment_spreader(make_engine: MakeEngine):
    engine = make_engine()
    place(
        engine,
        {"id": "A1", "client": "ACME", "bundle": "B1", "balances": {"principal": "1000.00"}},
        {"id": "A2", "client": "GLOBEX", "bundle": "B1", "balances": {"principal": "300.00"}},
        {"id": "A3", "client": "GLOBEX", "bundle": "B1", "balances": {"principal": "200.00"}},
    )
    filed_case(engine, "A1", "A2", "A3")
    engine.operate(
        "render_judgment",
        {
            "case": "C1",
            "judgment_client": "ACME-JDG",
            "judgment_account": "J1",
            "amount": "1500.00",
            "interest_rate": "0",
        },
    )
    result = engine.operate("post_payment", {"account": "J1", "amount": "301.00"})
    # ACME holds 1,000 of the 1,500 spread, GLOBEX 500: 200.67 and 100.33; GLOBEX's
    # even-split judgment spreader halves its share between A2 and A3.
    assert result["mirrors"] == {"A1": "200.67", "A2": "50.17", "A3": "50.16"}


def test_unspread_and_respread_keep_the_history(make_engine: MakeEngine):
    engine = make_engine()
    _two_original_judgment(engine)
    set_day(engine, START + timedelta(days=3))
    engine.operate("post_payment", {"account": "J1", "amount": "300.00"})
    with pytest.raises(DomainError, match="mirrors payment 1: a mirrored spread is never edited"):
        engine.operate("unspread_payment", {"payment": 3})
    set_day(engine, START + timedelta(days=5))
    result = engine.operate("unspread_payment", {"payment": 1})
    assert result == {"unspread": [1, 3, 4], "reversals": [5, 6, 7]}
    assert _balance(engine, "J1")["principal"] == D("1800.00")
    assert _balance(engine, "A1")["principal"] == D("1200.00")
    last = engine.read(lambda s: s.get(m.Account, "A1").last_payment_date)
    assert last is None
    with pytest.raises(DomainError, match="payment 1 on account 'J1' is already unspread"):
        engine.operate("unspread_payment", {"payment": 1})
    # Respread a payment found by account and date, as new transactions.
    engine.operate("post_payment", {"account": "J1", "amount": "90.00", "date": "2026-05-08"})
    result = engine.operate(
        "respread_payment", {"account": "J1", "date": "2026-05-08", "spreader": "interest-first"}
    )
    assert result["replaces"] == 8
    assert result["mirrors"] == {"A1": "60.00", "A2": "30.00"}
    kinds = [(r[1], r[2], r[3], r[5]) for r in _rows(engine)[7:]]
    assert kinds == [
        ("payment", "J1", D("90.00"), True),
        ("interest", "J1", D("0.00"), False),  # rate 0: the accrual date still moves
        ("mirror", "A1", D("60.00"), True),
        ("mirror", "A2", D("30.00"), True),
        ("reversal", "J1", D("-90.00"), False),
        ("reversal", "A1", D("-60.00"), False),
        ("reversal", "A2", D("-30.00"), False),
        ("payment", "J1", D("90.00"), False),
        ("mirror", "A1", D("60.00"), False),
        ("mirror", "A2", D("30.00"), False),
    ]
    assert _balance(engine, "A1")["principal"] == D("1140.00")


def test_respread_with_another_spreader_on_a_plain_account(make_engine: MakeEngine):
    engine = make_engine()
    place(engine, {"id": "A1", "client": "ACME", "balances": {"principal": "100", "fees": "40"}})
    result = engine.operate("post_payment", {"account": "A1", "amount": "50.00"})
    assert result["allocations"] == {"fees": "40.00", "principal": "10.00"}  # fees first
    result = engine.operate("respread_payment", {"payment": 1, "spreader": "proportional"})
    assert result["allocations"] == {"principal": "50.00"}
    assert _balance(engine, "A1") == {
        "principal": D("50.00"),
        "interest": D("0.00"),
        "fees": D("40.00"),
        "court_costs": D("0.00"),
        "attorney_fees": D("0.00"),
        "other": D("0.00"),
    }
    with pytest.raises(DomainError, match=r"unknown spreader 'proportionl'.*'proportional'"):
        engine.operate("respread_payment", {"payment": 3, "spreader": "proportionl"})


def test_an_overpayment_is_kept_not_dropped(make_engine: MakeEngine):
    engine = make_engine()
    place(engine, {"id": "A1", "client": "ACME", "balances": {"principal": "100"}})
    result = engine.operate("post_payment", {"account": "A1", "amount": "130.00"})
    assert result["allocations"] == {"principal": "100.00", "overpayment": "30.00"}
    account = engine.read(lambda s: s.get(m.Account, "A1"))
    assert (account.principal, account.overpayment) == (D("0.00"), D("30.00"))


def test_move_payments_after_the_judgment_date(make_engine: MakeEngine):
    engine = make_engine()
    place(engine, {"id": "A1", "client": "ACME", "balances": {"principal": "1000.00"}})
    filed_case(engine, "A1")
    set_day(engine, START + timedelta(days=5))
    engine.operate("post_payment", {"account": "A1", "amount": "100.00"})
    set_day(engine, START + timedelta(days=10))
    result = engine.operate(
        "render_judgment",
        {
            "case": "C1",
            "judgment_client": "ACME-JDG",
            "judgment_account": "J1",
            "amount": "1000.00",
            "judgment_date": (START + timedelta(days=2)).isoformat(),
            "move_payments_after": True,
        },
    )
    assert result["moved_payments"] == [3]
    rows = [(r[1], r[2], r[3], r[5]) for r in _rows(engine)]
    assert rows == [
        ("payment", "A1", D("100.00"), True),
        ("reversal", "A1", D("-100.00"), False),
        ("payment", "J1", D("100.00"), False),
        ("interest", "J1", D("0.74"), False),  # 1,000 × 9 % × 3 / 365 from the judgment date
        ("mirror", "A1", D("100.00"), False),
    ]
    assert _balance(engine, "A1")["principal"] == D("900.00")
    assert _balance(engine, "J1")["principal"] == D("900.74")


def test_the_report_books_judgment_payments_to_the_original_clients(make_engine: MakeEngine):
    engine = make_engine()
    _two_original_judgment(engine)
    engine.operate("post_payment", {"account": "J1", "amount": "300.00"})
    engine.operate("unspread_payment", {"payment": 1})
    engine.operate("post_payment", {"account": "J1", "amount": "30.00"})

    def report(client: str):
        return engine.read(lambda s: payments_report(s, client, START, START))

    acme = report("ACME")
    assert [(p["kind"], p["account"], p["amount"]) for p in acme["payments"]] == [
        ("mirror", "A1", D("200.00")),
        ("mirror", "A2", D("100.00")),
        ("reversal", "A1", D("-200.00")),
        ("reversal", "A2", D("-100.00")),
        ("mirror", "A1", D("20.00")),
        ("mirror", "A2", D("10.00")),
    ]
    assert acme["total"] == D("30.00")
    assert acme["payments"][0]["source"] == {"payment": 1, "judgment_account": "J1"}
    judgment_client = report("ACME-JDG")
    assert judgment_client["payments"] == [] and judgment_client["judgment_client"] is True
    with pytest.raises(DomainError, match="unknown client 'NOPE'"):
        report("NOPE")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"account": "J1", "amount": "0"}, "a payment must be greater than zero, got 0.00"),
        ({"account": "J1", "amount": "-5"}, "a payment must be greater than zero"),
        ({"account": "J1", "amount": "ten"}, "must be an amount of money, got 'ten'"),
        ({"account": "A1", "amount": "5"}, "post the payment to judgment account 'J1'"),
        ({"account": "A9", "amount": "5"}, "unknown account 'A9'"),
        ({"account": "J1", "amount": "5", "date": "2026-06-01"}, "is in the future"),
        ({"account": "J1", "amount": "5", "spreader": "nope"}, "unknown spreader 'nope'"),
    ],
)
def test_refused_payments_change_nothing(make_engine: MakeEngine, params, message):
    engine = make_engine()
    _two_original_judgment(engine)
    with pytest.raises(DomainError, match=message):
        engine.operate("post_payment", params)
    assert engine.read(lambda s: s.scalar(select(func.count()).select_from(m.Transaction))) == 0


def test_a_payment_before_the_judgment_date_is_refused(make_engine: MakeEngine):
    engine = make_engine(date(2026, 5, 10))
    _two_original_judgment(engine, judgment_date="2026-05-10")
    with pytest.raises(DomainError, match="before the judgment date 2026-05-10"):
        engine.operate("post_payment", {"account": "J1", "amount": "5", "date": "2026-05-09"})
