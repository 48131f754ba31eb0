"""One clock interface: production reads the wall clock, scenarios move a simulated one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def today(self) -> date:
        """The business date in the agency's time zone."""

    def now(self) -> datetime:
        """The current instant, naive UTC (what the store keeps)."""


class SystemClock:
    """The real clock, in the agency time zone."""

    def __init__(self, timezone: str = "UTC") -> None:
        self.zone = ZoneInfo(timezone)

    def today(self) -> date:
        return datetime.now(self.zone).date()

    def now(self) -> datetime:
        return datetime.now(ZoneInfo("UTC")).replace(tzinfo=None)


class SimulatedClock:
    """A clock that only moves when told: day by day in scenarios, fixed in tests."""

    def __init__(self, start: date, timezone: str = "UTC", at: time = time(9, 0)) -> None:
        self.zone = ZoneInfo(timezone)
        self.current = start
        self.at = at

    def today(self) -> date:
        return self.current

    def now(self) -> datetime:
        local = datetime.combine(self.current, self.at, self.zone)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    def set(self, day: date) -> None:
        self.current = day

    def advance(self, days: int = 1) -> date:
        self.current += timedelta(days=days)
        return self.current
