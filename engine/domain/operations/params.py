"""Operation parameters as callers give them (a scenario's ``with:``, the CLI, the API): amounts,
percentages and dates read exactly, or refused with a message naming the parameter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.domain.errors import DomainError, InvalidInput, Path
from engine.domain.ids import shown
from engine.domain.money import parse_amount, require_percentage

MONEY_FORM = 'text like "1200.50" with at most two decimal places, or a whole number'


def money_param(field: str | Path, value: Any, what: str | None = None) -> Decimal:
    """An amount given to an operation, in cents (``parse_amount``); anything else is
    InvalidInput naming ``field`` (``what`` words it for people: "payment amount")."""
    try:
        return parse_amount(value)
    except ValueError as exc:
        given = shown(value) if isinstance(value, str) else _number(value)
        raise InvalidInput(
            field,
            f"{what or str(field).replace('_', ' ')} must be an amount of money, got {given}: "
            f"{exc} ({MONEY_FORM})",
        ) from None


def _number(value: Any) -> str:
    if isinstance(value, int) and value.bit_length() > 128:
        return "a whole number too large to show"
    if isinstance(value, float | int | Decimal):
        text = str(value)
        return text if len(text) <= 40 else text[:40] + "…"
    return type(value).__name__


def percent_param(name: str, value: Any) -> Decimal:
    """A percentage from 0 to 100 (``"12.5"`` means 12.5 %)."""
    try:
        pct = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        return require_percentage(name, pct)
    except ArithmeticError:
        raise DomainError(f"{name} must be a percentage, got {value!r}") from None
    except ValueError as exc:
        raise DomainError(str(exc)) from None


def as_date(value: Any) -> date | None:
    """A date from a date or ISO text; None stays None."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"expected a date (YYYY-MM-DD), got '{value}'") from None
