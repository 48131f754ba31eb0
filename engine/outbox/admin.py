"""What an admin does with the outbox: list, show, retry and cancel messages.

Shown text passes through the router's redactor, so a secret that reached an error message
(a token in a URL, say) is blanked here as well as in the logs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.schemagen import MESSAGE_STATUSES
from engine.domain import models as m
from engine.outbox.errors import OutboxError
from engine.outbox.messages import idempotency_key, visible_payload

STATUSES = MESSAGE_STATUSES  # the config layer owns the list: scenarios check it too
RETRYABLE = frozenset({"dead", "in_doubt", "blocked", "cancelled", "deferred"})
CANCELLABLE = frozenset({"pending", "deferred", "dead", "in_doubt", "blocked"})

Redact = Callable[[str | None], str | None]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def summary(row: m.OutboxMessage, redact: Redact) -> dict[str, Any]:
    recipient = row.recipient or {}
    return {
        "id": row.id,
        "status": row.status,
        "channel": row.channel,
        "template": row.template,
        "to": recipient.get("party") or recipient.get("address"),
        "account": row.account_id,
        "case": row.case_id,
        "client": row.client_code,
        "created_on": row.created_on.isoformat(),
        "attempts": row.attempts,
        "next_attempt_at": _plain(row.next_attempt_at),
        "sent_at": _plain(row.sent_at),
        "reason": row.block_reason,
        "last_error": redact(row.last_error),
    }


def detail(row: m.OutboxMessage, redact: Redact) -> dict[str, Any]:
    payload = row.payload or {}
    delivery = payload.get("_delivery") or {}
    return {
        **summary(row, redact),
        "key": row.key,
        "idempotency_key": idempotency_key(row),
        "recipient": row.recipient,
        "payload": visible_payload(payload),
        "connector": delivery.get("connector") or payload.get("_route"),
        "receipt": redact(delivery.get("receipt")),
        "receipt_detail": redact(delivery.get("detail")),
        "run": row.run_id,
        "event": row.event_id,
        "late": row.late,
        "created_at": _plain(row.created_at),
    }


def find(session: Session, ref: str) -> m.OutboxMessage:
    """A message by number or by its key."""
    row = session.get(m.OutboxMessage, int(ref)) if ref.isdigit() else None
    if row is None:
        row = session.scalars(select(m.OutboxMessage).where(m.OutboxMessage.key == ref)).first()
    if row is None:
        raise OutboxError(f"no outbox message '{ref}'")
    return row


@dataclass(frozen=True, slots=True)
class Filters:
    status: str | None = None
    channel: str | None = None
    account: str | None = None
    limit: int = 100


def listing(session: Session, filters: Filters, redact: Redact) -> list[dict[str, Any]]:
    query = select(m.OutboxMessage).order_by(m.OutboxMessage.id.desc()).limit(filters.limit)
    if filters.status:
        query = query.where(m.OutboxMessage.status == filters.status)
    if filters.channel:
        query = query.where(m.OutboxMessage.channel == filters.channel)
    if filters.account:
        query = query.where(m.OutboxMessage.account_id == filters.account)
    return [summary(row, redact) for row in reversed(session.scalars(query).all())]


def retryable(session: Session, account: str, status: str | None = None) -> list[str]:
    """The numbers of the messages about ``account`` that ``retry`` takes (of ``status``
    only, when given), oldest first: after a hold is lifted, the ones it blocked."""
    statuses = sorted(RETRYABLE) if status is None else [status]
    query = (
        select(m.OutboxMessage.id)
        .where(m.OutboxMessage.account_id == account, m.OutboxMessage.status.in_(statuses))
        .order_by(m.OutboxMessage.id)
    )
    return [str(found) for found in session.scalars(query)]


def retry(session: Session, ref: str) -> m.OutboxMessage:
    """Put a dead, in-doubt, blocked or cancelled message back in the queue (due now).

    It passes the contact policy again before it is sent: retrying a message a hold
    blocked sends it only once the hold is gone.
    """
    row = find(session, ref)
    if row.status not in RETRYABLE:
        raise OutboxError(f"message {row.id} is {row.status}; only {_words(RETRYABLE)} retry")
    previous = row.status
    row.status, row.attempts, row.next_attempt_at = "pending", 0, None  # due at once
    row.last_error = f"retried by hand (was {previous})" + (
        f"; last error: {row.last_error}" if row.last_error else ""
    )
    return row


def cancel(session: Session, ref: str) -> m.OutboxMessage:
    """Never send this message (it stays, with its history)."""
    row = find(session, ref)
    if row.status not in CANCELLABLE:
        raise OutboxError(f"message {row.id} is {row.status}; it cannot be cancelled")
    row.status, row.next_attempt_at = "cancelled", None
    return row


def _words(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))
