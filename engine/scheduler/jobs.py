"""The scheduler's fixed jobs. The same functions run in production and in scenarios.

``run_day`` is the daily cycle: date sweep (with catch-up) → resume the waits that are due →
the daily hooks (offer-term ends…, filled by their issues) → drain the inbox. ``run_due`` is
the frequent job between two cycles: dates entered today since the sweep (due today, or
entered after a due day already swept: late, as ``catch_up`` says), due waits, inbox.
Neither holds a job per case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.domain import DomainError, Unit
from engine.domain import models as m
from engine.runtime import ProcessStats, RunFailed, until_holds
from engine.scheduler import settlements, versions
from engine.scheduler.sweep import SweepReport, last_swept, sweep

if TYPE_CHECKING:
    from engine.runtime import Engine

DailyHook = Callable[["Engine", date], Any]

# Daily work beyond date triggers (offer-term ends, installment checks…), by name, in order.
# Follow-up due dates need no hook: they are the date trigger ``onFollowUpDue``.
DAILY_HOOKS: dict[str, DailyHook] = {
    "installments": settlements.missed_installments,
    "offer_terms": settlements.offer_term_ends,
}


def daily_hook(name: str) -> Callable[[DailyHook], DailyHook]:
    """Register a function ``(engine, day)`` the daily cycle calls after resuming waits."""

    def add(fn: DailyHook) -> DailyHook:
        DAILY_HOOKS[name] = fn
        return fn

    return add


@dataclass(slots=True)
class ResumeReport:
    resumed: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"resumed": self.resumed, "failed": [list(f) for f in self.failed]}


@dataclass(slots=True)
class DayReport:
    """What one daily cycle did."""

    day: date
    sweep: SweepReport
    waits: ResumeReport
    hooks: dict[str, Any]
    processed: ProcessStats

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "sweep": self.sweep.as_json(),
            "waits": self.waits.as_json(),
            "hooks": {name: _plain(value) for name, value in self.hooks.items()},
            "processed": self.processed.as_json(),
        }


def run_day(engine: Engine, day: date | None = None, *, drain: bool = True) -> DayReport:
    """The daily cycle for ``day`` (default: the clock's today; the clock should agree).

    Without ``drain`` (the distributed mode) the waits and the inbox are left to the workers'
    per-subject jobs: the cycle sweeps and runs the daily hooks only.
    """
    assert engine.clock is not None
    when = day or engine.clock.today()
    versions.install(engine)
    swept = sweep(engine, when)
    waits = resume_due(engine, when) if drain else ResumeReport()
    hooks = {name: hook(engine, when) for name, hook in DAILY_HOOKS.items()}
    processed = engine.process() if drain else ProcessStats()
    return DayReport(when, swept, waits, hooks, processed)


def run_due(engine: Engine) -> tuple[SweepReport | None, ResumeReport, ProcessStats]:
    """The frequent job: dates entered since the daily sweep, due waits, the inbox.

    Today is swept again only once the daily cycle has swept it, so the morning sweep keeps
    its hour; the ledger makes the repeat cheap and fires nothing twice. The repeat also
    finds dates entered since the last sweep after their due day, which fire late or are
    skipped as their ``catch_up`` says.
    """
    assert engine.clock is not None
    today = engine.clock.today()
    with engine.sessions() as session:
        swept_today = last_swept(session) == today
    swept = sweep(engine, today) if swept_today else None
    waits = resume_due(engine, today)
    return swept, waits, engine.process()


def resume_due(engine: Engine, day: date, batch: int = 200) -> ResumeReport:
    """Resume every run waiting until ``day`` or earlier, each in its own savepoint."""
    assert engine.clock is not None
    report = ResumeReport()
    while True:
        with engine.sessions() as session, session.begin():
            session.info["today"] = day
            due = list(session.scalars(due_waits(day).limit(batch)))
            if not due:
                return report
            for run in due:
                resume_run(engine, session, run, day, report)


def due_waits(day: date) -> Select[m.Run]:
    """The runs waiting until ``day`` or earlier, oldest first."""
    return (
        select(m.Run)
        .where(m.Run.status == "waiting", m.Run.wait_until <= day)
        .order_by(m.Run.wait_until, m.Run.id)
    )


def resume_run(
    engine: Engine, session: Session, run: m.Run, day: date, report: ResumeReport
) -> None:
    """Resume one waiting run in a savepoint; a failure is recorded on the run."""
    assert engine.clock is not None
    unit = Unit(
        session, engine.ruleset, day, engine.clock.now(), cause=run.event_id, source="scheduler"
    )
    owner = engine.dispatcher.for_version(run.ruleset_hash)
    try:
        if owner is None:
            raise DomainError(
                f"the RuleSet version {run.ruleset_hash[:12]} it started on is not archived"
            )
        with session.begin_nested():
            owner.resume(unit.derive(ruleset=owner.ruleset), run, _why(owner, unit, run))
        report.resumed.append(run.id)
    except (RunFailed, DomainError) as exc:
        where = exc.where if isinstance(exc, RunFailed) else run.path_id
        with session.begin_nested():
            run.status, run.error, run.error_step = "failed", str(exc), where
            run.finished_at, run.wait_until = unit.now, None
        report.failed.append((run.id, str(exc)))


def _why(owner: Any, unit: Unit, run: m.Run) -> str:
    """The resume reason for the trace: the wait ran out, or its ``until`` is true by now."""
    if until_holds(unit, owner.ruleset, run):
        return "until true"
    return f"wait over (due {run.wait_until.isoformat() if run.wait_until else unit.today})"


def _plain(value: Any) -> Any:
    if hasattr(value, "as_json"):
        return value.as_json()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)
