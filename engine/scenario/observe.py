"""What the store holds, as the plain items expectations compare against.

Every item is a dict of plain values (dates as ISO text, amounts as Decimal strings) named
like the expectation fields of DESIGN §10, so a failing expectation can show the items it
found in the words the admin wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.schemagen import OUTGOING_STATUSES
from engine.domain import contact_policy
from engine.domain import models as m
from engine.domain.operations import follow_ups, offers
from engine.domain.operations.settlements import figures

Item = dict[str, Any]
OUTGOING = frozenset(OUTGOING_STATUSES)

# Expectation list -> outbox channel.
MESSAGE_CHANNELS = {
    "letters": "letter",
    "emails": "email",
    "sms": "sms",
    "webhooks": "webhook",
    "reports": "report",
}
BLOCKED_STATUSES = ("blocked", "deferred", "skipped")
# Lists of consumer contact: they match only messages that are to go out, unless an item
# names a status (a blocked letter did not go out: it is expected under ``blocked``).
CONTACT_LISTS = frozenset({"letters", "emails", "sms"})


def plain(value: Any) -> Any:
    """Dates as ISO text and Decimals as text; lists and dicts recursively."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _recipient(row: m.OutboxMessage) -> tuple[str | None, set[str]]:
    recipient = row.recipient or {}
    names = {str(v) for v in (recipient.get("party"), recipient.get("address")) if v}
    shown = recipient.get("party") or recipient.get("address")
    return (str(shown) if shown else None), names


def _message(row: m.OutboxMessage) -> Item:
    shown, names = _recipient(row)
    payload = dict(row.payload or {})
    item: Item = {
        "template": row.template,
        "to": shown,
        "on": plain(row.created_on),
        "late": bool(row.late),
        "account": row.account_id,
        "case": row.case_id,
        "status": row.status,
        "_to": names,
    }
    if row.channel == "email":
        item["subject"] = payload.get("subject")
    if row.channel == "report":
        item["text"] = payload.get("body")
    if row.channel == "webhook":
        item["url"] = payload.get("url") or (row.recipient or {}).get("address")
        body = payload.get("body", payload)
        item["body"] = plain(body if isinstance(body, dict) else {"body": body})
    if row.block_reason:
        item["reason"] = row.block_reason
    return item


def messages(session: Session, kind: str) -> list[Item]:
    channel = MESSAGE_CHANNELS[kind]
    rows = session.scalars(
        select(m.OutboxMessage)
        .where(m.OutboxMessage.channel == channel)
        .order_by(m.OutboxMessage.id)
    )
    return [_message(row) for row in rows]


def blocked(session: Session) -> list[Item]:
    rows = session.scalars(
        select(m.OutboxMessage)
        .where(
            (m.OutboxMessage.status.in_(BLOCKED_STATUSES))
            | (m.OutboxMessage.block_reason.is_not(None))
        )
        .order_by(m.OutboxMessage.id)
    )
    found = []
    for row in rows:
        item = _message(row)
        item["channel"] = row.channel
        item["reason"] = row.block_reason or row.status
        item["rule"] = contact_policy.rule_of(row.block_reason)
        found.append(item)
    return found


def skipped(session: Session) -> list[Item]:
    """Date firings the sweep recorded as skipped, on the day it did, with the reason."""
    rows = session.scalars(
        select(m.FiredDate)
        .where(m.FiredDate.outcome == "skipped")
        .order_by(m.FiredDate.fired_on, m.FiredDate.trigger_id, m.FiredDate.subject_id)
    )
    return [
        {
            "trigger": r.trigger_id,
            "on": plain(r.fired_on),
            "due": plain(r.due_on),
            "reason": r.reason,
            "case": r.subject_id if r.subject_kind == "case" else None,
            "account": r.subject_id if r.subject_kind == "account" else None,
        }
        for r in rows
    ]


def tasks(session: Session) -> list[Item]:
    return [
        {
            "title": t.title,
            "department": t.department,
            "due": plain(t.due_date),
            "on": plain(t.created_on),
            "account": t.account_id,
            "case": t.case_id,
            "assignee": t.assignee,
            "status": t.status,
        }
        for t in session.scalars(select(m.Task).order_by(m.Task.id))
    ]


