"""Drain the inbox: batches commit together, each event in its own savepoint.

A failing event rolls back alone (its state changes, runs, outbox rows and derived events),
then its failure is recorded; the rest of the batch commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.config.model import RuleSet
from engine.domain import models as m
from engine.domain.clock import Clock
from engine.domain.unit import DomainError, Unit
from engine.runtime import batch
from engine.runtime.dispatcher import Dispatcher, RunFailed, event_snapshot


@dataclass(slots=True)
class ProcessStats:
    processed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {"processed": self.processed, "outcomes": dict(self.outcomes)}


def process_batch(
    sessions: sessionmaker[Session],
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    *,
    limit: int | None = None,
    batch_size: int = 200,
    subject_key: str | None = None,
) -> ProcessStats:
    stats = ProcessStats()
    with sessions() as session:
        while limit is None or stats.processed < limit:
            with session.begin():
                session.info["today"] = clock.today()
                query = select(m.InboxEvent).where(m.InboxEvent.status == "pending")
                if subject_key is not None:
                    query = query.where(m.InboxEvent.subject_key == subject_key)
                size = batch_size if limit is None else min(batch_size, limit - stats.processed)
                events = list(session.scalars(query.order_by(m.InboxEvent.seq).limit(size)))
                if not events:
                    break
                cache = batch.start(session, events)
                try:
                    for event in events:
                        outcome = process_one(session, dispatcher, ruleset, clock, event)
                        stats.processed += 1
                        stats.outcomes[outcome] += 1
                    cache.write(session)
                finally:
                    batch.finish(session)
    return stats


def process_one(
    session: Session,
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    event: m.InboxEvent,
) -> str:
    """Process one event inside the open transaction; return processed/rejected/failed."""
    unit = Unit(session, ruleset, clock.today(), clock.now(), cause=event.id, depth=event.depth)
    limit = ruleset.agency.max_event_depth
    cache = batch.current(session)
    if cache is not None:
        cache.begin_event()
    try:
        with session.begin_nested():
            if event.depth > limit:
                raise DomainError(
                    f"loop guard: event depth {event.depth} exceeds max_event_depth {limit} "
                    f"(derived from event {event.parent_id})"
                )
            trace = dispatcher.process(unit, event)
            if cache is None:
                session.add(m.EventTrace(event_id=event.id, ruleset_hash=ruleset.hash, doc=trace))
                event.status, event.processed_at = "processed", unit.now
                event.ruleset_hash = ruleset.hash
        if cache is not None:  # the batch writes the trace, ledger rows and status at its end
            cache.processed(event, trace, ruleset.hash, unit.now)
        return "processed"
    except RunFailed as failure:
        _record_failure(session, ruleset, unit, event, failure)
        return "failed"
    except DomainError as refused:
        with session.begin_nested():
            event.status, event.reason, event.processed_at = "rejected", str(refused), unit.now
            event.ruleset_hash = ruleset.hash
        return "rejected"
    except Exception as exc:  # a bug must fail this event, recorded, not stop the batch
        where = f"processing {event.name}"
        crash = RunFailed(f"{type(exc).__name__}: {exc}", None, "(engine)", where)
        _record_failure(session, ruleset, unit, event, crash)
        return "failed"


def _record_failure(
    session: Session, ruleset: RuleSet, unit: Unit, event: m.InboxEvent, failure: RunFailed
) -> None:
    with session.begin_nested():
        event.status, event.processed_at = "failed", unit.now
        event.reason = f"{failure.where}: {failure}"
        event.ruleset_hash = ruleset.hash
        run = m.Run(
            event_id=event.id,
            trigger_id=failure.trigger,
            path_id=failure.path,
            ruleset_hash=ruleset.hash,
            subject_kind=str(event.subject_kind),
            subject_id=str(event.subject_id),
            status="failed",
            error=str(failure),
            error_step=failure.where,
            started_on=unit.today,
            started_at=unit.now,
            finished_at=unit.now,
            vars={},
            steps=[],
        )
        session.add(run)
        session.flush()
        snapshot = event_snapshot(event)
        snapshot["date"] = event.business_date.isoformat()
        session.merge(
            m.EventTrace(
                event_id=event.id,
                ruleset_hash=ruleset.hash,
                doc={
                    "event": snapshot,
                    "ruleset": ruleset.hash,
                    "triggers": [
                        {
                            "trigger": failure.trigger,
                            "outcome": "failed",
                            "runs": [run.id],
                            "error": str(failure),
                            "where": failure.where,
                        }
                    ],
                    "resumed": [],
                    "error": str(failure),
                },
            )
        )
