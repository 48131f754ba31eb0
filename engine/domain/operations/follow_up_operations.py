"""The follow-up "buttons" by public name, and the reads behind ``docket follow-up show|list``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.models import FollowUp, FollowUpEntry
from engine.domain.operations import follow_up_email, follow_up_files
from engine.domain.operations import follow_ups as ops
from engine.domain.unit import NotFound, Unit


def _entry(entry: FollowUpEntry) -> dict[str, Any]:
    return {**entry.detail, "follow_up": entry.follow_up_id, "entry": entry.id, "kind": entry.kind}


def _open(
    unit: Unit,
    kind: str,
    follow_up: str | None = None,
    account: str | None = None,
    case: str | None = None,
    owner: str | None = None,
    stakeholders: Any = None,
    due_date: date | None = None,
    items: Any = None,
    suspend_automation: bool = False,
    title: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    row = ops.open_follow_up(
        unit,
        kind,
        follow_up=follow_up,
        account=account,
        case=case,
        owner=owner,
        stakeholders=stakeholders,
        due_date=due_date,
        items=items,
        suspend_automation=suspend_automation,
        title=title,
        author=author,
    )
    return {
        "follow_up": row.id,
        "kind": row.kind,
        "due_date": row.due_date,
        "suspends_automation": row.suspends_automation,
    }


def _comment(unit: Unit, follow_up: str, text: str, author: str | None = None) -> dict[str, Any]:
    return _entry(ops.comment_follow_up(unit, follow_up, text, author))


def _attach(
    unit: Unit,
    follow_up: str,
    name: str | None = None,
    path: str | None = None,
    content: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    return _entry(follow_up_files.attach_follow_up(unit, follow_up, name, path, content, author))


def _email(
    unit: Unit,
    follow_up: str,
    to: Any,
    template: str,
    subject: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    return _entry(follow_up_email.email_follow_up(unit, follow_up, to, template, subject, author))


def _reschedule(
    unit: Unit,
    follow_up: str,
    due_date: date | None,
    reason: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    return _entry(ops.reschedule_follow_up(unit, follow_up, due_date, reason, author))


def _reassign(
    unit: Unit, follow_up: str, owner: str, reason: str | None = None, author: str | None = None
) -> dict[str, Any]:
    return _entry(ops.reassign_follow_up(unit, follow_up, owner, reason, author))


def _resolve(unit: Unit, follow_up: str, outcome: str, author: str | None = None) -> dict[str, Any]:
    return _entry(ops.resolve_follow_up(unit, follow_up, outcome, author))


OPERATIONS: dict[str, Callable[..., Any]] = {
    "open_follow_up": _open,
    "comment_follow_up": _comment,
    "attach_follow_up": _attach,
    "email_follow_up": _email,
    "reschedule_follow_up": _reschedule,
    "reassign_follow_up": _reassign,
    "resolve_follow_up": _resolve,
}


# --- reads -----------------------------------------------------------------------------------


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
