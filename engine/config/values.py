"""Values in expressions: Decimal in, Decimal out; the filters that keep amounts exact."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jinja2 import pass_environment
from jinja2.environment import Environment
from jinja2.filters import make_attrgetter

CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal:
    """A Decimal from a Decimal, int, numeric string or float (through its shortest repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError(f"expected an amount, got {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"expected an amount, got {value!r}") from None


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _money(value: Any) -> Decimal:
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(value: Any, percent: Any) -> Decimal:
    share = to_decimal(value) * to_decimal(percent) / Decimal(100)
    return share.quantize(CENT, rounding=ROUND_HALF_UP)


def _days(value: Any, amount: Any) -> date:
    return _to_date(value) + timedelta(days=int(amount))


def _decimal_safe(left: Any, right: Any) -> tuple[Any, Any]:
    # A float literal meeting a Decimal amount would raise (or, worse, round): use its text.
    if isinstance(left, float) and isinstance(right, Decimal):
        return Decimal(str(left)), right
    if isinstance(right, float) and isinstance(left, Decimal):
        return left, Decimal(str(right))
    return left, right


@pass_environment
def _sum(
    environment: Environment,
    iterable: Iterable[Any],
    attribute: str | int | None = None,
    start: Any = None,
) -> Any:
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    total: Any = Decimal(0) if start is None else start
    for item in iterable:
        total, item = _decimal_safe(total, item)
        total = total + item
    return total
