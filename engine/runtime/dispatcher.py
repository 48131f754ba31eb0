"""Process one event: match triggers, evaluate conditions, run paths, trace every decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.config.model import RuleSet, Trigger
from engine.domain import models as m
from engine.domain.unit import Unit
from engine.runtime import batch
from engine.runtime.conditions import ExpressionFailed, explain
from engine.runtime.drafts import AnyRun, RunDraft
from engine.runtime.registry import ActionRegistry
from engine.runtime.runner import Paused, Runner, StepError, find_wait
from engine.runtime.subjects import Subject, context_for, resolve
from engine.runtime.suspension import DEFAULT_SUSPEND_CHECKS
from engine.runtime.tracedoc import event_snapshot, trace_head

SuspendCheck = Any  # Callable[[Unit, Subject], str | None]: a reason to skip automation


class RunFailed(Exception):
    """A run failed: the event rolls back, then the failure is recorded."""

    def __init__(self, message: str, trigger: str | None, path: str, where: str) -> None:
        super().__init__(message)
        self.trigger, self.path, self.where = trigger, path, where


@dataclass(slots=True)
class Dispatcher:
    ruleset: RuleSet
    registry: ActionRegistry
    suspend_checks: list[SuspendCheck] = field(default_factory=lambda: [*DEFAULT_SUSPEND_CHECKS])
    # Resolves the dispatcher of another RuleSet version (by hash) for runs that started on
    # it and finish on it (``on_change: finish``); None: such runs are left to the scheduler.
    versions: Callable[[str], Dispatcher | None] | None = None

    def __post_init__(self) -> None:
        # The business calendar reads its public holidays on first use (the ``holidays``
        # package's country tables, ~50 ms): here, at start-up, not in the first event's
        # transaction.
        self.ruleset.agency.calendar.is_business_day(date.today())

    def process(self, unit: Unit, event: batch.Event) -> dict[str, Any]:
        """Handle one event inside the caller's transaction; return the trace document."""
        triggers = self._triggers_for(event)
        kind, subject_id = str(event.subject_kind), str(event.subject_id)
        cache = batch.current(unit.session)
        # An existing, idle account with no trigger to fire: nothing to run, resume or suspend.
        quiet = not triggers and cache is not None and cache.quiet(kind, subject_id)
        subject = None if quiet else resolve(unit.session, kind, subject_id)
        snapshot = event_snapshot(event)
        trace = trace_head(snapshot, self.ruleset.hash)
        if subject is None:
            return trace
        # Suspension only changes what triggers and waiting runs do: with neither, skip asking.
        needed = bool(triggers) or not _idle(unit, subject)
        suspended = self._suspended(unit, subject) if needed else None
        for trigger in triggers:
            entry: dict[str, Any] = {"trigger": trigger.id, "at": str(trigger.mark)}
            trace["triggers"].append(entry)
            if suspended:
                entry["outcome"] = "suspended"
                entry["reason"] = suspended
                self._ledger(unit, event, trigger, "suspended")
                continue
            claim = self._ledger(unit, event, trigger, "ran")
            if claim is None:
                entry["outcome"] = "already_fired"
                continue
            context = context_for(
                unit.session, self.ruleset, subject, snapshot, {}, unit.today, unit.now
            )
            try:
                if trigger.condition is not None:
                    ok, entry["if"] = explain(trigger.condition, context)
                    if not ok:
                        entry["outcome"] = claim.outcome = "condition_false"
                        continue
                if trigger.unless is not None:
                    hit, entry["unless"] = explain(trigger.unless, context)
                    if hit:
                        entry["outcome"] = claim.outcome = "unless_true"
                        continue
            except ExpressionFailed as exc:
                # A condition that cannot be evaluated fails the event, never the batch.
                raise RunFailed(
                    str(exc), trigger.id, "(condition)", f"trigger {trigger.id} ({trigger.mark})"
                ) from exc
            entry["outcome"] = "ran"
            entry["runs"] = [
                self.start_run(unit, subject, snapshot, trigger.id, path_id)
                for path_id in trigger.run
            ]
        if not suspended:
            trace["resumed"] = self.resume_ready(unit, subject, event.id)
        return trace

    # --- triggers and ledger -------------------------------------------------------------

    def _triggers_for(self, event: batch.Event) -> tuple[Trigger, ...]:
        if event.trigger_id:  # a date event is for exactly one trigger
            return tuple(t for t in self.ruleset.triggers if t.id == event.trigger_id)
        return tuple(t for t in self.ruleset.triggers_for(event.name) if t.enabled)

    def _ledger(
        self, unit: Unit, event: batch.Event, trigger: Trigger, outcome: str
    ) -> m.FiredEvent | batch.Claim | None:
        """Claim (event, trigger) once: the new ledger row, or None when already claimed."""
        cache = batch.current(unit.session)
        known = cache.claimed(event.id, trigger.id) if cache is not None else None
        if known is None:
            known = unit.session.get(m.FiredEvent, (event.id, trigger.id)) is not None
        if known:
            return None
        if cache is not None and event.id in cache.events:
            return cache.claim(event.id, trigger.id, outcome)
        row = m.FiredEvent(event_id=event.id, trigger_id=trigger.id, outcome=outcome)
        unit.session.add(row)
        return row

    def _suspended(self, unit: Unit, subject: Subject) -> str | None:
        for check in self.suspend_checks:
            reason = check(unit, subject)
            if reason:
                return str(reason)
        return None

    # --- runs ----------------------------------------------------------------------------

    def start_run(
        self,
        unit: Unit,
        subject: Subject,
        event: dict[str, Any],
        trigger_id: str | None,
        path_id: str,
    ) -> int:
        values: dict[str, Any] = {
            "event_id": event["id"],
            "trigger_id": trigger_id,
            "path_id": path_id,
            "ruleset_hash": self.ruleset.hash,
            "subject_kind": subject.kind,
            "subject_id": subject.id,
            "status": "running",
            "started_on": unit.today,
            "started_at": unit.now,
            "vars": {},
            "resume": {"event": _jsonable(event)},
            "steps": [],
        }
        cache = batch.current(unit.session)
        if cache is None:
            run = m.Run(**values)
            give_run_id(unit, run)
            self._start(unit, subject, run)
            return run.id
        # In a batch the run is a draft while it runs: one that ends is written as a plain
        # row at the batch's end, one that waits or queues (later events of the batch look
        # for it) is added as an object.
        draft = RunDraft(id=cache.run_id(unit.session), **values)
        self._start(unit, subject, draft)
        if draft.stays():
            unit.session.add(m.Run(**draft.values()))
        else:
            cache.add_row(m.Run, draft.values())
        return draft.id

    def _start(self, unit: Unit, subject: Subject, run: AnyRun) -> None:
        path_id = run.path_id
        path = self.ruleset.action_paths[path_id]
        waiting = self._waiting(unit, subject, path_id, exclude=run.id)
        if waiting:
            # Each decision is kept in the run's steps (with the day) for traces and timelines.
            on = unit.today.isoformat()
            if path.mode == "skip":
                run.status, run.finished_at = "skipped", unit.now
                run.error = f"run {waiting[0].id} of '{path_id}' is still waiting (mode: skip)"
                run.steps = [{"step": "skipped", "on": on, "behind": waiting[0].id}]
                return
            if path.mode == "queue":
                run.status = "queued"
                _mark_busy(unit, subject)
                run.steps = [{"step": "queued", "on": on, "behind": waiting[0].id}]
                return
            for old in waiting:  # restart
                old.status, old.finished_at = "cancelled", unit.now
                old.error = f"restarted by run {run.id} (mode: restart)"
                old.steps = [
                    *(old.steps or []),
                    {"step": "cancelled", "on": on, "reason": old.error},
                ]
        self._execute(unit, subject, run, None)

    def _execute(self, unit: Unit, subject: Subject, run: AnyRun, cursor: list[Any] | None) -> None:
        event = dict((run.resume or {}).get("event") or {})
        variables = dict(run.vars or {})
        context = context_for(
            unit.session, self.ruleset, subject, event, variables, unit.today, unit.now
        )
        steps: list[dict[str, Any]] = list(run.steps or [])
        run_unit = Unit(
            unit.session,
            unit.ruleset,
            unit.today,
            unit.now,
            cause=unit.cause,
            depth=unit.depth,
            run_id=run.id,
            sink=unit.sink,
        )
        runner = Runner(self.ruleset, self.registry, run_unit, subject, context, run, steps)
        run.status = "running"
        try:
            pause = runner.execute(self.ruleset.action_paths[run.path_id], cursor)
        except StepError as exc:
            raise RunFailed(str(exc), run.trigger_id, run.path_id, exc.where) from exc
        except Exception as exc:
            raise RunFailed(
                f"{type(exc).__name__}: {exc}", run.trigger_id, run.path_id, run.path_id
            ) from exc
        run.steps = _jsonable(steps)
        run.vars = _jsonable(variables)
        if isinstance(pause, Paused):
            run.status, run.wait_until = "waiting", pause.until
            _mark_busy(unit, subject)
            run.resume = {**(run.resume or {}), "cursor": pause.cursor}
            return
        if run.status != "stopped":
            run.status = "completed"
        run.finished_at, run.wait_until = unit.now, None
        self._start_queued(unit, subject, run.path_id)

    def _waiting(self, unit: Unit, subject: Subject, path_id: str, exclude: int) -> list[m.Run]:
        if _idle(unit, subject):
            return []
        return list(
            unit.session.scalars(
                select(m.Run)
                .where(
                    m.Run.subject_kind == subject.kind,
                    m.Run.subject_id == subject.id,
                    m.Run.path_id == path_id,
                    m.Run.status == "waiting",
                    m.Run.id != exclude,
                )
                .order_by(m.Run.id)
            )
        )

    def start_queued(self, unit: Unit, subject: Subject, path_id: str) -> None:
        """Start the oldest queued run of a path on a subject (its waiting run has ended)."""
        if not self._waiting(unit, subject, path_id, exclude=-1):
            self._start_queued(unit, subject, path_id)

    def _start_queued(self, unit: Unit, subject: Subject, path_id: str) -> None:
        if _idle(unit, subject):
            return
        queued = unit.session.scalars(
            select(m.Run)
            .where(
                m.Run.subject_kind == subject.kind,
                m.Run.subject_id == subject.id,
                m.Run.path_id == path_id,
                m.Run.status == "queued",
            )
            .order_by(m.Run.id)
            .limit(1)
        ).first()
        if queued is not None:
            queued.steps = [
                *(queued.steps or []),
                {"step": "dequeued", "on": unit.today.isoformat()},
            ]
            owner = self.for_version(queued.ruleset_hash) or self
            owner._execute(unit, subject, queued, None)

    def for_version(self, ruleset_hash: str) -> Dispatcher | None:
        """The dispatcher that runs a run recorded under ``ruleset_hash`` (None: unknown)."""
        if ruleset_hash == self.ruleset.hash:
            return self
        return self.versions(ruleset_hash) if self.versions is not None else None

    def resume(self, unit: Unit, run: m.Run, reason: str) -> None:
        """Continue a waiting run past its wait (due date reached, or ``until`` true)."""
        subject = resolve(unit.session, run.subject_kind, run.subject_id)
        cursor = list((run.resume or {}).get("cursor") or [])
        steps = list(run.steps or [])
        steps.append({"step": "resume", "reason": reason, "on": unit.today.isoformat()})
        run.steps = steps
        self._execute(unit, subject, run, cursor)

    def resume_ready(self, unit: Unit, subject: Subject, event_id: str) -> list[int]:
        """Runs of this subject whose ``until`` became true resume now, early."""
        resumed: list[int] = []
        if _idle(unit, subject):
            return resumed
        waiting = unit.session.scalars(
            select(m.Run)
            .where(
                m.Run.subject_kind == subject.kind,
                m.Run.subject_id == subject.id,
                m.Run.status == "waiting",
            )
            .order_by(m.Run.id)
        )
        for run in list(waiting):
            owner = self.for_version(run.ruleset_hash)
            if owner is None:  # its version is not loaded here; the scheduler resumes it
                continue
            step = find_wait(
                owner.ruleset, run.path_id, list((run.resume or {}).get("cursor") or [])[:-1]
            )
            if step is None or step.until is None:
                continue
            context = context_for(
                unit.session,
                owner.ruleset,
                subject,
                dict((run.resume or {}).get("event") or {}),
                dict(run.vars),
                unit.today,
                unit.now,
            )
            try:
                ok, _ = explain(step.until, context)
            except ExpressionFailed:
                ok = False  # re-evaluated on the next event and at due time; the wait holds
            if ok:
                owner.resume(unit, run, f"until true after event {event_id}")
                resumed.append(run.id)
        return resumed


def _idle(unit: Unit, subject: Subject) -> bool:
    """True when the batch knows the subject has no waiting or queued run (skip the query)."""
    cache = batch.current(unit.session)
    return cache is not None and cache.idle(subject.kind, subject.id)


def give_run_id(unit: Unit, run: m.Run) -> None:
    """Add a new run with its id: from the batch (no flush), else by flushing it."""
    cache = batch.current(unit.session)
    if cache is not None:
        run.id = cache.run_id(unit.session)
        unit.session.add(run)
    else:
        unit.session.add(run)
        unit.session.flush()


def _mark_busy(unit: Unit, subject: Subject) -> None:
    cache = batch.current(unit.session)
    if cache is not None:
        cache.mark_busy(subject.kind, subject.id)


_PLAIN = frozenset((str, int, bool, type(None)))


def _jsonable(value: Any) -> Any:
    """Plain JSON values (Decimals and dates as strings) for run records."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            k if type(k) is str else str(k): v if type(v) in _PLAIN else _jsonable(v)
            for k, v in value.items()
        }
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _PLAIN else _jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | str):
        return value
    return str(value)
