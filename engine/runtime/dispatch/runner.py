"""The action-path runner: steps in order for one subject, with branches, sub-paths and waits.

A wait persists the run with a cursor (the position of the wait, through branches and
sub-paths) so the scheduler can resume it on another day, in another process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.config.model import (
    ActionPath,
    ActionStep,
    Condition,
    IfStep,
    RuleSet,
    RunStep,
    Step,
    StopStep,
    WaitStep,
)
from engine.domain import RunRecord, Unit
from engine.errors import DocketError
from engine.runtime.actions.registry import ActionRegistry, StepContext, call
from engine.runtime.context.conditions import explain
from engine.runtime.context.subjects import Subject
from engine.runtime.errors import RunFailed, StepFailed

Cursor = list[Any]  # e.g. [3, "then", 0, "wait"]: step 3, its then-branch, step 0, waiting


@dataclass(slots=True)
class Paused:
    cursor: Cursor
    until: date
    condition: Condition | None


class Stopped(DocketError):
    """A ``stop`` step ends the run (not a failure)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass(slots=True)
class Runner:
    ruleset: RuleSet
    registry: ActionRegistry
    unit: Unit
    subject: Subject
    context: dict[str, Any]
    run: RunRecord
    results: list[dict[str, Any]]

    def execute(self, path: ActionPath, cursor: Cursor | None = None) -> Paused | None:
        """Run the path (from ``cursor`` when resuming); return a pause or None when done."""
        try:
            return self._block(path.steps, path.id, list(cursor or []), [])
        except Stopped as stop:
            self.results.append({"step": "stop", "reason": stop.reason})
            self.run.status = "stopped"
            return None

    def _block(
        self, steps: tuple[Step, ...], path_id: str, resume: Cursor, prefix: Cursor
    ) -> Paused | None:
        start = int(resume[0]) if resume else 0
        inner = resume[1:] if resume else []
        for index in range(start, len(steps)):
            step = steps[index]
            here = [*prefix, index]
            pause = self._step(step, path_id, inner if index == start else [], here)
            if pause is not None:
                return pause
        return None

    def _step(self, step: Step, path_id: str, resume: Cursor, here: Cursor) -> Paused | None:
        where = f"{path_id}#{'.'.join(str(p) for p in here)}"
        if isinstance(step, ActionStep):
            ctx = StepContext(
                self.unit, self.ruleset, self.subject, self.context, self.run.id, step, where
            )
            try:
                result = call(self.registry, ctx)
            except StepFailed as exc:
                raise self._failed(str(exc), f"{where} {step.action} ({step.mark})") from exc
            except Exception as exc:  # an action's bug is still this step's failure
                message = f"{type(exc).__name__}: {exc}"
                raise self._failed(message, f"{where} {step.action} ({step.mark})") from exc
            self.results.append({"step": step.action, "at": str(step.mark), "result": result})
            return None
        if isinstance(step, IfStep):
            if resume:
                branch = step.then if resume[0] == "then" else step.otherwise
                return self._block(branch, path_id, resume[1:], [*here, resume[0]])
            value, detail = explain(step.condition, self.context)
            self.results.append({"step": "if", "at": str(step.mark), "condition": detail})
            label = "then" if value else "else"
            return self._block(step.then if value else step.otherwise, path_id, [], [*here, label])
        if isinstance(step, RunStep):
            sub = self.ruleset.action_paths.get(step.path)
            if sub is None:
                raise self._failed(f"unknown action path '{step.path}'", where)
            self.results.append({"step": "run", "path": step.path, "at": str(step.mark)})
            return self._block(sub.steps, sub.id, resume[1:] if resume else [], [*here, "run"])
        if isinstance(step, WaitStep):
            if resume:  # resumed past this wait
                self.results.append({"step": "resumed", "at": str(step.mark)})
                return None
            until = self.ruleset.agency.calendar.shift(self.unit.today, step.duration)
            self.results.append(
                {
                    "step": "wait",
                    "at": str(step.mark),
                    "until": until.isoformat(),
                    "condition": getattr(step.until, "source", None),
                }
            )
            return Paused([*here, "wait"], until, step.until)
        if isinstance(step, StopStep):
            raise Stopped(step.reason)
        raise self._failed(f"unknown step {step!r}", where)

    def _failed(self, message: str, where: str) -> RunFailed:
        """The run's failure at ``where`` (the step's place, action and file:line)."""
        return RunFailed(message, self.run.trigger_id, self.run.path_id, where)


def find_wait(ruleset: RuleSet, path_id: str, cursor: Cursor) -> WaitStep | None:
    """The wait step a cursor points at, so its ``until`` can be re-evaluated."""
    path = ruleset.action_paths.get(path_id)
    if path is None:
        return None
    steps: tuple[Step, ...] = path.steps
    i = 0
    step: Step | None = None
    while i < len(cursor):
        position = cursor[i]
        if not isinstance(position, int) or position >= len(steps):
            return None
        step = steps[position]
        nxt = cursor[i + 1] if i + 1 < len(cursor) else None
        if isinstance(step, IfStep) and nxt in ("then", "else"):
            steps = step.then if nxt == "then" else step.otherwise
            i += 2
        elif isinstance(step, RunStep) and nxt == "run":
            sub = ruleset.action_paths.get(step.path)
            if sub is None:
                return None
            steps = sub.steps
            i += 2
        else:
            break
    return step if isinstance(step, WaitStep) else None


__all__ = ["Cursor", "Paused", "Runner", "find_wait"]
