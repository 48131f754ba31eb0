"""The unit of work a domain operation runs in: session, ruleset, business date, cause."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.config.catalogue import BY_NAME
from engine.config.model import RuleSet
from engine.domain.date_changes import watch
from engine.domain.errors import DomainError, InvalidInput, NotFound
from engine.domain.ids import check_id
from engine.domain.models import InboxEvent
from engine.domain.one_event import ONE_EVENT
from engine.domain.scope import Scope


@dataclass(slots=True)
class Unit:
    """What every domain operation receives. ``depth`` and ``cause`` tag derived events."""

    session: Session
    ruleset: RuleSet
    today: date
    now: datetime
    cause: str | None = None  # the event being processed, if any
    depth: int = 0
    run_id: int | None = None
    source: str = "domain"
    # How this event's work reads and writes the store: one event at a time, or a batch's.
    scope: Scope = ONE_EVENT

    def __post_init__(self) -> None:
        watch(self.session, self.ruleset)  # the dates whose writes the next sweep looks at

    def derive(self, **changes: Any) -> Unit:
        """This unit with some fields changed (a run's unit, another RuleSet version's)."""
        return replace(self, **changes)

    def get(self, model: type[Any], key: str, what: str) -> Any:
        found = self.session.get(model, key)
        if found is None:
            raise NotFound(f"unknown {what} '{key}'")
        return found

    def new_key(self, model: type[Any], key: Any, what: str, field: str | None = None) -> str:
        """A new row's id: ``key`` as given (parameter ``field``, default ``what``) if it keeps
        the id rule (``engine.domain.ids``), refused when missing or already taken."""
        if key is None or key == "":
            article = "an" if what[:1] in "aeiou" else "a"
            raise InvalidInput(field or what, f"{article} {what} needs an id")
        found = check_id(key, field or what.replace(" ", "_"), f"{what} id")
        if self.session.get(model, found) is not None:
            raise DomainError(f"{what} '{found}' already exists")
        return found

    def add_row(self, model: type[Any], row: dict[str, Any]) -> None:
        """Add an append-only row (one nothing in this unit reads back) of ``model``."""
        self.scope.add_row(self.session, model, row)

    def emit(
        self,
        name: str,
        subject_kind: str,
        subject_id: str,
        data: dict[str, Any] | None = None,
        *,
        trigger_id: str | None = None,
        late: bool = False,
    ) -> str:
        """Queue an event in the inbox, in this transaction (derived when there is a cause);
        return its id."""
        if name not in BY_NAME:
            raise DomainError(f"unknown event '{name}'")
        event_id = uuid.uuid4().hex
        row = dict(
            id=event_id,
            name=name,
            subject_kind=subject_kind,
            subject_id=subject_id,
            subject_key=f"{subject_kind}:{subject_id}",
            data=data or {},
            status="pending",
            depth=self.depth + 1 if self.cause else 0,
            parent_id=self.cause,
            source="derived" if self.cause else self.source,
            trigger_id=trigger_id,
            late=late,
            business_date=self.today,
            received_at=self.now,
        )
        self.add_row(InboxEvent, row)
        return event_id
