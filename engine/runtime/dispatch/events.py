"""Process one inbox event in a savepoint: processed, rejected (loop guard, a refusal) or failed.

Each of its triggers runs in a savepoint of its own: a failing trigger rolls back alone (its
claim, state changes, runs, outbox rows and derived events) and is recorded with a failed
run; the event's other triggers keep their work and the event is ``failed``, naming them. An
error outside the triggers rolls the event back whole, then records it the same way. The
unit's scope decides how the event's bookkeeping is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import ONE_EVENT, Clock, DomainError, Scope, Unit
from engine.domain import models as m
from engine.runtime.dispatch.dispatcher import Dispatcher
from engine.runtime.dispatch.runs import record_failure
from engine.runtime.errors import RunFailed
from engine.runtime.traces.document import event_snapshot, trace_head

if TYPE_CHECKING:
    from engine.runtime.dispatch.redrive import Attempt


def process_one(
    session: Session,
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    event: m.InboxEvent,
    scope: Scope = ONE_EVENT,
    attempt: Attempt | None = None,
) -> str:
    """Process one event inside the open transaction; return processed/rejected/failed.

    Each trigger runs in a savepoint of its own inside the event's: when some fail, the
    others' work is kept and the event is ``failed``, with each failed trigger in its reason
    and trace, so that ``docket events retry`` can run them again.
    """
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
            trace = dispatcher.process(unit, event, isolate=True, attempt=attempt)
            failed = failures(trace)
        scope.processed(session, event, trace, ruleset.hash, unit.now, failed)
        return "processed" if failed is None else "failed"
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


def failures(trace: dict[str, Any]) -> str | None:
    """The reason an event whose triggers ran alone is ``failed``: each failed trigger, where
    and why; None when none failed."""
    failed = [e for e in trace["triggers"] if e.get("outcome") == "failed"]
    if not failed:
        return None
    trace["failed"] = [e["trigger"] for e in failed]
    return "; ".join(f"{e['where']}: {e['error']}" for e in failed)


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
    """The event failed as a whole (rolled back): record it, its failed run and a trace."""
    session, ruleset = unit.session, unit.ruleset
    with session.begin_nested():
        event.status, event.processed_at = "failed", unit.now
        event.reason = f"{failure.where}: {failure}"
        event.ruleset_hash = ruleset.hash
        kind, subject_id = str(event.subject_kind), str(event.subject_id)
        run = record_failure(unit, event.id, kind, subject_id, failure)
        doc = trace_head(event_snapshot(event), ruleset.hash)
        doc["triggers"] = [
            {
                "trigger": failure.trigger,
                "outcome": "failed",
                "runs": [run],
                "error": str(failure),
                "where": failure.where,
            }
        ]
        doc["error"] = str(failure)
        session.merge(m.EventTrace(event_id=event.id, ruleset_hash=ruleset.hash, doc=doc))
