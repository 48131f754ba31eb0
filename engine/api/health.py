"""What keeps the service from doing its work, for ``GET /health`` and the 503 answers.

Three kinds of trouble leave the process alive but not doing what it is there for, and each
is reported as ``degraded`` with its reason until it passes:

- ``outbox``: the relay cannot send (its connectors do not start; every send of its last pass
  failed) — read from the scheduler service when asked;
- ``configuration``: a changed configuration could not be applied (a reload refused, a
  published version that cannot be followed); the previous version keeps running;
- ``storage``: the store refuses writes because the disk (or the database's size limit) is
  full — seen on any connection of the engine, cleared by the next write that commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event

from engine.domain import is_full

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass(frozen=True, slots=True)
class Problem:
    area: str
    reason: str
    since: datetime

    def as_json(self) -> dict[str, Any]:
        return {"area": self.area, "reason": self.reason, "since": self.since.isoformat()}


class Health:
    """Problems by area; the pulled ones (the relay's) are asked for when reporting."""

    def __init__(self) -> None:
        self._problems: dict[str, Problem] = {}
        self._lock = threading.Lock()
        self._pulled: dict[str, Callable[[], str | None]] = {}

    def set(self, area: str, reason: str) -> None:
        with self._lock:
            found = self._problems.get(area)
            since = found.since if found is not None else datetime.now(UTC)
            self._problems[area] = Problem(area, reason, since)

    def clear(self, area: str) -> None:
        with self._lock:
            self._problems.pop(area, None)

    def pull(self, area: str, source: Callable[[], str | None]) -> None:
        """Ask ``source`` for the area's problem (None: none) whenever health is reported."""
        self._pulled[area] = source

    def problems(self) -> list[Problem]:
        for area, source in list(self._pulled.items()):
            reason = source()
            if reason is None:
                self.clear(area)
            else:
                self.set(area, reason)
        with self._lock:
            return sorted(self._problems.values(), key=lambda p: p.area)

    def reason(self, area: str) -> str | None:
        with self._lock:
            found = self._problems.get(area)
        return found.reason if found is not None else None


class StoreWatch:
    """Listens on an engine's connections: a full store sets ``storage``, a committed write
    clears it."""

    AREA = "storage"

    def __init__(self, db: Engine, health: Health) -> None:
        self.db = db
        self.health = health
        self._listeners: list[tuple[str, Callable[..., Any]]] = [
            ("handle_error", self._failed),
            ("after_cursor_execute", self._executed),
            ("commit", self._committing),
            ("rollback", self._rolled_back),
        ]
        for name, listener in self._listeners:
            event.listen(db, name, listener)

    def remove(self) -> None:
        for name, listener in self._listeners:
            if event.contains(self.db, name, listener):
                event.remove(self.db, name, listener)

    def _failed(self, context: Any) -> None:
        error = context.sqlalchemy_exception or context.original_exception
        if is_full(error):
            cause = str(context.original_exception).splitlines()[0]
            self.health.set(
                self.AREA,
                f"the database cannot be written: the disk is full or the database reached "
                f"its size limit ({cause}); the next write that commits clears this",
            )

    def _executed(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(WRITES):
            conn.info["docket.wrote"] = True

    def _rolled_back(self, conn: Any) -> None:
        conn.info.pop("docket.wrote", None)

    def _committing(self, conn: Any) -> None:
        # Fired before the COMMIT runs: a commit that fails then sets the problem again.
        if conn.info.pop("docket.wrote", False) and self.health.reason(self.AREA) is not None:
            self.health.clear(self.AREA)
