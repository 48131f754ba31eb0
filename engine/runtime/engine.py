"""``Engine(ruleset, db_url)``: the Python API over inbox, dispatcher, operations and store."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import models as m
from engine.domain.clock import Clock, SystemClock
from engine.domain.operations.registry import invoke
from engine.domain.store import DEFAULT_URL, make_engine, session_factory, upgrade
from engine.domain.unit import Unit
from engine.runtime.actions import builtin_registry
from engine.runtime.dispatcher import Dispatcher
from engine.runtime.inbox import accept, check
from engine.runtime.processing import ProcessStats, process_batch
from engine.runtime.registry import ActionRegistry

T = TypeVar("T")


@dataclass(slots=True)
class Submitted:
    """What happened to a submitted event: accepted (pending) or rejected with a reason."""

    id: str
    status: str
    reason: str | None = None
    replay: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "reason": self.reason, "replay": self.replay}


@dataclass
class Engine:
    """One Docket engine on one store. ``process()`` drains the inbox."""

    ruleset: RuleSet
    db_url: str = DEFAULT_URL
    clock: Clock | None = None
    registry: ActionRegistry = field(default_factory=builtin_registry)
    migrate: bool = True

    def __post_init__(self) -> None:
        if self.migrate:
            upgrade(self.db_url)
        self.db = make_engine(self.db_url)
        self.sessions = session_factory(self.db)
        if self.clock is None:
            self.clock = SystemClock(self.ruleset.agency.timezone)
        self.dispatcher = Dispatcher(self.ruleset, self.registry)
        self._record_version()

    # --- units of work -------------------------------------------------------------------

    @contextmanager
    def unit(self, source: str = "api") -> Iterator[Unit]:
        """A transaction with a domain unit of work at the clock's business date."""
        assert self.clock is not None
        with self.sessions() as session, session.begin():
            session.info["today"] = self.clock.today()
            yield Unit(session, self.ruleset, self.clock.today(), self.clock.now(), source=source)

    def read(self, fn: Callable[[Session], T]) -> T:
        with self.sessions() as session:
            assert self.clock is not None
            session.info["today"] = self.clock.today()
            return fn(session)

    def _record_version(self) -> None:
        with self.unit() as unit:
            row = unit.session.get(m.RuleSetVersion, self.ruleset.hash)
            for other in unit.session.scalars(
                select(m.RuleSetVersion).where(m.RuleSetVersion.active.is_(True))
            ):
                other.active = False
            if row is None:
                row = m.RuleSetVersion(
                    hash=self.ruleset.hash, root=str(self.ruleset.root), loaded_at=unit.now
                )
                unit.session.add(row)
            row.active = True

    def close(self) -> None:
        self.db.dispose()

    # --- input ---------------------------------------------------------------------------

    def submit(
        self,
        name: str,
        *,
        account: str | None = None,
        case: str | None = None,
        subject: tuple[str, str] | None = None,
        data: Any = None,
        idempotency_key: str | None = None,
        source: str = "api",
    ) -> Submitted:
        """Put an event in the inbox; a bad one is kept as rejected with its reason."""
        kind, subject_id = subject or (("case", case) if case else ("account", account))
        with self.unit(source) as unit:
            if idempotency_key:
                found = unit.session.scalars(
                    select(m.InboxEvent).where(m.InboxEvent.idempotency_key == idempotency_key)
                ).first()
                if found is not None:
                    return Submitted(found.id, found.status, found.reason, replay=True)
            reason = check(unit, name, kind, subject_id, data)
            event = accept(unit, name, kind, subject_id, data, idempotency_key, reason)
            return Submitted(event.id, event.status, event.reason)

    def operate(self, name: str, params: dict[str, Any] | None = None, source: str = "api") -> Any:
        """Run a domain operation (a "button") in its own transaction."""
        with self.unit(source) as unit:
            return invoke(unit, name, params or {})

    # --- processing ----------------------------------------------------------------------

    def process(self, limit: int | None = None, batch_size: int = 200) -> ProcessStats:
        """Process pending events in order until none is left (or ``limit`` are done)."""
        assert self.clock is not None
        return process_batch(
            self.sessions,
            self.dispatcher,
            self.ruleset,
            self.clock,
            limit=limit,
            batch_size=batch_size,
        )

    def new_event_id(self) -> str:
        return uuid.uuid4().hex
