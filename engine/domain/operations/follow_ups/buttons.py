"""The follow-up buttons by public name; each answers the history line it wrote (or the opened
follow-up) in plain values."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.domain.models import FollowUpEntry
from engine.domain.operations.follow_ups import attachments, email, lifecycle
from engine.domain.unit import Unit


def _entry(entry: FollowUpEntry) -> dict[str, Any]:
    return {**entry.detail, "follow_up": entry.follow_up_id, "entry": entry.id, "kind": entry.kind}


def open_follow_up(
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
    row = lifecycle.open_follow_up(
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


def comment_follow_up(
    unit: Unit, follow_up: str, text: str, author: str | None = None
) -> dict[str, Any]:
    return _entry(lifecycle.comment_follow_up(unit, follow_up, text, author))


def attach_follow_up(
    unit: Unit,
    follow_up: str,
    name: str | None = None,
    path: str | None = None,
    content: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    return _entry(attachments.attach_follow_up(unit, follow_up, name, path, content, author))


def email_follow_up(
    unit: Unit,
    follow_up: str,
    to: Any,
    template: str,
    subject: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    return _entry(email.email_follow_up(unit, follow_up, to, template, subject, author))


def reschedule_follow_up(
    unit: Unit,
    follow_up: str,
    due_date: date | None,
    reason: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    return _entry(lifecycle.reschedule_follow_up(unit, follow_up, due_date, reason, author))


def reassign_follow_up(
    unit: Unit, follow_up: str, owner: str, reason: str | None = None, author: str | None = None
) -> dict[str, Any]:
    return _entry(lifecycle.reassign_follow_up(unit, follow_up, owner, reason, author))


def resolve_follow_up(
    unit: Unit, follow_up: str, outcome: str, author: str | None = None
) -> dict[str, Any]:
    return _entry(lifecycle.resolve_follow_up(unit, follow_up, outcome, author))
