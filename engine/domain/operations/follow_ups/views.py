"""Follow-ups as ``docket follow-up show|list`` and the API's ``GET /follow-ups/{id}`` show them:
their fields as plain values and their timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.errors import NotFound
from engine.domain.models import FollowUp, FollowUpEntry


def summary(row: FollowUp) -> dict[str, Any]:
    """A follow-up's fields as plain values."""
    return {
        "id": row.id,
        "account": row.account_id,
        "case": row.case_id,
        "kind": row.kind,
        "title": row.title,
        "owner": row.owner,
        "stakeholders": list(row.stakeholders or []),
        "items": list(row.items or []),
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "status": row.status,
        "outcome": row.outcome,
        "suspends_automation": bool(row.suspends_automation),
        "opened_date": row.opened_date.isoformat(),
        "resolved_date": row.resolved_date.isoformat() if row.resolved_date else None,
    }


def history(session: Session, follow_up_id: str) -> list[dict[str, Any]]:
    """The timeline, oldest first: kind, day, time and what the line recorded."""
    entries = session.scalars(
        select(FollowUpEntry)
        .where(FollowUpEntry.follow_up_id == follow_up_id)
        .order_by(FollowUpEntry.id)
    )
    return [
        {**e.detail, "kind": e.kind, "on": e.on_date.isoformat(), "at": e.at.isoformat()}
        for e in entries
    ]


def describe(session: Session, follow_up_id: str) -> dict[str, Any]:
    """One follow-up with its full history; NotFound for an unknown id."""
    row = session.get(FollowUp, follow_up_id)
    if row is None:
        raise NotFound(f"unknown follow-up '{follow_up_id}'")
    return {**summary(row), "history": history(session, row.id)}


def open_follow_ups(session: Session, owner: str | None = None) -> list[dict[str, Any]]:
    """Open follow-ups by due date (undated last), optionally of one owner."""
    query = select(FollowUp).where(FollowUp.status == "open")
    if owner is not None:
        query = query.where(FollowUp.owner == owner)
    rows = session.scalars(
        query.order_by(FollowUp.due_date.is_(None), FollowUp.due_date, FollowUp.id)
    )
    return [summary(row) for row in rows]
