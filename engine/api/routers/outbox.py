"""The outbox: list messages (by status), retry a dead or doubtful one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api.auth import guard
from engine.api.deps import Cursor, Filter, IntPath, Limit, decode_cursor, encode_cursor, state
from engine.api.problems import COMMON, ProblemError, responses
from engine.api.schemas import OutboxOut, OutboxPage
from engine.domain import models as m
from engine.outbox import OutboxError, admin

router = APIRouter(tags=["outbox"], responses=responses(*COMMON, 404))


def message_json(
    row: m.OutboxMessage, redact: Callable[[str | None], str | None]
) -> dict[str, Any]:
    """A message as listed; its last error has the connectors' secrets blanked out."""
    return {
        "id": row.id,
        "key": row.key,
        "channel": row.channel,
        "template": row.template,
        "status": row.status,
        "block_reason": row.block_reason,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "last_error": redact(row.last_error),
        "account": row.account_id,
        "case": row.case_id,
        "client": row.client_code,
        "created_on": row.created_on,
        "sent_at": row.sent_at,
        "run": row.run_id,
        "event": row.event_id,
        "recipient": dict(row.recipient or {}),
    }


@router.get("/outbox", response_model=OutboxPage, **guard("viewer"))
def list_outbox(
    request: Request,
    status: Annotated[
        str | None,
        Query(max_length=20, description="pending, deferred, sending, sent, in_doubt, dead…"),
    ] = None,
    account: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Outbox messages, oldest first, optionally of one status or account."""
    after = decode_cursor(cursor, (int,))[0] if cursor else None
    st = state(request)
    redact = st.redactor()

    def read(session: Session) -> dict[str, Any]:
        query = select(m.OutboxMessage)
        if status is not None:
            query = query.where(m.OutboxMessage.status == status)
        if account is not None:
            query = query.where(m.OutboxMessage.account_id == account)
        if after is not None:
            query = query.where(m.OutboxMessage.id > after)
        rows = list(session.scalars(query.order_by(m.OutboxMessage.id).limit(limit + 1)))
        more, rows = len(rows) > limit, rows[:limit]
        return {
            "messages": [message_json(r, redact) for r in rows],
            "next_cursor": encode_cursor([rows[-1].id]) if more and rows else None,
        }

    return st.engine.read(read)


@router.post(
    "/outbox/{message_id}/retry",
    response_model=OutboxOut,
    responses=responses(409),
    **guard("admin"),
)
def retry_message(request: Request, message_id: IntPath) -> dict[str, Any]:
    """Put a dead, in-doubt, blocked or cancelled message back in the queue, due now (it
    passes the contact policy again; the same idempotency key goes to the connector)."""
    st = state(request)
    redact = st.redactor()
    with st.writing() as unit:
        if unit.session.get(m.OutboxMessage, message_id) is None:
            raise ProblemError(404, f"unknown outbox message {message_id}", kind="not-found")
        try:
            row = admin.retry(unit.session, str(message_id))
        except OutboxError as exc:
            raise ProblemError(409, str(exc), kind="refused") from None
        return message_json(row, redact)
