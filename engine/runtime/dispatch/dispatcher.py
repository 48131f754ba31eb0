"""Process one event: match triggers, claim them in the ledger, weigh their conditions, start
their runs, resume the subject's waiting runs whose ``until`` came true; trace every decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.config.model import RuleSet, Trigger
from engine.domain import Unit
from engine.runtime.actions.registry import ActionRegistry
from engine.runtime.context.conditions import explain
from engine.runtime.context.subjects import Subject, context_for, resolve
from engine.runtime.dispatch import runs
from engine.runtime.dispatch.suspension import DEFAULT_SUSPEND_CHECKS, SuspendCheck
from engine.runtime.errors import ExpressionFailed, RunFailed
from engine.runtime.traces.document import event_snapshot, trace_head

if TYPE_CHECKING:
    from engine.runtime.dispatch.redrive import Attempt


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

    def process(
        self, unit: Unit, event: Any, *, isolate: bool = False, attempt: Attempt | None = None
    ) -> dict[str, Any]:
        """Handle one event (an inbox object or row) inside the caller's transaction; return
        the trace document.

        With ``isolate``, each trigger (its claim, conditions and runs) and each resumed run
        has a savepoint of its own: one that fails rolls back alone, is recorded as a failed
        run and traced ``failed``, and the others go on. Without, its RunFailed ends the
        whole event (an optimistic batch, which is then redone isolated). ``attempt``: the
        event is re-driven, only its failed triggers run again.
        """
        triggers = self._triggers_for(event, attempt)
        kind, subject_id = str(event.subject_kind), str(event.subject_id)
        scope = unit.scope
        # An existing, idle account with no trigger to fire: nothing to run, resume or suspend.
        quiet = not triggers and scope.quiet(kind, subject_id)
        subject = None if quiet else resolve(unit.session, kind, subject_id, scope)
        snapshot = event_snapshot(event)
        trace = trace_head(snapshot, self.ruleset.hash)
        if subject is None:
            return trace
        # Suspension only changes what triggers and waiting runs do: with neither, skip asking.
        needed = bool(triggers) or scope.may_have_runs(kind, subject_id)
        suspended = self._suspended(unit, subject) if needed else None
        for trigger in triggers:
            entry: dict[str, Any] = {"trigger": trigger.id, "at": str(trigger.mark)}
            trace["triggers"].append(entry)
            if suspended:
                entry["outcome"] = "suspended"
                entry["reason"] = suspended
                scope.claim(unit.session, event.id, trigger.id, "suspended")
                continue
            steps = attempt.steps(trigger.id, unit.today) if attempt is not None else None
            if not isolate:
                self._fire(unit, subject, snapshot, trigger, entry, steps)
                continue
            scope.begin_run()
            try:
                with unit.session.begin_nested():
                    self._fire(unit, subject, snapshot, trigger, entry, steps)
            except Exception as exc:  # this trigger's failure, whatever raised it
                scope.run_failed()
                failure = _as_failure(exc, trigger)
                run = runs.record_failure(unit, event.id, kind, subject_id, failure)
                entry.update(outcome="failed", path=failure.path, where=failure.where, runs=[run])
                entry["error"] = str(failure)
        if not suspended:
            trace["resumed"] = self.resume_ready(unit, subject, event.id, isolate, trace)
        return trace

    def _fire(
        self,
        unit: Unit,
        subject: Subject,
        snapshot: dict[str, Any],
        trigger: Trigger,
        entry: dict[str, Any],
        steps: list[dict[str, Any]] | None,
    ) -> None:
        """Claim the trigger in the ledger, weigh its conditions, start its runs."""
        claim = unit.scope.claim(unit.session, snapshot["id"], trigger.id, "ran")
        if claim is None:
            entry["outcome"] = "already_fired"
            return
        context = context_for(
            unit.session, self.ruleset, subject, snapshot, {}, unit.today, unit.now, unit.scope
        )
        try:
            if trigger.condition is not None:
                ok, entry["if"] = explain(trigger.condition, context)
                if not ok:
                    entry["outcome"] = claim.outcome = "condition_false"
                    return
            if trigger.unless is not None:
                hit, entry["unless"] = explain(trigger.unless, context)
                if hit:
                    entry["outcome"] = claim.outcome = "unless_true"
                    return
        except ExpressionFailed as exc:
            # A condition that cannot be evaluated fails this trigger, never the batch.
            raise RunFailed(
                str(exc), trigger.id, "(condition)", f"trigger {trigger.id} ({trigger.mark})"
            ) from exc
        entry["outcome"] = "ran"
        entry["runs"] = [
            self.start_run(unit, subject, snapshot, trigger.id, path_id, steps)
            for path_id in trigger.run
        ]

    def _triggers_for(self, event: Any, attempt: Attempt | None) -> tuple[Trigger, ...]:
        if event.trigger_id:  # a date event is for exactly one trigger
            found = tuple(t for t in self.ruleset.triggers if t.id == event.trigger_id)
        else:
            found = tuple(t for t in self.ruleset.triggers_for(event.name) if t.enabled)
        if attempt is not None and attempt.triggers is not None:
            found = tuple(t for t in found if t.id in attempt.triggers)
        return found

    def _suspended(self, unit: Unit, subject: Subject) -> str | None:
        for check in self.suspend_checks:
            reason = check(unit, subject)
            if reason:
                return str(reason)
        return None

    # --- runs (engine.runtime.dispatch.runs) ---------------------------------------------

    def start_run(
        self,
        unit: Unit,
        subject: Subject,
        event: dict[str, Any],
        trigger_id: str | None,
        path_id: str,
        steps: list[dict[str, Any]] | None = None,
    ) -> int:
        """Start a run of ``path_id`` for the subject; its id. ``steps``: decisions recorded
        before its first step (a re-driven run's attempt)."""
        return runs.start(self, unit, subject, event, trigger_id, path_id, steps)

    def start_queued(self, unit: Unit, subject: Subject, path_id: str) -> None:
        """Start the oldest queued run of a path on a subject (its waiting run has ended)."""
        runs.start_queued(self, unit, subject, path_id)

    def resume(self, unit: Unit, run: Any, reason: str) -> None:
        """Continue a waiting run past its wait (due date reached, or ``until`` true)."""
        runs.resume(self, unit, run, reason)

    def resume_ready(
        self,
        unit: Unit,
        subject: Subject,
        event_id: str,
        isolate: bool = False,
        trace: dict[str, Any] | None = None,
    ) -> list[int]:
        """Runs of this subject whose ``until`` became true resume now, early (``isolate``:
        each in its own savepoint; a failure is listed in ``trace["resume_failed"]``)."""
        return runs.resume_ready(self, unit, subject, event_id, isolate, trace)

    def for_version(self, ruleset_hash: str) -> Dispatcher | None:
        """The dispatcher that runs a run recorded under ``ruleset_hash`` (None: unknown)."""
        if ruleset_hash == self.ruleset.hash:
            return self
        return self.versions(ruleset_hash) if self.versions is not None else None


def _as_failure(exc: Exception, trigger: Trigger) -> RunFailed:
    """A trigger's failure as a RunFailed (an engine error is one too, where the trigger is)."""
    if isinstance(exc, RunFailed):
        return exc
    where = f"trigger {trigger.id} ({trigger.mark})"
    return RunFailed(f"{type(exc).__name__}: {exc}", trigger.id, "(engine)", where)
