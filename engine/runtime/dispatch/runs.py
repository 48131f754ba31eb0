"""Runs of action paths: start (skip, queue or restart beside a waiting run), execute, wait,
dequeue, resume; and the one check of whether a wait's ``until`` holds, which the
dispatcher (after each event) and the scheduler (at due time) share."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.config.model import RuleSet
from engine.domain import RunRecord, Unit
from engine.domain import models as m
from engine.runtime.context.conditions import explain
from engine.runtime.context.subjects import Subject, context_for, resolve
from engine.runtime.dispatch.runner import Paused, Runner, find_wait
from engine.runtime.errors import ExpressionFailed, RunFailed

if TYPE_CHECKING:
    from engine.runtime.dispatch.dispatcher import Dispatcher


def start(
    owner: Dispatcher,
    unit: Unit,
    subject: Subject,
    event: dict[str, Any],
    trigger_id: str | None,
    path_id: str,
    steps: list[dict[str, Any]] | None = None,
) -> int:
    """Start a run of ``path_id`` for the subject (as the path's mode says); its id."""
    values: dict[str, Any] = {
        "event_id": event["id"],
        "trigger_id": trigger_id,
        "path_id": path_id,
        "ruleset_hash": owner.ruleset.hash,
        "subject_kind": subject.kind,
        "subject_id": subject.id,
        "status": "running",
        "started_on": unit.today,
        "started_at": unit.now,
        "vars": {},
        "resume": {"event": jsonable(event)},
        "steps": list(steps) if steps else [],
    }
    run = unit.scope.start_run(unit.session, values)
    _start(owner, unit, subject, run)
    unit.scope.keep_run(unit.session, run)
    return run.id


def _start(owner: Dispatcher, unit: Unit, subject: Subject, run: RunRecord) -> None:
    path_id = run.path_id
    path = owner.ruleset.action_paths[path_id]
    waiting = _open(unit, subject, path_id, "waiting", exclude=run.id)
    if waiting:
        # Each decision is kept in the run's steps (with the day) for traces and timelines.
        on = unit.today.isoformat()
        if path.mode == "skip":
            run.status, run.finished_at = "skipped", unit.now
            run.error = f"run {waiting[0].id} of '{path_id}' is still waiting (mode: skip)"
            run.steps = [*run.steps, {"step": "skipped", "on": on, "behind": waiting[0].id}]
            return
        if path.mode == "queue":
            run.status = "queued"
            unit.scope.runs_open(subject.kind, subject.id)
            run.steps = [*run.steps, {"step": "queued", "on": on, "behind": waiting[0].id}]
            return
        for old in waiting:  # restart
            old.status, old.finished_at = "cancelled", unit.now
            old.error = f"restarted by run {run.id} (mode: restart)"
            old.steps = [*(old.steps or []), {"step": "cancelled", "on": on, "reason": old.error}]
    execute(owner, unit, subject, run, None)


def execute(
    owner: Dispatcher, unit: Unit, subject: Subject, run: RunRecord, cursor: list[Any] | None
) -> None:
    """Run the path's steps (from ``cursor`` when resuming) until it ends or waits."""
    event = dict((run.resume or {}).get("event") or {})
    variables = dict(run.vars or {})
    context = context_for(
        unit.session, owner.ruleset, subject, event, variables, unit.today, unit.now, unit.scope
    )
    steps: list[dict[str, Any]] = list(run.steps or [])
    runner = Runner(
        owner.ruleset, owner.registry, unit.derive(run_id=run.id), subject, context, run, steps
    )
    run.status = "running"
    try:
        pause = runner.execute(owner.ruleset.action_paths[run.path_id], cursor)
    except RunFailed:
        raise
    except Exception as exc:
        raise RunFailed(
            f"{type(exc).__name__}: {exc}", run.trigger_id, run.path_id, run.path_id
        ) from exc
    run.steps = jsonable(steps)
    run.vars = jsonable(variables)
    if isinstance(pause, Paused):
        run.status, run.wait_until = "waiting", pause.until
        unit.scope.runs_open(subject.kind, subject.id)
        run.resume = {**(run.resume or {}), "cursor": pause.cursor}
        return
    if run.status != "stopped":
        run.status = "completed"
    run.finished_at, run.wait_until = unit.now, None
    _start_next_queued(owner, unit, subject, run.path_id)


def start_queued(owner: Dispatcher, unit: Unit, subject: Subject, path_id: str) -> None:
    """Start the oldest queued run of a path on a subject (its waiting run has ended)."""
    if not _open(unit, subject, path_id, "waiting", exclude=-1):
        _start_next_queued(owner, unit, subject, path_id)


def _start_next_queued(owner: Dispatcher, unit: Unit, subject: Subject, path_id: str) -> None:
    queued = _open(unit, subject, path_id, "queued", limit=1)
    if queued:
        run = queued[0]
        run.steps = [*(run.steps or []), {"step": "dequeued", "on": unit.today.isoformat()}]
        execute(owner.for_version(run.ruleset_hash) or owner, unit, subject, run, None)


def _open(
    unit: Unit,
    subject: Subject,
    path_id: str | None,
    status: str,
    exclude: int = -1,
    limit: int | None = None,
) -> list[m.Run]:
    """The subject's runs in ``status`` (of one path, when given), oldest first."""
    if not unit.scope.may_have_runs(subject.kind, subject.id):
        return []
    query = select(m.Run).where(
        m.Run.subject_kind == subject.kind,
        m.Run.subject_id == subject.id,
        m.Run.status == status,
    )
    if path_id is not None:
        query = query.where(m.Run.path_id == path_id)
    if exclude != -1:
        query = query.where(m.Run.id != exclude)
    return list(unit.session.scalars(query.order_by(m.Run.id).limit(limit)))


def resume(owner: Dispatcher, unit: Unit, run: RunRecord, reason: str) -> None:
    """Continue a waiting run past its wait (due date reached, or ``until`` true)."""
    subject = resolve(unit.session, run.subject_kind, run.subject_id, unit.scope)
    cursor = list((run.resume or {}).get("cursor") or [])
    run.steps = [
        *(run.steps or []),
        {"step": "resume", "reason": reason, "on": unit.today.isoformat()},
    ]
    execute(owner, unit, subject, run, cursor)


def resume_ready(
    owner: Dispatcher,
    unit: Unit,
    subject: Subject,
    event_id: str,
    isolate: bool = False,
    trace: dict[str, Any] | None = None,
) -> list[int]:
    """Runs of this subject whose ``until`` became true resume now, early.

    With ``isolate``, each in a savepoint of its own: one that fails rolls back alone and is
    marked failed, as a failure at its due time is (``trace["resume_failed"]`` lists it).
    """
    resumed: list[int] = []
    for run in _open(unit, subject, None, "waiting"):
        version = owner.for_version(run.ruleset_hash)
        if version is None:  # its version is not loaded here; the scheduler resumes it
            continue
        if not until_holds(unit, version.ruleset, run, subject):
            continue
        reason = f"until true after event {event_id}"
        if not isolate:
            resume(version, unit, run, reason)
            resumed.append(run.id)
            continue
        unit.scope.begin_run()
        try:
            with unit.session.begin_nested():
                resume(version, unit, run, reason)
            resumed.append(run.id)
        except RunFailed as failure:
            unit.scope.run_failed()
            run.status, run.error, run.error_step = "failed", str(failure), failure.where
            run.finished_at, run.wait_until = unit.now, None
            if trace is not None:
                failed = {"run": run.id, "error": str(failure), "where": failure.where}
                trace.setdefault("resume_failed", []).append(failed)
    return resumed


def record_failure(
    unit: Unit, event_id: str, subject_kind: str, subject_id: str, failure: RunFailed
) -> int:
    """Record a failed run (its trigger, path, step and error) of an event; its id."""
    run = m.Run(
        event_id=event_id,
        trigger_id=failure.trigger,
        path_id=failure.path,
        ruleset_hash=unit.ruleset.hash,
        subject_kind=subject_kind,
        subject_id=subject_id,
        status="failed",
        error=str(failure),
        error_step=failure.where,
        started_on=unit.today,
        started_at=unit.now,
        finished_at=unit.now,
        vars={},
        steps=[],
    )
    unit.scope.add_run(unit.session, run)
    return run.id


def until_holds(
    unit: Unit, ruleset: RuleSet, run: RunRecord, subject: Subject | None = None
) -> bool:
    """Whether the run waits on a step whose ``until`` holds now. A condition that fails to
    evaluate does not hold: it is evaluated again on the next event and at due time."""
    cursor = list((run.resume or {}).get("cursor") or [])[:-1]
    step = find_wait(ruleset, run.path_id, cursor)
    if step is None or step.until is None:
        return False
    if subject is None:
        subject = resolve(unit.session, run.subject_kind, run.subject_id, unit.scope)
    context = context_for(
        unit.session,
        ruleset,
        subject,
        dict((run.resume or {}).get("event") or {}),
        dict(run.vars),
        unit.today,
        unit.now,
        unit.scope,
    )
    try:
        holds, _ = explain(step.until, context)
    except ExpressionFailed:
        return False
    return holds


_PLAIN = frozenset((str, int, bool, type(None)))


def jsonable(value: Any) -> Any:
    """Plain JSON values (Decimals and dates as strings) for run records."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            k if type(k) is str else str(k): v if type(v) in _PLAIN else jsonable(v)
            for k, v in value.items()
        }
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _PLAIN else jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | str):
        return value
    return str(value)
