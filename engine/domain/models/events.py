"""The event inbox and the outbox: how work enters and how side effects leave.

Both live in the domain store so that a state change, the events it derives and the messages
it queues commit in one transaction (DESIGN §6).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.domain.models.base import Base


class InboxEvent(Base):
    """One event, kept whatever happens to it: processed, rejected (with reason) or failed."""

    __tablename__ = "inbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    subject_kind: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    subject_key: Mapped[str | None] = mapped_column(String(80))  # always "{kind}:{id}"
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20), default="api")
    trigger_id: Mapped[str | None] = mapped_column(String(120))  # date events: one trigger only
    late: Mapped[bool] = mapped_column(default=False)
    business_date: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    ruleset_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_inbox_status_seq", "status", "seq"),
        Index("ix_inbox_subject", "subject_kind", "subject_id"),
    )


class OutboxMessage(Base):
    """A side effect waiting to leave: letter, email, SMS, webhook or report."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # idempotency key: run + step
    channel: Mapped[str] = mapped_column(String(20))
    template: Mapped[str | None] = mapped_column(String(200))
    recipient: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject_kind: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(64), index=True)
    case_id: Mapped[str | None] = mapped_column(String(64))
    client_code: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    block_reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    event_id: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
