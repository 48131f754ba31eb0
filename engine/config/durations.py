"""Offsets and durations as admins write them: ``-3 business days``, ``+2 days``, ``10 days``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from engine.errors import DocketError


class DurationError(DocketError):
    """A duration string that does not parse."""


Unit = Literal["days", "business_days"]

_PATTERN = re.compile(
    r"^\s*(?P<sign>[+-])?\s*(?P<amount>\d{1,5})\s*"
    r"(?P<unit>business\s+days?|bdays?|days?|d|weeks?|w)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Duration:
    """A signed number of calendar or business days. Weeks are stored as 7 calendar days."""

    amount: int
    unit: Unit = "days"

    def __str__(self) -> str:
        unit = "business day" if self.unit == "business_days" else "day"
        plural = "" if abs(self.amount) == 1 else "s"
        sign = "+" if self.amount >= 0 else "-"
        return f"{sign}{abs(self.amount)} {unit}{plural}"


def parse_duration(text: object) -> Duration:
    """Parse ``[+|-]N (days|business days|weeks)``; a bare integer means days."""
    if isinstance(text, bool):
        raise DurationError(f"expected a duration like '-3 business days', got {text!r}")
    if isinstance(text, int):
        return Duration(text, "days")
    if not isinstance(text, str):
        raise DurationError(f"expected a duration like '-3 business days', got {text!r}")
    match = _PATTERN.match(text)
    if match is None:
        raise DurationError(
            f"'{text}' is not a duration; write e.g. '-3 business days', '+2 days' or '10 days'"
        )
    amount = int(match["amount"])
    if match["sign"] == "-":
        amount = -amount
    unit_word = match["unit"].lower()
    if unit_word.startswith(("business", "bday")):
        return Duration(amount, "business_days")
    if unit_word.startswith("w"):
        return Duration(amount * 7, "days")
    return Duration(amount, "days")
