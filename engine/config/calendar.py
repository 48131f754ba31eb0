"""The agency's business-day calendar: weekends plus public holidays from ``holidays``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import holidays as holidays_lib

from engine.config.durations import Duration

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessCalendar:
    """Business days for offsets and due dates; holidays come from the ``holidays`` library."""

    country: str | None = "US"
    subdivision: str | None = None
    weekend: tuple[str, ...] = ("sat", "sun")
    extra_holidays: tuple[date, ...] = field(default=())

    @cached_property
    def _weekend_numbers(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(day) for day in self.weekend)

    @cached_property
    def _holidays(self) -> Any:
        if not self.country:
            return {}
        return holidays_lib.country_holidays(self.country, subdiv=self.subdivision)

    @cached_property
    def _known(self) -> dict[date, bool]:
        # Answers so far: a lookup in ``holidays`` converts and checks its argument each time
        # (about 3% of processing an event with a business-day step, measured).
        return {}

    def is_business_day(self, day: date) -> bool:
        found = self._known.get(day)
        if found is None:
            found = self._known[day] = not (
                day.weekday() in self._weekend_numbers
                or day in self._holidays
                or day in self.extra_holidays
            )
        return found

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day) if self._holidays else None
        return str(name) if name else None

    def add_business_days(self, start: date, amount: int) -> date:
        """Move ``amount`` business days from ``start`` (negative goes back); 0 stays put."""
        step = 1 if amount >= 0 else -1
        day, remaining = start, abs(amount)
        while remaining:
            day += timedelta(days=step)
            if self.is_business_day(day):
                remaining -= 1
        return day

    def shift(self, start: date, offset: Duration | None) -> date:
        """Apply an offset in calendar or business days."""
        if offset is None or offset.amount == 0:
            return start
        if offset.unit == "business_days":
            return self.add_business_days(start, offset.amount)
        return start + timedelta(days=offset.amount)

    def unshift(self, target: date, offset: Duration | None) -> list[date]:
        """Every base date whose shift by ``offset`` lands on ``target`` (sweeps look back)."""
        if offset is None or offset.amount == 0:
            return [target]
        if offset.unit == "days":
            return [target - timedelta(days=offset.amount)]
        # Business-day offsets map several base dates (weekends, holidays) onto one target.
        back = -offset.amount
        approx = self.add_business_days(target, back)
        span = abs(offset.amount) * 3 + 14
        low = min(approx, target) - timedelta(days=span)
        high = max(approx, target) + timedelta(days=span)
        found = []
        day = low
        while day <= high:
            if self.shift(day, offset) == target:
                found.append(day)
            day += timedelta(days=1)
        return found
