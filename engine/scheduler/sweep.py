"""Set-based date sweeps: one indexed query per date trigger per sweep, never a job per case.

For sweep day D the scheduler covers every due day from the last day it swept (inclusive, so
a date entered after that morning's sweep is still caught) up to D. For each enabled date
trigger it asks the database, in one query, for the subjects whose ``field + offset`` lands
in that range — the base dates come from ``calendar.unshift`` — and that have no row yet in
the ``fired_dates`` ledger for (trigger, subject, date value). Each becomes a ledger row and,
unless the trigger's ``catch_up`` policy skips it, one inbox event for that trigger alone.

Exactly once: the ledger's primary key is (trigger, subject kind, subject id, date value) and
the event id is derived from the same key, both inserted with ON CONFLICT DO NOTHING, so two
sweeps racing (or a sweep re-run after a crash) cannot queue a firing twice. A changed date
is a new key (the trigger re-arms); a cleared date matches nothing (it disarms).

Late entries: a date entered (or changed) after its due day was swept has no ledger row,
though its due day lies between the trigger's arming day (``arming``) and the covered days.
The domain notes every subject whose dates are written (``date_changes``); each sweep looks
at those subjects only, for due days already swept, and treats what it finds exactly like a
firing missed while the engine was down: ``catch_up: once`` fires it late, ``skip`` records
it skipped, ``all`` fires it within its window. So the frequent job fires a date keyed late
within minutes, however late, at the cost of the dates written since the last sweep. The
ledger row and the event say why a firing was late or skipped (``reason``; the event's
``late_reason``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, cast, exists, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.config.calendar import BusinessCalendar
from engine.config.durations import Duration
from engine.config.model import RuleSet, Trigger
from engine.domain import models as m
from engine.scheduler import arming, changes
from engine.scheduler.sources import DateSource, source_for

if TYPE_CHECKING:
    from engine.runtime import Engine

LAST_SWEPT = "sweep.last_day"
CHUNK = 2000  # rows per page: bounds a sweep's memory whatever the number of cases
IN_LIMIT = 500  # base dates per IN list; longer catch-ups use a range instead
# Why a firing is late (the ledger's and the event's reason).
NOT_SWEPT = "not swept on its due day (the engine was down)"
ENTERED_LATE = "entered after its due day"


@dataclass(slots=True)
class TriggerSweep:
    """What one trigger's sweep did."""

    trigger: str
    fired: int = 0
    late: int = 0
    skipped: int = 0
    entered_late: int = 0  # of fired and skipped: dates entered after their due day

    def as_json(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "fired": self.fired,
            "late": self.late,
            "skipped": self.skipped,
            "entered_late": self.entered_late,
        }


@dataclass(slots=True)
class SweepReport:
    """A sweep of one day: the due days it covered and the firings per trigger."""

    day: date
    covered_from: date
    triggers: list[TriggerSweep] = field(default_factory=list)

    @property
    def fired(self) -> int:
        return sum(t.fired for t in self.triggers)

    @property
    def late(self) -> int:
        return sum(t.late for t in self.triggers)

    @property
    def skipped(self) -> int:
        return sum(t.skipped for t in self.triggers)

    @property
    def entered_late(self) -> int:
        return sum(t.entered_late for t in self.triggers)

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "covered_from": self.covered_from.isoformat(),
            "fired": self.fired,
            "late": self.late,
            "skipped": self.skipped,
            "entered_late": self.entered_late,
            "triggers": [t.as_json() for t in self.triggers if t.fired or t.skipped],
        }


@dataclass(frozen=True, slots=True)
class _Pass:
    """One sweep: the day, the last day swept before it, and the clock."""

    ruleset: RuleSet
    day: date
    last: date | None
    now: datetime
    chunk: int


def sweep(engine: Engine, day: date | None = None, *, chunk: int = CHUNK) -> SweepReport:
    """Sweep ``day`` (default: the clock's today) in one transaction, catching up missed days."""
    assert engine.clock is not None
    when = day or engine.clock.today()
    with engine.sessions() as session, session.begin():
        return sweep_session(session, engine.ruleset, when, engine.clock.now(), chunk=chunk)


