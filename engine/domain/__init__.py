"""The domain layer: the store, money maths and the domain operations (imports config only).

Rooms: ``models`` (SQLAlchemy 2.0 tables) and ``migrations``; ``store`` (engines, sessions,
upgrades); ``unit`` (the unit of work every operation receives) and ``scope`` /
``one_event`` (how an event's work reads and writes the store); ``money``, ``spreading``,
``interest``, ``settlement_math``; ``ids`` (the id rule and the time-zone rule every input
keeps); ``operations`` (by aggregate, one table of buttons); ``reports``; ``store_lock``
(one ``docket run`` per SQLite file); ``errors``. Outer layers import from this face or from
an aggregate's face (``engine.domain.operations.cases`` and the like).
"""

from engine.domain import models
from engine.domain.clock import Clock, SimulatedClock, SystemClock
from engine.domain.errors import DomainError, InvalidInput, NotFound, StoreInUse
from engine.domain.ids import CLIENT_CODE_MAX, ID_MAX, check_client_code, check_id, check_zone
from engine.domain.money import MAX_AMOUNT, ZERO, parse_amount
from engine.domain.one_event import ONE_EVENT
from engine.domain.scope import LedgerEntry, RunRecord, Scope
from engine.domain.store import (
    DEFAULT_URL,
    is_busy,
    is_full,
    make_engine,
    normalize_url,
    session_factory,
    upgrade,
)
from engine.domain.store_lock import StoreLock
from engine.domain.unit import Unit

__all__ = [
    "CLIENT_CODE_MAX",
    "DEFAULT_URL",
    "ID_MAX",
    "MAX_AMOUNT",
    "ONE_EVENT",
    "ZERO",
    "Clock",
    "DomainError",
    "InvalidInput",
    "LedgerEntry",
    "NotFound",
    "RunRecord",
    "Scope",
    "SimulatedClock",
    "StoreInUse",
    "StoreLock",
    "SystemClock",
    "Unit",
    "check_client_code",
    "check_id",
    "check_zone",
    "is_busy",
    "is_full",
    "make_engine",
    "models",
    "normalize_url",
    "parse_amount",
    "session_factory",
    "upgrade",
]
