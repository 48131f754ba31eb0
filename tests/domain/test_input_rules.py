"""The input rules of the domain: amounts (``parse_amount``), ids (``check_id``) and time
zones (``check_zone``), as properties over many values."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.domain import MAX_AMOUNT, InvalidInput, check_id, check_zone, parse_amount
from engine.domain.ids import id_problem

CENTS = st.integers(min_value=-99_999_999_999_999, max_value=99_999_999_999_999)
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@given(CENTS)
def test_text_with_two_places_and_whole_numbers_are_read_exactly(cents: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    assert parse_amount(str(amount)) == amount
    assert parse_amount(amount) == amount
    whole = int(amount)  # truncated toward zero: within the bound on both sides
    assert parse_amount(whole) == Decimal(whole)


@given(CENTS, st.integers(min_value=1, max_value=9))
def test_a_third_decimal_place_is_refused_never_rounded(cents: int, digit: int) -> None:
    with pytest.raises(ValueError, match="more than two decimal places"):
        parse_amount(f"{Decimal(cents).scaleb(-2):.2f}{digit}")


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_float_is_refused_whatever_its_value(value: float) -> None:
    with pytest.raises(ValueError, match="binary number"):
        parse_amount(value)


def test_the_largest_amount_fits_the_money_column() -> None:
    assert parse_amount(str(MAX_AMOUNT)) == MAX_AMOUNT
    with pytest.raises(ValueError, match="larger than"):
        parse_amount(str(MAX_AMOUNT + Decimal("0.01")))
    with pytest.raises(ValueError, match="larger than"):
        parse_amount(Decimal("1E+1000000"))  # refused before quantizing could overflow


@given(st.text(max_size=80))
def test_an_id_is_kept_exactly_when_it_is_in_the_documented_form(text: str) -> None:
    if ID.fullmatch(text):
        assert check_id(text, "case") == text
    else:
        with pytest.raises(InvalidInput) as refused:
            check_id(text, "case")
        assert refused.value.field == "case"
        assert id_problem(text) is not None
        assert str(refused.value).isascii()  # never echoes a bidi or zero-width character


def test_ids_may_be_whole_numbers_and_client_codes_are_shorter() -> None:
    assert check_id(1001, "account") == "1001"
    with pytest.raises(InvalidInput, match="it is 41 characters long"):
        check_id("C" * 41, "client", longest=40)


@pytest.mark.parametrize("zone", ["America/Chicago", "UTC", "Europe/Berlin", "Etc/GMT+5"])
def test_a_zone_of_the_tz_database_is_kept(zone: str) -> None:
    assert check_zone(zone) == zone


@pytest.mark.parametrize("zone", ["Mars/Olympus", "UTC+25", "", " UTC", "utc", "/etc/localtime"])
def test_any_other_zone_is_refused_naming_the_field(zone: str) -> None:
    with pytest.raises(InvalidInput, match="is not a time zone of the tz database") as refused:
        check_zone(zone, "timezone")
    assert refused.value.path == ("timezone",)
