"""Why did (or didn't) something fire: queries over traces and runs, as plain dicts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.config.model import RuleSet
from engine.domain import contact_policy
from engine.domain import models as m

_IN_CHUNK = 500  # ids per IN (...): well under every backend's parameter limit


def run_detail(session: Session, run_id: int) -> dict[str, Any] | None:
    run = session.get(m.Run, run_id)
    if run is None:
        return None
    event = session.scalars(select(m.InboxEvent).where(m.InboxEvent.id == run.event_id)).first()
    return {
        "run": run.id,
        "path": run.path_id,
        "trigger": run.trigger_id,
        "status": run.status,
        "subject": {"kind": run.subject_kind, "id": run.subject_id},
        "ruleset": run.ruleset_hash,
        "started_on": run.started_on,
        "wait_until": run.wait_until,
        "error": run.error,
        "error_step": run.error_step,
        "event": None
        if event is None
        else {"id": event.id, "name": event.name, "date": event.business_date, "late": event.late},
        "steps": run.steps,
        "vars": run.vars,
    }


def event_detail(session: Session, event_id: str) -> dict[str, Any] | None:
    event = session.scalars(select(m.InboxEvent).where(m.InboxEvent.id == event_id)).first()
    if event is None:
        return None
    trace = session.get(m.EventTrace, event_id)
    triggers = [dict(entry) for entry in (trace.doc.get("triggers", []) if trace else [])]
    _attach_held(session, triggers)
    detail = {
        "event": event.id,
        "name": event.name,
        "subject": {"kind": event.subject_kind, "id": event.subject_id},
        "status": event.status,
        "reason": event.reason,
        "date": event.business_date,
        "late": event.late,
        "depth": event.depth,
        "ruleset": event.ruleset_hash,
        "triggers": triggers,
        "resumed": (trace.doc.get("resumed", []) if trace else []),
        **_attempts(trace.doc if trace else {}),
    }
    if event.late and (event.data or {}).get("late_reason"):
        detail["late_reason"] = event.data["late_reason"]
    return detail


def _attach_held(session: Session, triggers: list[dict[str, Any]]) -> None:
    """Next to each trigger that ran: the messages of its runs the contact policy held back
    (blocked or deferred, when queued or later by the relay) and the rule that did."""
    runs = [run for entry in triggers for run in entry.get("runs") or []]
    if not runs:
        return
    held: dict[int, list[dict[str, Any]]] = {}
    rows = session.execute(
        select(m.OutboxMessage, m.Run.path_id)
        .join(m.Run, m.Run.id == m.OutboxMessage.run_id)
        .where(m.OutboxMessage.run_id.in_(runs), m.OutboxMessage.block_reason.is_not(None))
        .order_by(m.OutboxMessage.id)
    )
    for row, path in rows:
        held.setdefault(int(row.run_id or 0), []).append({**_held(row), "path": path})
    for entry in triggers:
        found = [item for run in entry.get("runs") or [] for item in held.get(run, [])]
        if found:
            entry["held"] = found


def _attempts(doc: dict[str, Any]) -> dict[str, Any]:
    """What a trace says beyond its triggers: the failed ones, resumed runs that failed, and
    (a re-driven event) its attempt and the earlier attempts' documents."""
    found: dict[str, Any] = {"attempt": int(doc.get("attempt") or 1)}
    for key in ("failed", "resume_failed", "attempts"):
        if doc.get(key):
            found[key] = doc[key]
    return found


