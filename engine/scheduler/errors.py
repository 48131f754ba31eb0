"""The scheduler layer's errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import DocketError

if TYPE_CHECKING:
    from engine.config import Finding


class UnknownDateField(DocketError):
    """A trigger names a date field the store has no column or custom field for."""


class SwitchRefused(DocketError):
    """The candidate configuration is invalid (or needs a restart); nothing changed."""

    def __init__(self, detail: str, findings: list[Finding]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.findings = findings


class NoPublishedVersion(DocketError):
    """No usable configuration version is published in the database; the message says why."""
