"""The common base of Docket's errors. It imports nothing, so every layer may derive from it.

Each layer keeps its own errors in one module (``engine/<layer>/errors.py``); connectors have
their contract's own base, ``engine.outbox.api.ConnectorError``.
"""

from __future__ import annotations


class DocketError(Exception):
    """Something Docket refused or could not do; the message says what and where."""
