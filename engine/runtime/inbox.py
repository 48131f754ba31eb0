"""The event inbox: validation at the door; rejected events are kept with their reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from engine.config.catalogue import BY_NAME, EVENT_NAMES
from engine.config.errors import did_you_mean
from engine.domain import Unit
from engine.domain import models as m
from engine.runtime.batching import rows

_QUEUED = "docket.inbox.queued"  # session.info: rows ``accept`` queued in this transaction

SUBJECT_MODELS: dict[str, tuple[type[Any], str]] = {
    "account": (m.Account, "account"),
    "case": (m.Case, "case"),
    "settlement": (m.Settlement, "settlement"),
    "offer": (m.Offer, "offer"),
    "follow_up": (m.FollowUp, "follow-up"),
}


def check(unit: Unit, name: str, kind: str | None, subject_id: str | None, data: Any) -> str | None:
    """The reason an event cannot be accepted, or None."""
    spec = BY_NAME.get(name)
    if spec is None:
        return f"unknown event '{name}'{did_you_mean(name, EVENT_NAMES)}"
    if spec.is_date:
        return f"'{name}' is a date trigger: it fires from the scheduler when its date arrives"
    if data is not None and not isinstance(data, dict):
        return f"event data must be a JSON object, got {type(data).__name__}"
    if not kind or not subject_id:
        return f"'{name}' needs a subject (an account or a case)"
    if kind not in SUBJECT_MODELS:
        return f"unknown subject kind '{kind}'"
    model, label = SUBJECT_MODELS[kind]
    if unit.session.get(model, subject_id) is None:
        return f"unknown {label} '{subject_id}'"
    if spec.subject != kind and not (spec.subject == "account" and kind == "case"):
        return f"'{name}' is about a {spec.subject}, not a {kind}"
    return None


@dataclass(frozen=True, slots=True)
class Accepted:
    """An event put in the inbox (its row is inserted when the transaction commits)."""

    id: str
    status: str
    reason: str | None


def accept(
    unit: Unit,
    name: str,
    kind: str | None,
    subject_id: str | None,
    data: Any,
    idempotency_key: str | None,
    reason: str | None,
) -> Accepted:
    """Queue the event's inbox row (pending, or rejected with ``reason``) in the unit's
    transaction: the rows are inserted together, in order, with one executemany just
    before it commits; nothing in the transaction reads them back before."""
    event_id = uuid.uuid4().hex
    status = "rejected" if reason else "pending"
    row = {
        "id": event_id,
        "idempotency_key": idempotency_key,
        "name": name,
        "subject_kind": kind,
        "subject_id": subject_id,
        "subject_key": f"{kind}:{subject_id}",
        "data": data if isinstance(data, dict) else {"raw": data} if data is not None else {},
        "status": status,
        "reason": reason,
        "depth": 0,
        "source": unit.source,
        "business_date": unit.today,
        "received_at": unit.now,
    }
    session = unit.session
    queued = session.info.get(_QUEUED)
    if queued is None:
        queued = session.info[_QUEUED] = []
        event.listen(session, "before_commit", _insert_queued, once=True)
        event.listen(session, "after_rollback", _drop_queued, once=True)
    queued.append(rows.plain(m.InboxEvent, row)[1])
    return Accepted(event_id, status, reason)


def _insert_queued(session: Session) -> None:
    queued = session.info.pop(_QUEUED, None)
    if queued:
        session.connection().execute(insert(rows.table(m.InboxEvent)), queued)


def _drop_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)