def sweep_session(
    session: Session, ruleset: RuleSet, day: date, now: datetime, *, chunk: int = CHUNK
) -> SweepReport:
    """The sweep inside the caller's transaction (see the module docstring)."""
    last = last_swept(session)
    start = last if last is not None and last < day else day
    report = SweepReport(day, start)
    targets = [start + timedelta(days=n) for n in range((day - start).days + 1)]
    armed = arming.load(session)
    # Sweeping a day before the last one swept covers that day only, and leaves the changes.
    noted = changes.read(session) if last is None or day >= last else changes.Changes()
    run = _Pass(ruleset, day, last, now, chunk)
    for trigger in ruleset.date_triggers:
        since = armed.since(trigger, start)
        late = (since, start - timedelta(days=1)) if last is not None and since < start else None
        subjects = noted.subjects.get(source_for(trigger).kind, []) if late else []
        report.triggers.append(_sweep_trigger(session, run, trigger, targets, late, subjects))
    armed.save(session, ruleset)
    noted.forget(session)
    if last is None or day > last:
        session.merge(m.SchedulerState(key=LAST_SWEPT, value=day.isoformat()))
    return report


def last_swept(session: Session) -> date | None:
    """The last day a sweep covered, or None before the first sweep."""
    row = session.get(m.SchedulerState, LAST_SWEPT)
    return date.fromisoformat(row.value) if row is not None else None


def decide(trigger: Trigger, ruleset: RuleSet, due_on: date, day: date) -> str | None:
    """Which ``catch_up`` rule skips a firing due on ``due_on`` when swept on ``day``
    (None: it fires)."""
    if due_on >= day:
        return None
    if trigger.catch_up == "skip":
        return "catch_up: skip"
    if trigger.catch_up == "all" and trigger.catch_up_window is not None:
        window = trigger.catch_up_window
        oldest = ruleset.agency.calendar.shift(day, Duration(-abs(window.amount), window.unit))
        if due_on < oldest:
            span = f"{abs(window.amount)} {window.unit.replace('_', ' ')}"
            return f"more than {span} late (catch_up: all, catch_up_window: {span})"
    return None


def event_id(trigger_id: str, kind: str, subject_id: str, value: date) -> str:
    """The inbox id of a date firing, derived from its ledger key (so it is queued once)."""
    key = f"date:{trigger_id}:{kind}:{subject_id}:{value.isoformat()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _sweep_trigger(
    session: Session,
    run: _Pass,
    trigger: Trigger,
    targets: list[date],
    late: tuple[date, date] | None,
    changed: list[str],
) -> TriggerSweep:
    calendar = run.ruleset.agency.calendar
    result = TriggerSweep(trigger.id)
    source = source_for(trigger)
    bases = sorted(
        {base for target in targets for base in calendar.unshift(target, trigger.offset)}
    )
    matching: ColumnElement[bool]
    if bases:
        if len(bases) <= IN_LIMIT:
            matching = source.column.in_([source.bind(b) for b in bases])
        else:  # shift is monotonic, so the bases of a day range are one contiguous range
            matching = source.column.between(source.bind(bases[0]), source.bind(bases[-1]))
        pages = _candidates(session, source, trigger, matching, run.chunk)
        _queue(session, run, trigger, source, pages, result, None)
    if late is not None and changed:
        low, high = _base_range(calendar, trigger.offset, *late)
        swept = source.column.between(source.bind(low), source.bind(high))
        for n in range(0, len(changed), IN_LIMIT):
            matching = and_(source.key.in_(changed[n : n + IN_LIMIT]), swept)
            pages = _candidates(session, source, trigger, matching, run.chunk)
            _queue(session, run, trigger, source, pages, result, late)
    return result


def _base_range(
    calendar: BusinessCalendar, offset: Duration | None, first: date, last: date
) -> tuple[date, date]:
    """Base dates whose due day may fall in ``first..last`` (a little wider: weekends and
    holidays map several base dates onto one business day; ``_queue`` keeps the exact ones)."""
    if offset is None or offset.unit == "days":
        amount = offset.amount if offset is not None else 0
        return first - timedelta(days=amount), last - timedelta(days=amount)
    slack = timedelta(days=10)
    low = calendar.add_business_days(first, -offset.amount) - slack
    high = calendar.add_business_days(last, -offset.amount) + slack
    return low, high


