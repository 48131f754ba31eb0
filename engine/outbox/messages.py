"""A row as a connector sees it: the message, its idempotency key, the payload shown.

The relay keeps its bookkeeping in the payload (``INTERNAL``: the lease, the route chosen,
the delivery receipt); connectors and admin views see the payload without it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.domain import models as m
from engine.outbox.api import Message, Recipient

INTERNAL = ("_relay", "_route", "_delivery")  # relay bookkeeping kept in the payload


def idempotency_key(row: m.OutboxMessage) -> str:
    """The key a connector sees: the row's key (run, step, recipient) made unique across
    stores by its event id, in characters safe for file names and headers."""
    suffix = (row.event_id or row.created_at.strftime("%Y%m%d%H%M%S%f"))[:12]
    raw = f"{row.key}-{suffix}"
    return "".join(c if c.isalnum() or c in "._@+-" else "-" for c in raw)


def visible_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (payload or {}).items() if k not in INTERNAL}


def to_message(row: m.OutboxMessage, today: date | None) -> Message:
    """The connector's view of a row."""
    recipient = row.recipient or {}
    payload = visible_payload(row.payload)
    body = payload.get("body")
    return Message(
        id=row.id,
        channel=row.channel,
        recipient=Recipient(
            recipient.get("party"),
            recipient.get("name"),
            recipient.get("address"),
            tuple(recipient.get("roles") or ()),
        ),
        template=row.template,
        subject=payload.get("subject"),
        body=body if isinstance(body, str) else None,
        payload=payload,
        account=row.account_id,
        case=row.case_id,
        client=row.client_code,
        created_on=row.created_on,
        today=today,
    )
