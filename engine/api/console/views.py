"""What the console's pages show, read from the store and the ruleset (no HTML here)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.api.routers.records import account_json
from engine.api.routers.work import task_json
from engine.config.model import BUCKETS, RuleSet
from engine.domain import models as m
from engine.domain.operations.cases import describe_case
from engine.domain.operations.settlements import settlement_item
from engine.domain.operations.settlements.views import widget
from engine.runtime import event_detail

PAGE = 25


def pill(ruleset: RuleSet, code: str | None) -> dict[str, str]:
    """A status code as the console shows it: the configured pill, else the code."""
    found = ruleset.status_codes.get(code or "")
    if found is not None and found.pill is not None:
        return {"code": code or "", "text": found.pill.text, "color": found.pill.color}
    label = found.label if found is not None else (code or "—")
    return {"code": code or "", "text": label, "color": ""}


def account_page(
    session: Session, ruleset: RuleSet, account: m.Account, today: date
) -> dict[str, Any]:
    """Summary, balances, parties, settlements, cases and the one timeline of an account."""
    found = account_json(session, account)
    parties = {
        p.id: p
        for p in session.scalars(
            select(m.Party).where(m.Party.id.in_([party["id"] for party in found["parties"]]))
        )
    }
    for party in found["parties"]:
        row = parties.get(party["id"])
        party["address"] = row.address if row is not None else None
        party["timezone"] = row.timezone if row is not None else None
    cases = [describe_case(session, ruleset, cid) for cid in found["cases"]]
    settlements = [
        settlement_item(session, ruleset, row)
        for row in session.scalars(
            select(m.Settlement).where(m.Settlement.account_id == account.id)
        )
    ]
    return {
        "account": found,
        "pill": pill(ruleset, account.status),
        "buckets": [(bucket, found["balances"][bucket]) for bucket in BUCKETS],
        "cases": cases,
        "case_pills": {c["id"]: pill(ruleset, c.get("status")) for c in cases},
        "settlements": settlements,
        "widget": widget(session, ruleset, account.id, today),
        "timeline": timeline(session, account.id, found["cases"]),
    }


def timeline(session: Session, account_id: str, case_ids: list[str]) -> list[dict[str, Any]]:
    """Events (with every trigger considered and why), messages, tasks and notes, newest first."""
    about = or_(
        (m.InboxEvent.subject_kind == "account") & (m.InboxEvent.subject_id == account_id),
        (m.InboxEvent.subject_kind == "case") & m.InboxEvent.subject_id.in_(case_ids),
    )
    items: list[dict[str, Any]] = []
    events = session.scalars(
        select(m.InboxEvent).where(about).order_by(m.InboxEvent.seq.desc()).limit(200)
    )
    for event in events:
        detail = event_detail(session, event.id) or {}
        items.append(
            {
                "at": event.received_at,
                "kind": "event",
                "title": event.name,
                "status": event.status,
                "reason": event.reason,
                "id": event.id,
                "triggers": detail.get("triggers", []),
            }
        )
    for row in session.scalars(
        select(m.OutboxMessage).where(m.OutboxMessage.account_id == account_id)
    ):
        items.append(
            {
                "at": row.created_at,
                "kind": "message",
                "title": f"{row.channel}: {row.template or ''}",
                "status": row.status,
                "reason": row.block_reason or row.last_error,
                "id": row.id,
            }
        )
    for task in session.scalars(select(m.Task).where(m.Task.account_id == account_id)):
        items.append(
            {
                "at": task.created_at,
                "kind": "task",
                "title": task.title,
                "status": task.status,
                "reason": f"due {task.due_date}" if task.due_date else None,
                "id": task.id,
            }
        )
    for note in session.scalars(select(m.Note).where(m.Note.account_id == account_id)):
        items.append(
            {
                "at": note.created_at,
                "kind": "note",
                "title": note.text,
                "status": "",
                "reason": None,
                "id": note.id,
            }
        )
    items.sort(key=lambda item: (item["at"] or datetime.min, item["kind"]), reverse=True)
    return items


def worklists(session: Session, ruleset: RuleSet) -> list[dict[str, Any]]:
    counts = dict(
        session.execute(select(m.Account.worklist, func.count()).group_by(m.Account.worklist)).all()
    )
    return [
        {"id": w.id, "label": w.label, "count": counts.get(w.id, 0)}
        for w in ruleset.worklists.values()
    ]


def worklist_accounts(
    session: Session, ruleset: RuleSet, worklist: str, page: int
) -> dict[str, Any]:
    """One page of a worklist's accounts by next-work date (then id)."""
    query = (
        select(m.Account)
        .where(m.Account.worklist == worklist)
        .order_by(m.Account.next_work_date.is_(None), m.Account.next_work_date, m.Account.id)
    )
    total = (
        session.scalar(
            select(func.count()).select_from(m.Account).where(m.Account.worklist == worklist)
        )
        or 0
    )
    rows = list(session.scalars(query.offset(page * PAGE).limit(PAGE)))
    return {
        "rows": [
            {
                "id": r.id,
                "client": r.client_code,
                "next_work_date": r.next_work_date,
                "balance": str(r.balance()),
                "pill": pill(ruleset, r.status),
            }
            for r in rows
        ],
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "total": total,
    }


def tasks(session: Session, status: str, page: int) -> dict[str, Any]:
    where = m.Task.status == status
    total = session.scalar(select(func.count()).select_from(m.Task).where(where)) or 0
    rows = session.scalars(
        select(m.Task)
        .where(where)
        .order_by(m.Task.due_date.is_(None), m.Task.due_date, m.Task.id)
        .offset(page * PAGE)
        .limit(PAGE)
    )
    return {
        "rows": [task_json(r) for r in rows],
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "total": total,
    }
