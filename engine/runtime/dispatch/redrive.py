"""Re-drive a failed event: run its failed triggers again on the running version.

The retry is a new attempt of the same event, in one transaction with the plain scope: the
triggers that failed last time run again (each in its own savepoint, as always), the ones
that ran, were skipped or suspended keep their outcome (their ledger claims stand), and the
trace keeps every attempt. A run started by a retry records its attempt and the failed run
it replaces as its first step. An event that failed as a whole (an error outside its
triggers, or before triggers were isolated) has every trigger the ledger has not seen run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import ONE_EVENT, Clock
from engine.domain import models as m
from engine.runtime.dispatch.dispatcher import Dispatcher
from engine.runtime.dispatch.events import process_one
from engine.runtime.errors import RetryRefused
from engine.runtime.traces.document import event_snapshot, trace_head

GONE = "removed"  # a failed trigger the running version no longer has (or has disabled)


@dataclass(frozen=True, slots=True)
class Attempt:
    """Which attempt at an event this is, and what it runs again."""

    number: int
    triggers: frozenset[str] | None  # the failed triggers; None: every trigger (failed whole)
    previous: Mapping[str, int]  # trigger -> its failed run of the attempt before

    def steps(self, trigger_id: str, today: date) -> list[dict[str, Any]]:
        """The first entry of a run this attempt starts: which attempt, after which run."""
        step: dict[str, Any] = {"step": "retry", "on": today.isoformat(), "attempt": self.number}
        previous = self.previous.get(trigger_id)
        if previous is not None:
            step["previous_run"] = previous
        return [step]


@dataclass(frozen=True, slots=True)
class Retried:
    """The answer to a retry: the event's status after it (``retried`` False: refused)."""

    id: str
    status: str
    reason: str | None
    attempt: int | None
    retried: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "attempt": self.attempt,
            "retried": self.retried,
        }


def attempt_after(doc: Mapping[str, Any]) -> Attempt:
    """The attempt that follows the one a trace document records."""
    failed = [e for e in doc.get("triggers", []) if e.get("outcome") == "failed"]
    previous = {str(e["trigger"]): int(e["runs"][0]) for e in failed if e.get("runs")}
    whole = "error" in doc or not doc  # the event rolled back whole: nothing of it was kept
    triggers = None if whole else frozenset(str(e["trigger"]) for e in failed)
    return Attempt(int(doc.get("attempt") or 1) + 1, triggers, previous)


def retry(
    session: Session, dispatcher: Dispatcher, ruleset: RuleSet, clock: Clock, event_id: str
) -> Retried:
    """Re-drive one failed event inside the open transaction; RetryRefused if it is unknown
    or not failed."""
    query = select(m.InboxEvent).where(m.InboxEvent.id == event_id).with_for_update()
    event = session.scalars(query).first()
    if event is None:
        raise RetryRefused(f"unknown event '{event_id}'", unknown=True)
    if event.status != "failed":
        raise RetryRefused(
            f"event {event_id} is {event.status}: only failed events are retried"
            + (" (a rejected event is sent again, corrected)" if event.status == "rejected" else "")
        )
    stored = session.get(m.EventTrace, event_id)
    before: dict[str, Any] = dict(stored.doc) if stored is not None else {}
    if stored is not None:  # the new attempt writes the event's trace; the old one is kept in it
        session.delete(stored)
        session.flush()
    attempt = attempt_after(before)
    status = process_one(session, dispatcher, ruleset, clock, event, ONE_EVENT, attempt)
    trace = session.get(m.EventTrace, event_id)
    if trace is None:  # refused this time (a domain rule): the attempts are still kept
        head = trace_head(event_snapshot(event), ruleset.hash)
        trace = m.EventTrace(event_id=event_id, ruleset_hash=ruleset.hash, doc=head)
        session.add(trace)
    running = frozenset(t.id for t in ruleset.triggers if t.enabled)
    trace.doc = fold(trace.doc, before, attempt, running)
    return Retried(event.id, status, event.reason, attempt.number)


def fold(
    doc: dict[str, Any], before: dict[str, Any], attempt: Attempt, running: frozenset[str]
) -> dict[str, Any]:
    """The new attempt's trace with the earlier ones kept: each trigger shows its latest
    outcome and the attempt it came from; ``attempts`` holds the earlier documents whole.
    ``running``: the enabled triggers of the version the attempt ran on."""
    number = attempt.number
    new = {e["trigger"]: {**e, "attempt": number} for e in doc.get("triggers", [])}
    triggers: list[dict[str, Any]] = []
    for entry in before.get("triggers", []):
        name = entry.get("trigger")
        if name in new:
            triggers.append(new.pop(name))
        elif name is None:  # the event failed whole: this attempt considered every trigger
            continue
        elif entry.get("outcome") == "failed" and name not in running:
            reason = "no longer in the running version (or disabled): not run again"
            triggers.append({"trigger": name, "outcome": GONE, "reason": reason, "attempt": number})
        else:
            triggers.append({**entry, "attempt": entry.get("attempt", number - 1)})
    triggers.extend(new.values())
    earlier = [*before.pop("attempts", []), {**before, "attempt": number - 1}] if before else []
    return {**doc, "triggers": triggers, "attempt": number, "attempts": earlier}


def failed_events(session: Session, limit: int | None = None) -> list[str]:
    """The ids of the failed events, oldest first."""
    query = select(m.InboxEvent.id).where(m.InboxEvent.status == "failed")
    return list(session.scalars(query.order_by(m.InboxEvent.seq).limit(limit)))


__all__ = ["GONE", "Attempt", "Retried", "attempt_after", "failed_events", "fold", "retry"]