def notes(session: Session) -> list[Item]:
    return [
        {"text": n.text, "on": plain(n.created_on), "account": n.account_id}
        for n in session.scalars(select(m.Note).order_by(m.Note.id))
    ]


def records(session: Session) -> list[Item]:
    found = []
    for r in session.scalars(select(m.Record).order_by(m.Record.id)):
        found.append(
            {
                "model": r.model,
                "fields": plain(r.fields),
                "on": plain(r.created_on),
                "account": r.subject_id if r.subject_kind == "account" else None,
                "case": r.subject_id if r.subject_kind == "case" else None,
            }
        )
    return found


def fired(session: Session) -> list[Item]:
    """Triggers that ran (condition passed), on the day their event was processed."""
    rows = session.execute(
        select(m.FiredEvent.trigger_id, m.InboxEvent)
        .join(m.InboxEvent, m.InboxEvent.id == m.FiredEvent.event_id)
        .where(m.FiredEvent.outcome == "ran")
        .order_by(m.InboxEvent.seq)
    )
    found = []
    for trigger_id, event in rows:
        found.append(
            {
                "trigger": trigger_id,
                "on": plain(event.business_date),
                "late": bool(event.late),
                "event": event.name,
                "case": event.subject_id if event.subject_kind == "case" else None,
                "account": event.subject_id if event.subject_kind == "account" else None,
            }
        )
    return found


LISTS: dict[str, Callable[[Session], list[Item]]] = {
    "letters": lambda s: messages(s, "letters"),
    "emails": lambda s: messages(s, "emails"),
    "sms": lambda s: messages(s, "sms"),
    "webhooks": lambda s: messages(s, "webhooks"),
    "reports": lambda s: messages(s, "reports"),
    "tasks": tasks,
    "notes": notes,
    "records": records,
    "fired": fired,
    "skipped": skipped,
    "blocked": blocked,
}


def settlement_fields(session: Session, row: m.Settlement) -> Item:
    """A settlement's fields; received counts payments applied on or after its inception."""
    found = figures(session, None, row)
    return {
        "status": row.status,
        "amount": str(row.amount),
        "received": str(found.received),
        "remaining": str(found.remaining),
        "inception_date": plain(row.inception_date),
        "account": row.account_id,
        "reached_date": plain(row.reached_date),
        "outside_authority": row.outside_authority,
        "approved_by": row.approved_by,
        "calculated_amount": plain(row.calculated_amount),
        "claims": [
            {"claimant": c.claimant, "amount": str(c.amount), "status": c.status}
            for c in row.claims
        ],
        "installments": [
            {"due_date": plain(i.due_date), "amount": str(i.amount), "status": i.status}
            for i in row.installments
        ],
    }


def offer_fields(session: Session, row: m.Offer) -> Item:
    today = session.info.get("today") or row.initiated_date
    received, remaining = offers.offer_figures(session, row, today)
    return {
        "status": row.status,
        "amount": str(row.amount),
        "received": str(received),
        "remaining": str(remaining),
        "account": row.account_id,
        "initiated_date": plain(row.initiated_date),
        "offer_date": plain(row.offer_date),
        "end_date": plain(row.end_date),
        "expiry_date": plain(row.expiry_date),
        "term_days": row.term_days,
        "settlement_type": row.settlement_type,
    }


def case_fields(row: m.Case) -> Item:
    item: Item = {
        column.name: plain(getattr(row, column.name))
        for column in m.Case.__table__.columns
        if column.name != "created_at"
    }
    item["accounts"] = [link.account_id for link in row.accounts]
    item["defendants"] = [link.party_id for link in row.defendants]
    return item


def follow_up_fields(session: Session, follow_up_id: str) -> Item | None:
    """A follow-up's fields and its ``history`` (kind, on and details of every line)."""
    row = session.get(m.FollowUp, follow_up_id)
    if row is None:
        return None
    item: Item = follow_ups.summary(row)
    item["history"] = follow_ups.history(session, row.id)
    return item
