"""The scheduler layer's errors."""

from __future__ import annotations

from engine.errors import DocketError


class UnknownDateField(DocketError):
    """A trigger names a date field the store has no column or custom field for."""
