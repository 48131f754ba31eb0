"""Process one inbox event in a savepoint: processed, rejected (loop guard, a refusal) or failed.

A failing event rolls back alone (its state changes, runs, outbox rows and derived events),
then its failure is recorded with a failed run and a trace; whatever else the transaction
holds stays. The unit's scope decides how the event's bookkeeping is written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import ONE_EVENT, Clock, DomainError, Scope, Unit
from engine.domain import models as m
from engine.runtime.dispatch.dispatcher import Dispatcher
from engine.runtime.errors import RunFailed
from engine.runtime.traces.document import event_snapshot, trace_head


def process_one(
    session: Session,
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    event: m.InboxEvent,
    scope: Scope = ONE_EVENT,
) -> str:
    """Process one event inside the open transaction; return processed/rejected/failed."""
    unit = event_unit(session, ruleset, clock, event, scope)
    limit = ruleset.agency.max_event_depth
    scope.begin_event()
    try:
        with session.begin_nested():
            if event.depth > limit:
                raise DomainError(
                    f"loop guard: event depth {event.depth} exceeds max_event_depth {limit} "
                    f"(derived from event {event.parent_id})"
                )
            trace = dispatcher.process(unit, event)
        scope.processed(session, event, trace, ruleset.hash, unit.now)
        return "processed"
    except RunFailed as failure:
        _record_failure(unit, event, failure)
        return "failed"
    except DomainError as refused:
        with session.begin_nested():
            event.status, event.reason, event.processed_at = "rejected", str(refused), unit.now
            event.ruleset_hash = ruleset.hash
        return "rejected"
    except Exception as exc:  # a bug must fail this event, recorded, not stop the batch
        where = f"processing {event.name}"
        crash = RunFailed(f"{type(exc).__name__}: {exc}", None, "(engine)", where)
        _record_failure(unit, event, crash)
        return "failed"


def event_unit(session: Session, ruleset: RuleSet, clock: Clock, event: Any, scope: Scope) -> Unit:
    """The unit of work an event is processed in, today by the clock."""
    return Unit(
        session,
        ruleset,
        clock.today(),
        clock.now(),
        cause=event.id,
        depth=event.depth,
        scope=scope,
    )


def _record_failure(unit: Unit, event: m.InboxEvent, failure: RunFailed) -> None:
    session, ruleset = unit.session, unit.ruleset
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
        unit.scope.add_run(session, run)
        doc = trace_head(event_snapshot(event), ruleset.hash)
        doc["triggers"] = [
            {
                "trigger": failure.trigger,
                "outcome": "failed",
                "runs": [run.id],
                "error": str(failure),
                "where": failure.where,
            }
        ]
        doc["error"] = str(failure)
        session.merge(m.EventTrace(event_id=event.id, ruleset_hash=ruleset.hash, doc=doc))
