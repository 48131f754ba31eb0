"""Judgment interest through the judgment account: simple, per annum, basis per client, rate
changes, and payments to interest first (DESIGN §5)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from engine.domain import models as m
from engine.domain.operations import judgments
from engine.runtime.context.subjects import context_for, resolve
from tests.legal.conftest import START, MakeEngine, copy_sample, filed_case, place, set_day


def _judgment(engine, amount: str = "10000.00", **extra: object) -> None:
    place(engine, {"id": "A1", "client": "ACME", "balances": {"principal": amount}})
    filed_case(engine, "A1")
    params = {
        "case": "C1",
        "judgment_client": "ACME-JDG",
        "judgment_account": "J1",
        "amount": amount,
        "interest_rate": "9.0",
        "effective_date": START.isoformat(),
        **extra,
    }
    engine.operate("render_judgment", params)
    engine.process()


def _accrued(engine, day: date) -> Decimal:
    set_day(engine, day)

    def read(session):
        return judgments.describe(session, engine.ruleset, "J1", day)["interest_accrued"]

    return engine.read(read)


def test_pinned_10000_at_9_percent_for_100_days_basis_365_is_246_58(make_engine: MakeEngine):
    engine = make_engine()
    _judgment(engine)
    day = START + timedelta(days=100)
    assert day == date(2026, 8, 12)
    assert _accrued(engine, day) == Decimal("246.58")
    # The rule language sees the same figure as judgment.interest_accrued.
    with engine.sessions() as session:
        session.info["today"] = day
        subject = resolve(session, "case", "C1")
        context = context_for(session, engine.ruleset, subject, {}, {}, day, None)
        assert context["judgment"].interest_accrued == Decimal("246.58")
    # A payment of exactly that much pays the interest and leaves the principal whole.
    result = engine.operate("post_payment", {"account": "J1", "amount": "246.58"})
    assert result["allocations"] == {"interest": "246.58"}
    balances = engine.read(lambda s: s.get(m.Account, "J1").balances())
    assert balances["principal"] == Decimal("10000.00")
    assert balances["interest"] == Decimal("0.00")
    assert _accrued(engine, day) == Decimal("0.00")  # accrual restarts from the payment


def test_a_payment_pays_accrued_interest_first_then_principal(make_engine: MakeEngine):
    engine = make_engine()
    _judgment(engine)
    set_day(engine, START + timedelta(days=100))
    result = engine.operate("post_payment", {"account": "J1", "amount": "1000.00"})
    assert result["allocations"] == {"interest": "246.58", "principal": "753.42"}
    # The accrual was posted as an interest transaction on the payment day.
    rows = engine.read(
        lambda s: [
            (t.kind, t.amount, t.on_date)
            for t in s.scalars(
                select(m.Transaction)
                .where(m.Transaction.account_id == "J1")
                .order_by(m.Transaction.id)
            )
        ]
    )
    assert rows == [
        ("payment", Decimal("1000.00"), date(2026, 8, 12)),
        ("interest", Decimal("246.58"), date(2026, 8, 12)),
    ]
    # From then on interest runs on the lower principal only: 9,246.58 × 9 % × 30 / 365.
    assert _accrued(engine, date(2026, 9, 11)) == Decimal("68.40")


def test_unpaid_accrued_interest_is_posted_to_the_interest_bucket(make_engine: MakeEngine):
    engine = make_engine()
    _judgment(engine)
    set_day(engine, START + timedelta(days=100))
    engine.operate("post_payment", {"account": "J1", "amount": "100.00"})
    balances = engine.read(lambda s: s.get(m.Account, "J1").balances())
    assert balances["interest"] == Decimal("146.58")  # 246.58 accrued − 100.00 paid
    assert balances["principal"] == Decimal("10000.00")


def test_basis_and_rate_changes_come_from_the_judgment_client(
    make_engine: MakeEngine, tmp_path: Path
):
    ruleset = copy_sample(
        tmp_path,
        lambda text: text.replace(
            'interest: {rate: "9.0", basis: 365, buckets: [principal, court_costs]}',
            'interest: {rate: "9.0", basis: 360, buckets: [principal, court_costs], '
            'changes: [{effective: 2026-06-03, rate: "6.0"}, {effective: 2026-01-01, rate: "1"}]}',
        ),
    )
    engine = make_engine(ruleset=ruleset)
    _judgment(engine, court_costs="200.00")
    # 10,200.00 × (9 % × 30 + 6 % × 70) / 360: the change before the effective date is ignored.
    expected = (Decimal("10200") * (Decimal("0.09") * 30 + Decimal("0.06") * 70) / 360).quantize(
        Decimal("0.01")
    )
    assert expected == Decimal("195.50")
    assert _accrued(engine, START + timedelta(days=100)) == expected


def test_a_judgment_rate_defaults_to_the_clients_and_zero_accrues_nothing(
    make_engine: MakeEngine,
):
    engine = make_engine()
    place(engine, {"id": "A1", "client": "ACME", "balances": {"principal": "500.00"}})
    filed_case(engine, "A1")
    engine.operate(
        "render_judgment",
        {"case": "C1", "judgment_client": "ACME-JDG", "judgment_account": "J1", "amount": "500"},
    )
    rate = engine.read(lambda s: s.get(m.Judgment, "J1").interest_rate)
    assert rate == Decimal("9")
    engine.operate("set_case_dates", {"case": "C1", "judgment_date": START.isoformat()})
    with engine.unit() as unit:
        unit.session.get(m.Judgment, "J1").interest_rate = Decimal("0")
    assert _accrued(engine, START + timedelta(days=365)) == Decimal("0.00")
