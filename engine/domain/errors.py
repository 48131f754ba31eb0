"""The domain layer's errors: an operation refused, or what it names does not exist."""

from __future__ import annotations

from engine.errors import DocketError


class DomainError(DocketError):
    """An operation refused: the message names the object and the reason; nothing changed."""


class NotFound(DomainError):
    """What an operation names does not exist; the message names it."""


class StoreInUse(DocketError):
    """Another serving process holds the SQLite database (``store_lock``); the message names it."""
