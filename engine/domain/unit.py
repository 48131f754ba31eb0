"""The unit of work a domain operation runs in: session, ruleset, business date, cause."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.config.catalogue import BY_NAME
from engine.config.model import RuleSet
from engine.domain.models import InboxEvent


class DomainError(Exception):
    """An operation refused: the message names the object and the reason; nothing changed."""


class NotFound(DomainError):
    pass


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
    emitted: list[InboxEvent] = field(default_factory=list)

    def get(self, model: type[Any], key: str, what: str) -> Any:
        found = self.session.get(model, key)
        if found is None:
            raise NotFound(f"unknown {what} '{key}'")
        return found

    def emit(
        self,
        name: str,
        subject_kind: str,
        subject_id: str,
        data: dict[str, Any] | None = None,
        *,
        subject_key: str | None = None,
        trigger_id: str | None = None,
        late: bool = False,
    ) -> InboxEvent:
        """Queue an event in the inbox, in this transaction (derived when there is a cause)."""
        if name not in BY_NAME:
            raise DomainError(f"unknown event '{name}'")
        event = InboxEvent(
            id=uuid.uuid4().hex,
            name=name,
            subject_kind=subject_kind,
            subject_id=subject_id,
            subject_key=subject_key or f"{subject_kind}:{subject_id}",
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
        self.session.add(event)
        self.emitted.append(event)
        return event
