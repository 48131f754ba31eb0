"""A case's dated milestones: entered, changed or cleared by hand, and the check every dated
button makes (a date, never before the case was opened). Date triggers re-arm from them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from difflib import get_close_matches
from typing import Any

from engine.domain.errors import DomainError
from engine.domain.models import CASE_DATE_FIELDS, Case, Judgment
from engine.domain.operations.cases.access import get_case
from engine.domain.unit import Unit


def check_case_date(row: Case, name: str, value: date | None) -> None:
    """Refuse a case date that is not a date, or that falls before the case was opened."""
    if value is not None and not isinstance(value, date):
        raise DomainError(f"case '{row.id}': '{name}' must be a date or null, got {value!r}")
    if value is not None and value < row.opened_date:
        raise DomainError(
            f"case '{row.id}': {name} {value} is before the case was opened ({row.opened_date})"
        )


def set_case_dates(unit: Unit, case: str, dates: Mapping[str, Any]) -> dict[str, str | None]:
    """Enter, change or clear (None) case dates; date triggers re-arm or disarm from them.

    Returns the fields that changed with their new ISO value (None when cleared). A changed
    judgment date is kept on the case's judgment too.
    """
    row = get_case(unit, case)
    if not dates:
        raise DomainError(
            f"case '{row.id}': name at least one date field ({', '.join(CASE_DATE_FIELDS)})"
        )
    for name, value in dates.items():
        if name not in CASE_DATE_FIELDS:
            close = get_close_matches(name, CASE_DATE_FIELDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise DomainError(f"case '{row.id}': unknown case date '{name}'{hint}")
        check_case_date(row, name, value)
    if "judgment_date" in dates and row.judgment_id and dates["judgment_date"] is None:
        raise DomainError(
            f"case '{row.id}': the judgment date of judgment '{row.judgment_id}' cannot be cleared"
        )
    changed: dict[str, str | None] = {}
    for name, value in dates.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed[name] = value.isoformat() if value is not None else None
    if "judgment_date" in changed and row.judgment_id:
        judgment = unit.session.get(Judgment, row.judgment_id)
        if judgment is not None:
            judgment.judgment_date = row.judgment_date  # type: ignore[assignment]
    return changed
