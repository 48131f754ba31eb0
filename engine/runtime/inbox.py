"""The event inbox: validation at the door; rejected events are kept with their reason."""

from __future__ import annotations

import uuid
from typing import Any

from engine.config.catalogue import BY_NAME, EVENT_NAMES
from engine.config.errors import did_you_mean
from engine.domain import models as m
from engine.domain.unit import Unit

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


def accept(
    unit: Unit,
    name: str,
    kind: str | None,
    subject_id: str | None,
    data: Any,
    idempotency_key: str | None,
    reason: str | None,
) -> m.InboxEvent:
    event = m.InboxEvent(
        id=uuid.uuid4().hex,
        idempotency_key=idempotency_key,
        name=name,
        subject_kind=kind,
        subject_id=subject_id,
        subject_key=f"{kind}:{subject_id}",
        data=data if isinstance(data, dict) else {"raw": data} if data is not None else {},
        status="rejected" if reason else "pending",
        reason=reason,
        depth=0,
        source=unit.source,
        business_date=unit.today,
        received_at=unit.now,
    )
    unit.session.add(event)
    return event
