"""Money primitives: Decimal cents, ROUND_HALF_UP, and splits that never lose a cent.

Every amount is a ``Decimal`` quantized to cents. Splits work in whole cents with exact
fractions (no intermediate rounding) and hand out leftover cents by largest remainder, so
the parts always add back to the whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeAlias

Money: TypeAlias = Decimal
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# The money column is NUMERIC(14,2): twelve digits before the point.
MAX_AMOUNT = Decimal("999999999999.99")
# ASCII digits only: Python's \d would take full-width and other scripts' digits.
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
_TOO_PRECISE = re.compile(r"-?[0-9]+\.[0-9]{3,}")


def parse_amount(value: str | int | Decimal) -> Decimal:
    """An amount as given, in cents, exactly: text like ``"1200.50"`` (ASCII digits, an
    optional ``-``, at most two decimal places, nothing around it), a whole number, or a
    Decimal that is a whole number of cents. Anything else is a ValueError saying why: an
    amount is never rounded and never read through a binary float."""
    if isinstance(value, bool):
        raise ValueError(f"{value} is not an amount")
    if isinstance(value, float):
        raise ValueError("it is a binary number, not text")
    if isinstance(value, str):
        amount = _text_amount(value)
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("it is not a finite number")
        amount = value
    else:
        raise ValueError(f"it is {type(value).__name__}, not text or a whole number")
    if amount.copy_abs() > MAX_AMOUNT:  # before quantizing, which a huge exponent overflows
        raise ValueError(f"it is larger than {MAX_AMOUNT}")
    if not is_cents(amount):
        raise ValueError("it has more than two decimal places")
    return amount.quantize(CENT)


def _text_amount(text: str) -> Decimal:
    if text != text.strip():
        raise ValueError("it has spaces around it")
    if _AMOUNT.fullmatch(text):
        return Decimal(text)
    if _TOO_PRECISE.fullmatch(text):
        raise ValueError("it has more than two decimal places")
    if not text.isascii():
        raise ValueError("it holds characters other than ASCII digits, '-' and '.'")
    raise ValueError("it is not digits with at most two decimal places")


def to_money(value: str | int | Decimal) -> Decimal:
    """Convert a string, int or Decimal to cents (ROUND_HALF_UP); floats are refused. For
    amounts computed inside Docket; input from outside goes through ``parse_amount``."""
    # bool is an int subclass; True dollars is always a bug upstream.
    if isinstance(value, float | bool) or not isinstance(value, str | int | Decimal):
        raise TypeError(
            f"money must be a str, int or Decimal, not {type(value).__name__} {value!r}"
        )
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
        if amount.is_finite():
            return cents(amount)
    except ArithmeticError:
        pass
    raise ValueError(f"not an amount of money: {value!r}")


def cents(x: Decimal) -> Decimal:
    """Round to cents, half up (2.345 -> 2.35, -2.345 -> -2.35)."""
    if not x.is_finite():
        raise ValueError(f"cannot round {x!r} to cents")
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def is_cents(x: Decimal) -> bool:
    """True when x is finite and has no digits below the cent."""
    return x.is_finite() and x == x.quantize(CENT)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``amount × percent / 100`` in cents, half up; percent is as entered (9.5 means 9.5 %)."""
    return cents(amount * percent / HUNDRED)


def require_cents(name: str, value: Decimal) -> Decimal:
    """Return value if it is a whole number of cents, else raise ValueError naming it."""
    if not isinstance(value, Decimal) or isinstance(value, bool):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__} {value!r}")
    if not is_cents(value):
        raise ValueError(f"{name} must be a whole number of cents, got {value}")
    return value


def require_non_negative(name: str, value: Decimal) -> Decimal:
    """Return value if it is cents and ≥ 0, else raise ValueError naming it."""
    require_cents(name, value)
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def require_positive(name: str, value: Decimal) -> Decimal:
    """Return value if it is cents and > 0, else raise ValueError naming it."""
    require_cents(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value}")
    return value


def require_percentage(name: str, value: Decimal) -> Decimal:
    """Return value if it is a finite Decimal percentage in 0–100, else raise ValueError."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__} {value!r}")
    if not value.is_finite() or not 0 <= value <= HUNDRED:
        raise ValueError(f"{name} must be a percentage between 0 and 100, got {value}")
    return value


def largest_remainder(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split total (in cents) proportionally to weights; parts sum exactly to total.

    Each part gets the floor of its exact share in cents; the leftover cents go one each to
    the largest fractional remainders, earlier weights first on ties. All-zero weights split
    evenly. A negative total is split as its absolute value and negated, so unspreading
    mirrors spreading cent for cent.
    """
    require_cents("total", total)
    for i, weight in enumerate(weights):
        if not isinstance(weight, Decimal) or not weight.is_finite():
            raise ValueError(f"weight {i} must be a finite Decimal, got {weight!r}")
        if weight < 0:
            raise ValueError(f"weight {i} must not be negative, got {weight}")
    if not weights:
        if total != 0:
            raise ValueError(f"cannot split {total} over no parts")
        return []
    if total < 0:
        return [-part for part in largest_remainder(-total, weights)]

    units = int(total.scaleb(2))
    exact = [Fraction(w) for w in weights]
    if sum(exact) == 0:
        exact = [Fraction(1)] * len(weights)
    whole = sum(exact)
    shares = [units * w / whole for w in exact]
    floors = [int(s) for s in shares]  # shares are ≥ 0, so int() is floor
    leftover = units - sum(floors)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in by_remainder[:leftover]:
        floors[i] += 1
    return [cents(Decimal(n) * CENT) for n in floors]


def split_even(total: Decimal, n: int) -> list[Decimal]:
    """Split total into n parts differing by at most a cent, earlier parts taking the extra."""
    if n < 1:
        raise ValueError(f"cannot split {total} into {n} parts")
    return largest_remainder(total, [Decimal(1)] * n)
