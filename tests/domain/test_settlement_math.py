"""Settlement authority, tolerance, offer outcomes and fees (DESIGN §5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config.model import SettlementRules, Tolerance
from engine.domain.money import CENT
from engine.domain.settlement_math import (
    disbursement,
    fees,
    is_reached,
    needs_approval,
    offer_outcome,
    remaining,
    require_term,
    settlement_amount,
    settlement_amount_for,
    tolerance_amount,
)

D = Decimal
BALANCES = {"principal": D("1000.00"), "interest": D("250.00"), "fees": D("33.33")}
PERCENTAGES = {"principal": D("60"), "interest": D("0"), "fees": D("50")}


def test_settlement_amount_rounds_each_bucket_half_up() -> None:
    # 600.00 + 0.00 + 16.665 -> 16.67
    assert settlement_amount(BALANCES, PERCENTAGES) == D("616.67")


def test_new_interest_counts_at_the_interest_percentage() -> None:
    percentages = {**PERCENTAGES, "interest": D("50")}
    # interest (250.00 + 10.00) × 50 % = 130.00
    assert settlement_amount(BALANCES, percentages, new_interest=D("10.00")) == D("746.67")


def test_a_bucket_without_a_percentage_is_taken_in_full() -> None:
    balances = {**BALANCES, "court_costs": D("80.00")}
    assert settlement_amount(balances, PERCENTAGES) == D("696.67")
    assert settlement_amount(balances, {}) == D("1363.33")


def test_credit_balances_do_not_reduce_the_settlement() -> None:
    assert settlement_amount({"principal": D("100.00"), "other": D("-20.00")}, {}) == D("100.00")


def test_settlement_amount_for_honours_include_new_interest() -> None:
    percentages = {**PERCENTAGES, "interest": D("100")}
    without = SettlementRules(percentages=percentages)
    with_new = SettlementRules(percentages=percentages, include_new_interest=True)
    assert settlement_amount_for(BALANCES, without, D("12.34")) == D("866.67")
    assert settlement_amount_for(BALANCES, with_new, D("12.34")) == D("879.01")


def test_percentages_outside_0_to_100_are_refused() -> None:
    with pytest.raises(ValueError, match="settlement percentage for fees must be a percentage"):
        settlement_amount(BALANCES, {"fees": D("101")})
    with pytest.raises(ValueError, match="new interest must not be negative"):
        settlement_amount(BALANCES, {}, new_interest=D("-1.00"))


def test_offer_below_authority_needs_approval() -> None:
    assert needs_approval(D("616.66"), D("616.67"))
    assert not needs_approval(D("616.67"), D("616.67"))


def test_tolerance_percent_fixed_and_the_larger_of_both() -> None:
    amount = D("616.67")
    assert tolerance_amount(amount, None) == 0
    assert tolerance_amount(amount, Tolerance()) == 0
    assert tolerance_amount(amount, Tolerance(percent=D("1"))) == D("6.17")  # 6.1667
    assert tolerance_amount(amount, Tolerance(amount=D("5.00"))) == D("5.00")
    assert tolerance_amount(amount, Tolerance(percent=D("1"), amount=D("5.00"))) == D("6.17")
    assert tolerance_amount(amount, Tolerance(percent=D("1"), amount=D("10.00"))) == D("10.00")
    assert tolerance_amount(D("3.00"), Tolerance(amount=D("10.00"))) == D("3.00")


def test_reached_exactly_at_amount_less_tolerance_not_a_cent_below() -> None:
    tolerance = Tolerance(percent=D("2"))  # 20.00 of 1000.00
    assert is_reached(D("980.00"), D("1000.00"), tolerance)
    assert not is_reached(D("979.99"), D("1000.00"), tolerance)
    assert is_reached(D("1000.00"), D("1000.00"))
    assert not is_reached(D("999.99"), D("1000.00"))


def test_remaining_is_never_negative() -> None:
    assert remaining(D("500.00"), D("120.50")) == D("379.50")
    assert remaining(D("500.00"), D("600.00")) == 0


@pytest.mark.parametrize(
    ("received", "outcome"),
    [
        ("500.00", "Fully Settled"),
        ("500.01", "Fully Settled"),
        ("499.99", "Partially Settled"),
        ("0.01", "Partially Settled"),
        ("0.00", "Not Settled"),
    ],
)
def test_offer_outcome_at_end_of_term(received: str, outcome: str) -> None:
    assert offer_outcome(D(received), D("500.00")) == outcome


def test_offer_amount_must_be_positive() -> None:
    with pytest.raises(ValueError, match="offer amount must be greater than zero"):
        offer_outcome(D("1.00"), D("0.00"))
    with pytest.raises(ValueError, match="received must not be negative"):
        offer_outcome(D("-1.00"), D("10.00"))


def test_fees_and_disbursement() -> None:
    assert fees(D("1234.56"), D("33.333")) == D("411.52")  # 411.5184…
    assert fees(D("0.03"), D("50")) == D("0.02")  # 0.015 rounds half up
    assert disbursement(D("0.03"), D("50")) == (D("0.02"), D("0.01"))
    with pytest.raises(ValueError, match="fee percent must be a percentage between 0 and 100"):
        fees(D("10.00"), D("120"))


def test_offer_term_within_the_clients_maximum() -> None:
    assert require_term(30, 90) == 30
    assert require_term(400) == 400
    with pytest.raises(ValueError, match="exceeds the client's maximum of 90"):
        require_term(91, 90)
    with pytest.raises(ValueError, match="whole number of days"):
        require_term(0)


money = st.integers(min_value=0, max_value=100_000_000).map(lambda n: D(n) * CENT)
positive = st.integers(min_value=1, max_value=100_000_000).map(lambda n: D(n) * CENT)
percents = st.integers(min_value=0, max_value=10_000).map(lambda n: D(n) / 100)


@settings(max_examples=150, deadline=None)
@given(total=money, pct=percents)
def test_fees_plus_net_is_the_total(total: Decimal, pct: Decimal) -> None:
    fee, net = disbursement(total, pct)
    assert fee + net == total
    assert 0 <= fee <= total
    assert fee == fee.quantize(CENT)


@settings(max_examples=150, deadline=None)
@given(
    amount=positive,
    pct=st.none() | percents,
    fixed=st.none() | money,
)
def test_tolerance_edge_is_inclusive(
    amount: Decimal, pct: Decimal | None, fixed: Decimal | None
) -> None:
    tolerance = Tolerance(percent=pct, amount=fixed)
    threshold = amount - tolerance_amount(amount, tolerance)
    assert 0 <= threshold <= amount
    assert is_reached(threshold, amount, tolerance)
    if threshold >= CENT:
        assert not is_reached(threshold - CENT, amount, tolerance)


@settings(max_examples=100, deadline=None)
@given(
    balances=st.dictionaries(st.sampled_from(["principal", "interest", "fees"]), money),
    pct=percents,
)
def test_settlement_never_exceeds_the_balance(balances: dict[str, Decimal], pct: Decimal) -> None:
    amount = settlement_amount(balances, dict.fromkeys(balances, pct))
    assert 0 <= amount <= sum(balances.values(), D(0))
    assert settlement_amount(balances, dict.fromkeys(balances, D(100))) == sum(
        balances.values(), D(0)
    )