def event_list(
    session: Session,
    status: str | None = None,
    account: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], bool]:
    """Events in the order they arrived (after inbox position ``after``), optionally of one
    status or about one account; and whether more follow. Each names its position (``seq``,
    the cursor), its failed triggers and its attempt."""
    query = select(m.InboxEvent)
    if status is not None:
        query = query.where(m.InboxEvent.status == status)
    if account is not None:
        query = query.where(
            m.InboxEvent.subject_kind == "account", m.InboxEvent.subject_id == account
        )
    if after is not None:
        query = query.where(m.InboxEvent.seq > after)
    rows = list(session.scalars(query.order_by(m.InboxEvent.seq).limit(limit + 1)))
    more, rows = len(rows) > limit, rows[:limit]
    docs: dict[str, dict[str, Any]] = {}
    for start in range(0, len(rows), _IN_CHUNK):
        ids = [r.id for r in rows[start : start + _IN_CHUNK]]
        traces = session.scalars(select(m.EventTrace).where(m.EventTrace.event_id.in_(ids)))
        docs.update((t.event_id, t.doc) for t in traces)
    items = []
    for row in rows:
        doc = docs.get(row.id) or {}
        items.append(
            {
                "id": row.id,
                "seq": row.seq,
                "name": row.name,
                "subject": {"kind": row.subject_kind, "id": row.subject_id},
                "status": row.status,
                "reason": row.reason,
                "date": row.business_date,
                "received_at": row.received_at,
                "processed_at": row.processed_at,
                "source": row.source,
                "parent": row.parent_id,
                "failed": list(doc.get("failed") or _failed(doc)),
                "attempt": int(doc.get("attempt") or 1),
            }
        )
    return items, more


def _failed(doc: dict[str, Any]) -> list[str]:
    return [
        str(e["trigger"])
        for e in doc.get("triggers", [])
        if e.get("outcome") == "failed" and e.get("trigger")
    ]


def account_events(
    session: Session, ruleset: RuleSet, account_id: str, event_name: str | None = None
) -> dict[str, Any]:
    """Every event about an account (or a case it is party to), with its trace."""
    case_ids = list(
        session.scalars(select(m.CaseAccount.case_id).where(m.CaseAccount.account_id == account_id))
    )
    about = [(m.InboxEvent.subject_kind == "account") & (m.InboxEvent.subject_id == account_id)]
    if case_ids:
        about.append((m.InboxEvent.subject_kind == "case") & m.InboxEvent.subject_id.in_(case_ids))
    held = m.OutboxMessage.account_id == account_id
    return _events(session, ruleset, or_(*about), held, ("account", account_id), event_name)


def case_events(
    session: Session, ruleset: RuleSet, case_id: str, event_name: str | None = None
) -> dict[str, Any]:
    """Every event about a case, with its trace."""
    about = (m.InboxEvent.subject_kind == "case") & (m.InboxEvent.subject_id == case_id)
    held = m.OutboxMessage.case_id == case_id
    return _events(session, ruleset, about, held, ("case", case_id), event_name)


def _events(
    session: Session,
    ruleset: RuleSet,
    about: ColumnElement[bool],
    held: ColumnElement[bool],
    subject: tuple[str, str],
    event_name: str | None,
) -> dict[str, Any]:
    query = select(m.InboxEvent).where(about).order_by(m.InboxEvent.seq)
    if event_name:
        query = query.where(m.InboxEvent.name == event_name)
    events = [event_detail(session, e.id) for e in session.scalars(query)]
    kind, ident = subject
    result: dict[str, Any] = {kind: ident, "events": events}
    result["held"] = held_messages(session, held)
    if event_name and not events:
        listening = [t.id for t in ruleset.triggers if t.on == event_name]
        result["note"] = f"no {event_name} event was received for {kind} {ident}" + (
            f"; triggers listening to it: {', '.join(listening)}"
            if listening
            else "; no trigger listens to it"
        )
    return result


def held_messages(session: Session, about: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Messages (about an account or a case) the contact policy blocked or deferred."""
    rows = session.scalars(
        select(m.OutboxMessage)
        .where(about, m.OutboxMessage.block_reason.is_not(None))
        .order_by(m.OutboxMessage.id)
    )
    return [_held(row) for row in rows]


def _held(row: m.OutboxMessage) -> dict[str, Any]:
    return {
        "message": row.id,
        "channel": row.channel,
        "template": row.template,
        "to": (row.recipient or {}).get("party") or (row.recipient or {}).get("address"),
        "on": row.created_on,
        "status": row.status,
        "rule": contact_policy.rule_of(row.block_reason),
        "reason": row.block_reason,
        "run": row.run_id,
        **({"until": row.next_attempt_at} if row.status == "deferred" else {}),
    }
