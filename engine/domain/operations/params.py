"""Operation parameters as callers give them (a scenario's ``with:``, the CLI, the API): amounts,
percentages and dates read exactly, or refused with a message naming the parameter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.domain.errors import DomainError
from engine.domain.money import require_percentage, to_money


def money_param(name: str, value: Any) -> Decimal:
    """An amount given to an operation, in cents; text, whole numbers and Decimals are read
    exactly, and a float from YAML or JSON by its shortest repr (what the admin typed), never
    by its binary value."""
    if isinstance(value, float):
        value = repr(value)
    try:
        return to_money(value)
    except (TypeError, ValueError):
        raise DomainError(f"{name} must be an amount of money, got {value!r}") from None


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
