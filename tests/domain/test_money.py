"""Money primitives: conversion, rounding and largest-remainder splits."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain.money import (
    CENT,
    cents,
    largest_remainder,
    percent_of,
    require_non_negative,
    require_percentage,
    require_positive,
    split_even,
    to_money,
)

D = Decimal
amounts = st.integers(min_value=0, max_value=10_000_000).map(lambda n: D(n) * CENT)
weights = st.lists(
    st.integers(min_value=0, max_value=1_000_000).map(lambda n: D(n) * CENT), max_size=8
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.345", D("12.35")),
        ("12.344", D("12.34")),
        ("-2.345", D("-2.35")),
        (" 7 ", D("7.00")),
        (5, D("5.00")),
        (D("1.005"), D("1.01")),
        (D("0"), D("0.00")),
    ],
)
def test_to_money_rounds_to_cents_half_up(value: str | int | Decimal, expected: Decimal) -> None:
    result = to_money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [0.1, True])
def test_to_money_refuses_floats_and_bools_naming_the_value(value: object) -> None:
    with pytest.raises(TypeError, match=re.escape(repr(value))):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", D("NaN"), D("Infinity"), "ten", ""])
def test_to_money_refuses_non_finite_and_garbage(value: str | Decimal) -> None:
    with pytest.raises(ValueError, match="not an amount of money"):
        to_money(value)


def test_cents_and_percent_of_round_half_up() -> None:
    assert cents(D("2.345")) == D("2.35")
    assert cents(D("2.3449")) == D("2.34")
    assert percent_of(D("33.33"), D("50")) == D("16.67")  # 16.665
    assert percent_of(D("1000.00"), D("9.5")) == D("95.00")
    assert percent_of(D("0.01"), D("49.99")) == D("0.00")


def test_validation_helpers_name_the_value() -> None:
    assert require_positive("payment", D("0.01")) == D("0.01")
    with pytest.raises(ValueError, match="payment must be greater than zero, got 0"):
        require_positive("payment", D("0"))
    with pytest.raises(ValueError, match=r"balance must not be negative, got -1\.00"):
        require_non_negative("balance", D("-1.00"))
    with pytest.raises(ValueError, match="whole number of cents"):
        require_non_negative("balance", D("1.001"))
    with pytest.raises(ValueError, match=r"between 0 and 100, got 100\.01"):
        require_percentage("fee percent", D("100.01"))
    with pytest.raises(ValueError, match="between 0 and 100"):
        require_percentage("fee percent", D("-1"))
    assert require_percentage("fee percent", D("0")) == 0


def test_largest_remainder_gives_leftover_cents_to_the_earliest_on_ties() -> None:
    assert largest_remainder(D("100.00"), [D(1), D(1), D(1)]) == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]
    assert largest_remainder(D("0.05"), [D(1), D(1)]) == [D("0.03"), D("0.02")]


def test_largest_remainder_gives_leftover_cents_to_the_largest_remainders() -> None:
    # exact shares: 10 × 1/6 = 1.666…, 10 × 2/6 = 3.333…, 10 × 3/6 = 5.00 (in cents: 166.67…)
    assert largest_remainder(D("10.00"), [D(1), D(2), D(3)]) == [
        D("1.67"),
        D("3.33"),
        D("5.00"),
    ]


def test_largest_remainder_all_zero_weights_split_evenly() -> None:
    assert largest_remainder(D("1.00"), [D(0), D(0), D(0)]) == [D("0.34"), D("0.33"), D("0.33")]


def test_largest_remainder_negative_total_mirrors_the_positive_split() -> None:
    assert largest_remainder(D("-0.05"), [D(1), D(1)]) == [D("-0.03"), D("-0.02")]


def test_largest_remainder_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="weight 1 must not be negative"):
        largest_remainder(D("1.00"), [D(1), D(-1)])
    with pytest.raises(ValueError, match="whole number of cents"):
        largest_remainder(D("1.005"), [D(1)])
    with pytest.raises(ValueError, match="over no parts"):
        largest_remainder(D("1.00"), [])
    assert largest_remainder(D("0.00"), []) == []


def test_split_even() -> None:
    assert split_even(D("10.00"), 3) == [D("3.34"), D("3.33"), D("3.33")]
    assert split_even(D("0.00"), 2) == [D("0.00"), D("0.00")]
    with pytest.raises(ValueError, match="into 0 parts"):
        split_even(D("1.00"), 0)


@settings(max_examples=200, deadline=None)
@given(total=amounts, ws=weights.filter(bool))
def test_largest_remainder_sums_exactly_and_stays_within_a_cent(
    total: Decimal, ws: list[Decimal]
) -> None:
    parts = largest_remainder(total, ws)
    assert sum(parts, D(0)) == total
    assert all(p >= 0 and p == p.quantize(CENT) for p in parts)
    whole = sum(Fraction(w) for w in ws)
    for part, w in zip(parts, ws, strict=True):
        exact = Fraction(total) * Fraction(w) / whole if whole else Fraction(total) / len(ws)
        assert abs(Fraction(part) - exact) < Fraction(1, 100)
    assert largest_remainder(total, ws) == parts


@settings(max_examples=100, deadline=None)
@given(total=amounts, n=st.integers(min_value=1, max_value=12))
def test_split_even_parts_differ_by_at_most_a_cent(total: Decimal, n: int) -> None:
    parts = split_even(total, n)
    assert sum(parts, D(0)) == total
    assert max(parts) - min(parts) <= CENT
    assert parts == sorted(parts, reverse=True)