def _queue(
    session: Session,
    run: _Pass,
    trigger: Trigger,
    source: DateSource,
    pages: Iterator[list[tuple[str, Any]]],
    result: TriggerSweep,
    entered: tuple[date, date] | None,
) -> None:
    """Ledger rows and events for candidate subjects; ``entered``: the swept due days where a
    changed subject's date was entered late (candidates due on other days are left alone)."""
    calendar = run.ruleset.agency.calendar
    due_of: dict[date, date] = {}
    for rows in pages:
        ledger: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for subject_id, raw in rows:
            value = source.read(raw)
            due_on = due_of.get(value)
            if due_on is None:
                due_on = due_of[value] = calendar.shift(value, trigger.offset)
            if entered is not None and not entered[0] <= due_on <= entered[1]:
                continue
            late = due_on < run.day
            keyed_late = entered is not None or (run.last is not None and due_on <= run.last)
            why = (ENTERED_LATE if keyed_late else NOT_SWEPT) if late else None
            skipped = decide(trigger, run.ruleset, due_on, run.day)
            ident = None if skipped else event_id(trigger.id, source.kind, subject_id, value)
            ledger.append(
                {
                    "trigger_id": trigger.id,
                    "subject_kind": source.kind,
                    "subject_id": subject_id,
                    "date_value": value,
                    "due_on": due_on,
                    "fired_on": run.day,
                    "late": late,
                    "outcome": "skipped" if skipped else "queued",
                    "event_id": ident,
                    "reason": f"{why}; {skipped}" if skipped else why,
                }
            )
            result.entered_late += int(late and keyed_late)
            if skipped:
                result.skipped += 1
                continue
            result.fired += 1
            result.late += int(late)
            events.append(_event_row(trigger, source, subject_id, value, due_on, run, why, ident))
        _insert_ignoring_duplicates(session, m.FiredDate, ledger)
        _insert_ignoring_duplicates(session, m.InboxEvent, events)


def _candidates(
    session: Session,
    source: DateSource,
    trigger: Trigger,
    matching: ColumnElement[bool],
    chunk: int,
) -> Iterator[list[tuple[str, Any]]]:
    """Matching subjects without a ledger row, in pages (memory stays flat)."""
    column, key = source.column, source.key
    ledger = m.FiredDate
    stored = cast(ledger.date_value, String) if source.custom else ledger.date_value
    already = exists().where(
        ledger.trigger_id == trigger.id,
        ledger.subject_kind == source.kind,
        ledger.subject_id == key,
        stored == column,
    )
    query = select(key, column).where(matching, ~already)
    if source.only_open:
        query = query.where(m.FollowUp.status == "open")
    after: tuple[Any, Any] | None = None
    while True:
        page = query
        if after is not None:
            page = page.where(or_(column > after[0], and_(column == after[0], key > after[1])))
        rows = [(str(r[0]), r[1]) for r in session.execute(page.order_by(column, key).limit(chunk))]
        if not rows:
            return
        yield rows
        if len(rows) < chunk:
            return
        after = (rows[-1][1], rows[-1][0])


def _event_row(
    trigger: Trigger,
    source: DateSource,
    subject_id: str,
    value: date,
    due_on: date,
    run: _Pass,
    why: str | None,
    ident: str | None,
) -> dict[str, Any]:
    late = why is not None
    data: dict[str, Any] = {
        "field": trigger.date_field,
        "date_value": value.isoformat(),
        "due_on": due_on.isoformat(),
        "late": late,
    }
    if why is not None:
        data["late_reason"] = why
    return {
        "id": ident,
        "name": trigger.on,
        "subject_kind": source.kind,
        "subject_id": subject_id,
        "subject_key": f"{source.kind}:{subject_id}",
        "data": data,
        "status": "pending",
        "depth": 0,
        "source": "scheduler",
        "trigger_id": trigger.id,
        "late": late,
        "business_date": run.day,
        "received_at": run.now,
    }


def _insert_ignoring_duplicates(
    session: Session, model: type[Any], rows: Iterable[dict[str, Any]]
) -> None:
    """Core executemany (no ORM objects: cheaper per row, and memory stays per page)."""
    rows = list(rows)
    if not rows:
        return
    table = model.__table__
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).on_conflict_do_nothing()
    else:  # other databases: the NOT EXISTS filter of the same transaction guards duplicates
        statement = insert(table)
    session.connection().execute(statement, rows)
