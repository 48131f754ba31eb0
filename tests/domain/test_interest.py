"""Judgment interest: simple, per annum, day-count basis, rate changes, interest-first payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config.model import InterestRules, RateChange
from engine.domain.interest import (
    Period,
    accrued_interest,
    apply_payment_interest_first,
    periods,
    rate_on,
)
from engine.domain.money import CENT

D = Decimal
START = date(2024, 1, 1)
HUNDRED_DAYS = date(2024, 4, 10)  # 2024 is a leap year: 31 + 29 + 31 + 9 = 100 days
TEN_THOUSAND = {"principal": D("10000.00")}


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        (365, D("246.58")),  # 10,000 × 9 % × 100 / 365 = 246.5753…
        (364, D("247.25")),  # 10,000 × 9 % × 100 / 364 = 247.2527…
        (360, D("250.00")),  # 10,000 × 9 % × 100 / 360 = 250
    ],
)
def test_simple_interest_on_each_day_count_basis(basis: int, expected: Decimal) -> None:
    rules = InterestRules(rate=D("9.0"), basis=basis)
    assert (HUNDRED_DAYS - START).days == 100
    assert accrued_interest(TEN_THOUSAND, rules, START, HUNDRED_DAYS) == expected


def test_rate_change_mid_period_is_piecewise_and_rounded_once() -> None:
    # 50 days at 9 %: 123.2876…; 50 days at 6 %: 82.1917…; together 205.4794… -> 205.48
    rules = InterestRules(rate=D("9.0"), changes=(RateChange(date(2024, 2, 20), D("6.0")),))
    assert periods(rules, START, HUNDRED_DAYS) == [
        Period(START, date(2024, 2, 20), D("9.0")),
        Period(date(2024, 2, 20), HUNDRED_DAYS, D("6.0")),
    ]
    assert accrued_interest(TEN_THOUSAND, rules, START, HUNDRED_DAYS) == D("205.48")


def test_rate_changes_at_the_edges() -> None:
    before = InterestRules(rate=D("9.0"), changes=(RateChange(date(2023, 12, 1), D("12")),))
    on_start = InterestRules(rate=D("9.0"), changes=(RateChange(START, D("12")),))
    on_end = InterestRules(rate=D("9.0"), changes=(RateChange(HUNDRED_DAYS, D("12")),))
    # 10,000 × 12 % × 100 / 365 = 328.7671…
    assert accrued_interest(TEN_THOUSAND, before, START, HUNDRED_DAYS) == D("328.77")
    assert accrued_interest(TEN_THOUSAND, on_start, START, HUNDRED_DAYS) == D("328.77")
    assert accrued_interest(TEN_THOUSAND, on_end, START, HUNDRED_DAYS) == D("246.58")


def test_rate_on_uses_the_latest_change_in_date_order() -> None:
    rules = InterestRules(
        rate=D("9"),
        changes=(RateChange(date(2024, 6, 1), D("5")), RateChange(date(2024, 3, 1), D("7"))),
    )
    assert rate_on(rules, date(2024, 2, 29)) == D("9")
    assert rate_on(rules, date(2024, 3, 1)) == D("7")
    assert rate_on(rules, date(2024, 7, 1)) == D("5")


def test_interest_bears_only_on_the_clients_buckets_and_never_on_a_credit() -> None:
    rules = InterestRules(rate=D("10"), basis=360, buckets=("principal", "court_costs"))
    balances = {"principal": D("300.00"), "court_costs": D("60.00"), "fees": D("1000.00")}
    # 360 × 10 % × 36 / 360 = 3.60
    assert accrued_interest(balances, rules, START, START + timedelta(days=36)) == D("3.60")
    assert accrued_interest({"principal": D("-50.00")}, rules, START, HUNDRED_DAYS) == 0


def test_no_days_no_interest_and_bad_periods_are_refused() -> None:
    rules = InterestRules(rate=D("9"))
    assert accrued_interest(TEN_THOUSAND, rules, START, START) == 0
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        accrued_interest(TEN_THOUSAND, rules, HUNDRED_DAYS, START)
    with pytest.raises(ValueError, match="basis must be one of"):
        accrued_interest(TEN_THOUSAND, InterestRules(rate=D("9"), basis=366), START, HUNDRED_DAYS)


def test_payment_reduces_interest_first_then_principal() -> None:
    balances = {"principal": D("1000.00"), "interest": D("50.00"), "fees": D("25.00")}
    applied = apply_payment_interest_first(D("100.00"), D("20.00"), balances)
    assert applied.paid == {"interest": D("70.00"), "principal": D("30.00")}
    assert applied.accrued_paid == D("20.00")
    assert applied.overpayment == 0

    partial = apply_payment_interest_first(D("15.00"), D("20.00"), balances)
    assert partial.paid == {"interest": D("15.00")}
    assert partial.accrued_paid == D("15.00")

    everything = apply_payment_interest_first(D("2000.00"), D("20.00"), balances)
    assert everything.paid == {
        "interest": D("70.00"),
        "principal": D("1000.00"),
        "fees": D("25.00"),
    }
    assert everything.overpayment == D("905.00")


def test_a_jurisdiction_order_replaces_interest_first() -> None:
    balances = {"principal": D("1000.00"), "interest": D("50.00")}
    applied = apply_payment_interest_first(
        D("1010.00"), D("20.00"), balances, order=("principal", "interest")
    )
    assert applied.paid == {"principal": D("1000.00"), "interest": D("10.00")}
    assert applied.accrued_paid == D("10.00")


money = st.integers(min_value=0, max_value=10_000_000).map(lambda n: D(n) * CENT)
rates = st.integers(min_value=0, max_value=3000).map(lambda n: D(n) / 100)
days = st.integers(min_value=0, max_value=3000)


@settings(max_examples=100, deadline=None)
@given(principal=money, rate=rates, length=days, cut=days, basis=st.sampled_from([360, 364, 365]))
def test_a_change_to_the_same_rate_changes_nothing(
    principal: Decimal, rate: Decimal, length: int, cut: int, basis: int
) -> None:
    end = START + timedelta(days=length)
    plain = InterestRules(rate=rate, basis=basis)
    split = InterestRules(
        rate=rate, basis=basis, changes=(RateChange(START + timedelta(cut), rate),)
    )
    balances = {"principal": principal}
    assert accrued_interest(balances, split, START, end) == accrued_interest(
        balances, plain, START, end
    )


@settings(max_examples=100, deadline=None)
@given(principal=money, rate=rates, length=days, cut=days)
def test_interest_over_two_periods_is_within_a_cent_of_the_whole(
    principal: Decimal, rate: Decimal, length: int, cut: int
) -> None:
    rules = InterestRules(rate=rate)
    end = START + timedelta(days=length)
    middle = START + timedelta(days=min(cut, length))
    balances = {"principal": principal}
    whole = accrued_interest(balances, rules, START, end)
    pieces = accrued_interest(balances, rules, START, middle) + accrued_interest(
        balances, rules, middle, end
    )
    assert abs(whole - pieces) <= CENT
    assert whole >= 0


@settings(max_examples=100, deadline=None)
@given(amount=money, due=money, principal=money, interest=money)
def test_interest_first_places_every_cent(
    amount: Decimal, due: Decimal, principal: Decimal, interest: Decimal
) -> None:
    applied = apply_payment_interest_first(
        amount, due, {"principal": principal, "interest": interest}
    )
    assert applied.total() == amount
    assert applied.paid.get("interest", D(0)) <= interest + due
    assert applied.paid.get("principal", D(0)) <= principal
    assert applied.accrued_paid <= due
    # principal is touched only once all interest is paid
    if applied.paid.get("principal", D(0)) > 0:
        assert applied.paid.get("interest", D(0)) == interest + due
