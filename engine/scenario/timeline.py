"""The day-by-day timeline of a scenario (``docket simulate``), read back from the store.

Each day lists the operations of the scenario, the events processed, the triggers that fired
(and date firings skipped by ``catch_up``), status and worklist changes, messages queued,
tasks and notes created, and what happened to runs (resumed, queued, skipped, cancelled).
Late firings and messages are marked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.calendar import BusinessCalendar
from engine.domain import models as m
from engine.scenario.model import days
from engine.scenario.observe import MESSAGE_CHANNELS

CHANNEL_LISTS = {channel: kind for kind, channel in MESSAGE_CHANNELS.items()}


@dataclass(slots=True)
class DayLog:
    """What the runner itself knows about a day: down or not, operations, the cycle report."""

    day: date
    down: bool = False
    operations: list[str] = field(default_factory=list)
    cycle: dict[str, Any] | None = None


def _subject(kind: str | None, ident: str | None) -> str:
    return f"{kind} {ident}" if kind else str(ident)


def problems(session: Session) -> list[str]:
    """Events that failed or were rejected while the scenario ran (rule or data errors)."""
    rows = session.scalars(
        select(m.InboxEvent)
        .where(m.InboxEvent.status.in_(("failed", "rejected")))
        .order_by(m.InboxEvent.seq)
    )
    return [
        f"{e.business_date} {e.name} ({_subject(e.subject_kind, e.subject_id)}) "
        f"{e.status}: {e.reason}"
        for e in rows
    ]


def _collect(session: Session) -> dict[date, dict[str, list[Any]]]:
    found: dict[date, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for e in session.scalars(select(m.InboxEvent).order_by(m.InboxEvent.seq)):
        found[e.business_date]["events"].append(
            {
                "event": e.name,
                "subject": _subject(e.subject_kind, e.subject_id),
                "status": e.status,
                "late": bool(e.late),
                "source": e.source,
                **({"reason": e.reason} if e.reason else {}),
            }
        )
    fired = session.execute(
        select(m.FiredEvent.trigger_id, m.FiredEvent.outcome, m.InboxEvent)
        .join(m.InboxEvent, m.InboxEvent.id == m.FiredEvent.event_id)
        .order_by(m.InboxEvent.seq)
    )
    for trigger_id, outcome, e in fired:
        entry = {
            "trigger": trigger_id,
            "subject": _subject(e.subject_kind, e.subject_id),
            "late": bool(e.late),
        }
        if e.late and (e.data or {}).get("late_reason"):
            entry["late_reason"] = e.data["late_reason"]
        found[e.business_date]["fired" if outcome == "ran" else "not_fired"].append(
            entry if outcome == "ran" else {**entry, "outcome": outcome}
        )
    for d in session.scalars(select(m.FiredDate).where(m.FiredDate.outcome == "skipped")):
        found[d.fired_on]["skipped"].append(
            {
                "trigger": d.trigger_id,
                "subject": _subject(d.subject_kind, d.subject_id),
                "due_on": d.due_on.isoformat(),
                "reason": d.reason or "missed (catch_up)",
            }
        )
    for s in session.scalars(select(m.StatusHistory).order_by(m.StatusHistory.id)):
        found[s.on_date]["status"].append(f"{s.account_id}: {s.old} -> {s.new}")
    for w in session.scalars(select(m.WorklistHistory).order_by(m.WorklistHistory.id)):
        found[w.on_date]["worklist"].append(f"{w.account_id}: {w.old} -> {w.new}")
    for o in session.scalars(select(m.OutboxMessage).order_by(m.OutboxMessage.id)):
        recipient = o.recipient or {}
        found[o.created_on][CHANNEL_LISTS.get(o.channel, o.channel)].append(
            {
                "template": o.template,
                "to": recipient.get("party") or recipient.get("address"),
                "late": bool(o.late),
                "status": o.status,
                **({"reason": o.block_reason} if o.block_reason else {}),
            }
        )
    for t in session.scalars(select(m.Task).order_by(m.Task.id)):
        found[t.created_on]["tasks"].append(
            {
                "title": t.title,
                "department": t.department,
                "due": t.due_date.isoformat() if t.due_date else None,
            }
        )
    for n in session.scalars(select(m.Note).order_by(m.Note.id)):
        found[n.created_on]["notes"].append(f"{n.account_id}: {n.text}")
    for run in session.scalars(select(m.Run).order_by(m.Run.id)):
        _runs(found, run)
    return found


def _runs(found: dict[date, dict[str, list[Any]]], run: m.Run) -> None:
    """Resumes, queueing, skips and cancellations of one run, on the days they happened."""
    name = f"run {run.id} ({run.path_id})"
    if run.status == "failed":
        found[run.started_on]["runs"].append(f"{name} failed: {run.error}")
    for entry in run.steps or []:
        if not isinstance(entry, dict) or not entry.get("on"):
            continue
        day, kind = date.fromisoformat(str(entry["on"])), entry.get("step")
        if kind == "resume":
            found[day]["runs"].append(f"{name} resumed: {entry.get('reason')}")
        elif kind in ("queued", "skipped"):
            found[day]["runs"].append(f"{name} {kind}: run {entry.get('behind')} is waiting")
        elif kind == "dequeued":
            found[day]["runs"].append(f"{name} started from the queue")
        elif kind == "cancelled":
            found[day]["runs"].append(f"{name} cancelled: {entry.get('reason')}")
        elif kind == "retry":
            after = f" after run {entry['previous_run']}" if entry.get("previous_run") else ""
            found[day]["runs"].append(f"{name} retried: attempt {entry.get('attempt')}{after}")


def build(
    session: Session, log: dict[date, DayLog], calendar: BusinessCalendar | None = None
) -> list[dict[str, Any]]:
    """One entry per simulated day, oldest first."""
    found = _collect(session)
    if not log:
        return []
    first, last = min(log), max(log)
    timeline = []
    for day in days(first, last):
        record = log.get(day, DayLog(day))
        entry: dict[str, Any] = {"day": day.isoformat(), "weekday": day.strftime("%a")}
        holiday = calendar.holiday_name(day) if calendar is not None else None
        if holiday:
            entry["holiday"] = holiday
        if record.down:
            entry["down"] = True
        if record.operations:
            entry["operations"] = list(record.operations)
        entry.update({key: value for key, value in found.get(day, {}).items() if value})
        timeline.append(entry)
    return timeline


def render(timeline: list[dict[str, Any]]) -> list[str]:
    """The timeline as text lines, one block per day."""
    lines: list[str] = []
    for entry in timeline:
        head = f"{entry['day']} {entry['weekday']}"
        if entry.get("holiday"):
            head += f"  (holiday: {entry['holiday']})"
        if entry.get("down"):
            head += "  ENGINE DOWN"
        lines.append(head)
        for text in entry.get("operations", []):
            lines.append(f"  do {text}")
        for e in entry.get("events", []):
            late = " LATE" if e["late"] else ""
            reason = f": {e['reason']}" if e.get("reason") else ""
            lines.append(f"  event {e['event']} ({e['subject']}) {e['status']}{late}{reason}")
        for f in entry.get("fired", []):
            late = " LATE" if f["late"] else ""
            if f.get("late_reason"):
                late += f": {f['late_reason']}"
            lines.append(f"  fired {f['trigger']} ({f['subject']}){late}")
        for f in entry.get("not_fired", []):
            if f["outcome"] == "suspended":  # a follow-up holds the subject's automation
                lines.append(f"  suspended {f['trigger']} ({f['subject']})")
        for f in entry.get("skipped", []):
            lines.append(
                f"  skipped {f['trigger']} ({f['subject']}): due {f['due_on']}, {f['reason']}"
            )
        for key in ("status", "worklist"):
            lines.extend(f"  {key} {text}" for text in entry.get(key, []))
        for key in ("letters", "emails", "sms", "webhooks", "reports"):
            for msg in entry.get(key, []):
                late = " LATE" if msg["late"] else ""
                to = f" -> {msg['to']}" if msg["to"] else ""  # a report goes to no one
                kind = key[:-1] if key != "sms" else "sms"
                held = f" {msg['status'].upper()}: {msg['reason']}" if msg.get("reason") else ""
                lines.append(f"  {kind} {msg['template']}{to}{late}{held}")
        for task in entry.get("tasks", []):
            lines.append(f"  task [{task['department']}] {task['title']} (due {task['due']})")
        lines.extend(f"  note {text}" for text in entry.get("notes", []))
        lines.extend(f"  {text}" for text in entry.get("runs", []))
    return lines
