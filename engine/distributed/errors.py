"""The distributed layer's errors."""

from __future__ import annotations

from engine.errors import DocketError


class NotDistributed(DocketError):
    """The store cannot run workers (not PostgreSQL, or not set up); the message says why."""
