"""Date sweeps: offsets, exactly-once, re-arm and disarm, catch-up policies, date sources."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from engine.config import load_ruleset
from engine.domain import models as m
from engine.runtime.engine import Engine
from engine.scheduler.jobs import run_day
from engine.scheduler.sweep import LAST_SWEPT, _insert_ignoring_duplicates, sweep
from tests.scheduler.conftest import MakeEngine, open_case, place, set_day

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def fired_dates(engine: Engine, trigger: str) -> list[m.FiredDate]:
    return engine.read(
        lambda s: list(
            s.scalars(
                select(m.FiredDate)
                .where(m.FiredDate.trigger_id == trigger)
                .order_by(m.FiredDate.subject_id, m.FiredDate.date_value)
            )
        )
    )


def date_events(engine: Engine, trigger: str) -> list[m.InboxEvent]:
    return engine.read(
        lambda s: list(
            s.scalars(
                select(m.InboxEvent)
                .where(m.InboxEvent.trigger_id == trigger)
                .order_by(m.InboxEvent.seq)
            )
        )
    )


def run_days(engine: Engine, first: date, last: date) -> None:
    day = first
    while day <= last:
        set_day(engine, day)
        run_day(engine, day)
        day += timedelta(days=1)


def mark_swept(engine: Engine, day: date) -> None:
    with engine.unit() as unit:
        unit.session.merge(m.SchedulerState(key=LAST_SWEPT, value=day.isoformat()))


def test_offset_before_in_business_days_fires_once_on_its_day(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 4))
    place(engine)
    open_case(engine, court_date="2026-05-27")  # Wed; -3 business days skips Memorial Day
    run_days(engine, date(2026, 5, 4), date(2026, 5, 29))
    [row] = fired_dates(engine, "hearing-reminder")
    assert (row.date_value, row.due_on, row.fired_on) == (
        date(2026, 5, 27),
        date(2026, 5, 21),
        date(2026, 5, 21),
    )
    assert (row.late, row.outcome, row.subject_kind, row.subject_id) == (
        False,
        "queued",
        "case",
        "C1",
    )
    [event] = date_events(engine, "hearing-reminder")
    assert (event.name, event.status, event.business_date) == (
        "onCaseCourtDate",
        "processed",
        date(2026, 5, 21),
    )
    assert event.data["due_on"] == "2026-05-21" and event.id == row.event_id
    [debrief] = fired_dates(engine, "hearing-debrief")  # +2 calendar days after the date
    assert (debrief.due_on, debrief.fired_on, debrief.late) == (
        date(2026, 5, 29),
        date(2026, 5, 29),
        False,
    )


def test_sweeping_a_day_again_queues_nothing_twice(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 21))
    place(engine)
    open_case(engine, court_date="2026-05-27")
    first = sweep(engine, date(2026, 5, 21))
    again = sweep(engine, date(2026, 5, 21))
    run_day(engine, date(2026, 5, 21))
    assert (first.fired, again.fired) == (1, 0)
    assert len(date_events(engine, "hearing-reminder")) == 1
    letters = engine.read(
        lambda s: s.scalar(
            select(func.count())
            .select_from(m.OutboxMessage)
            .where(m.OutboxMessage.template == "hearing")
        )
    )
    assert letters == 1


def test_concurrent_ledger_inserts_are_ignored_not_doubled(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 21))
    row = {
        "trigger_id": "t",
        "subject_kind": "case",
        "subject_id": "C1",
        "date_value": date(2026, 5, 27),
        "due_on": date(2026, 5, 21),
        "fired_on": date(2026, 5, 21),
        "late": False,
        "outcome": "queued",
        "event_id": "x",
    }
    for _ in range(2):  # what a second, racing sweep would insert
        with engine.unit() as unit:
            _insert_ignoring_duplicates(unit.session, m.FiredDate, [row])
    assert len(fired_dates(engine, "t")) == 1


def test_a_changed_date_rearms_and_a_cleared_date_disarms(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 6, 1))
    place(engine)
    place(engine, "A2", "P2")
    open_case(engine, "C1", court_date="2026-06-10")
    open_case(engine, "C2", "A2", "P2", court_date="2026-06-10")
    run_days(engine, date(2026, 6, 1), date(2026, 6, 2))
    engine.operate("set_case_dates", {"case": "C1", "court_date": "2026-06-17"})
    engine.operate("set_case_dates", {"case": "C2", "court_date": None})
    run_days(engine, date(2026, 6, 3), date(2026, 6, 18))
    rows = fired_dates(engine, "hearing-reminder")
    assert [(r.subject_id, r.date_value, r.fired_on) for r in rows] == [
        ("C1", date(2026, 6, 17), date(2026, 6, 12))
    ]
    # Changing the date again after it fired re-arms it for the new value.
    engine.operate("set_case_dates", {"case": "C1", "court_date": "2026-06-26"})
    run_days(engine, date(2026, 6, 19), date(2026, 6, 23))
    assert [r.date_value for r in fired_dates(engine, "hearing-reminder")] == [
        date(2026, 6, 17),
        date(2026, 6, 26),
    ]


def test_the_first_sweep_does_not_replay_history(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 20))
    place(engine)
    open_case(engine, court_date="2026-05-01")  # long past when the engine first runs
    report = sweep(engine, date(2026, 5, 20))
    assert report.covered_from == date(2026, 5, 20)
    assert fired_dates(engine, "hearing-reminder") == []


def test_catch_up_once_fires_late_skip_records_all_keeps_its_window(
    make_engine: MakeEngine,
) -> None:
    engine = make_engine(date(2026, 5, 4))
    for n in range(1, 5):
        place(engine, f"A{n}", f"P{n}")
    open_case(engine, "C1", "A1", "P1", court_date="2026-05-13")  # reminder due Fri 8 May
    open_case(engine, "C2", "A2", "P2", mediation_date="2026-05-12")  # due Mon 11 May (skip)
    open_case(engine, "C3", "A3", "P3", file_date="2026-05-13")  # within 5 days of the 15th
    open_case(engine, "C4", "A4", "P4", file_date="2026-05-06")  # older than 5 days
    mark_swept(engine, date(2026, 5, 5))  # the engine was down from the 6th to the 14th
    set_day(engine, date(2026, 5, 15))
    report = sweep(engine, date(2026, 5, 15))
    assert report.covered_from == date(2026, 5, 5)
    [once] = fired_dates(engine, "hearing-reminder")
    assert (once.late, once.outcome, once.due_on, once.fired_on) == (
        True,
        "queued",
        date(2026, 5, 8),
        date(2026, 5, 15),
    )
    [skipped] = fired_dates(engine, "mediation-notice")
    assert (skipped.outcome, skipped.event_id, skipped.late) == ("skipped", None, True)
    assert date_events(engine, "mediation-notice") == []
    filing = {r.subject_id: r.outcome for r in fired_dates(engine, "filing-fee")}
    assert filing == {"C3": "queued", "C4": "skipped"}
    [event] = date_events(engine, "hearing-reminder")
    assert event.late is True and event.data["late"] is True
    engine.process()
    late_letters = engine.read(
        lambda s: [
            o.late
            for o in s.scalars(select(m.OutboxMessage).where(m.OutboxMessage.template == "hearing"))
        ]
    )
    assert late_letters == [True]


def test_a_long_outage_is_swept_with_a_date_range(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 1, 5))
    place(engine)
    open_case(engine, served_date="2026-03-02")
    mark_swept(engine, date(2024, 1, 2))  # more base dates than an IN list holds
    report = sweep(engine, date(2026, 6, 1))
    assert [r.due_on for r in fired_dates(engine, "service-check")] == [date(2026, 3, 7)]
    assert report.late == 1


def test_custom_date_fields_are_swept(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 1))
    place(engine, "A1", "P1", next_work_date=date(2026, 5, 6))
    place(engine, "A2", "P2", fields={"promise_date": "2026-05-08"})
    run_days(engine, date(2026, 5, 1), date(2026, 5, 10))
    assert [(r.subject_id, r.fired_on) for r in fired_dates(engine, "next-work-due")] == [
        ("A1", date(2026, 5, 6))
    ]
    assert [
        (r.subject_id, r.date_value, r.fired_on) for r in fired_dates(engine, "promise-due")
    ] == [("A2", date(2026, 5, 8), date(2026, 5, 9))]


def test_follow_ups_come_due_only_while_open(make_engine: MakeEngine) -> None:
    sample = load_ruleset(REPO)
    engine = make_engine(date(2026, 5, 4), sample)
    place(engine)
    with engine.unit() as unit:
        for ident, status in (("F1", "open"), ("F2", "resolved")):
            unit.session.add(
                m.FollowUp(
                    id=ident,
                    account_id="A1",
                    kind="dispute",
                    due_date=date(2026, 5, 4),
                    status=status,
                    opened_date=date(2026, 5, 1),
                    created_at=unit.now,
                )
            )
    sweep(engine, date(2026, 5, 4))
    rows = fired_dates(engine, "follow-up-due")
    assert [(r.subject_kind, r.subject_id) for r in rows] == [("follow_up", "F1")]
    [event] = date_events(engine, "follow-up-due")
    assert event.name == "onFollowUpDue"
