"""The outbox layer's errors (a connector's own are in ``engine.outbox.api``)."""

from __future__ import annotations

from engine.errors import DocketError


class UnknownConnector(DocketError):
    """No built-in or installed connector has this name."""


class OutboxError(DocketError):
    """No such message, or it cannot be changed that way."""
