"""Dates entered after their trigger's due day follow ``catch_up``, as after downtime."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update

from engine.domain import models as m
from engine.scheduler.jobs import run_day, run_due
from engine.scheduler.sweep import ENTERED_LATE, NOT_SWEPT, sweep
from tests.scheduler.conftest import MakeEngine, open_case, place, set_day
from tests.scheduler.test_sweep import date_events, fired_dates, run_days


def test_a_late_court_date_fires_once_late_within_minutes(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 18))
    place(engine)
    run_days(engine, date(2026, 5, 18), date(2026, 5, 22))
    # Court on Tue 26 May: -3 business days (Memorial Day) was due Wed 20 May.
    open_case(engine, court_date="2026-05-26")
    swept, _, _ = run_due(engine)
    assert swept is not None and (swept.fired, swept.late, swept.entered_late) == (1, 1, 1)
    [row] = fired_dates(engine, "hearing-reminder")
    assert (row.due_on, row.fired_on, row.late, row.outcome) == (
        date(2026, 5, 20),
        date(2026, 5, 22),
        True,
        "queued",
    )
    assert row.reason == ENTERED_LATE
    [event] = date_events(engine, "hearing-reminder")
    assert event.late is True and event.status == "processed"
    assert event.data["late_reason"] == ENTERED_LATE


def test_a_late_mediation_date_is_recorded_skipped(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 4))
    place(engine)
    run_days(engine, date(2026, 5, 4), date(2026, 5, 13))
    open_case(engine, mediation_date="2026-05-12")  # -1 business day: due Mon 11 May
    run_due(engine)
    [row] = fired_dates(engine, "mediation-notice")
    assert (row.outcome, row.event_id, row.late, row.fired_on) == (
        "skipped",
        None,
        True,
        date(2026, 5, 13),
    )
    assert row.reason == f"{ENTERED_LATE}; catch_up: skip"
    assert date_events(engine, "mediation-notice") == []


def test_catch_up_all_fires_late_entries_within_its_window_only(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 1))
    for n in (1, 2):
        place(engine, f"A{n}", f"P{n}")
    run_days(engine, date(2026, 5, 1), date(2026, 5, 15))
    open_case(engine, "C1", "A1", "P1", file_date="2026-05-12")  # within 5 days of the 15th
    open_case(engine, "C2", "A2", "P2", file_date="2026-05-04")  # older than 5 days
    run_due(engine)
    rows = {r.subject_id: (r.outcome, r.reason) for r in fired_dates(engine, "filing-fee")}
    assert rows == {
        "C1": ("queued", ENTERED_LATE),
        "C2": (
            "skipped",
            f"{ENTERED_LATE}; more than 5 days late (catch_up: all, catch_up_window: 5 days)",
        ),
    }


def test_a_date_keyed_weeks_late_fires_within_minutes(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 4, 1))
    place(engine)
    run_days(engine, date(2026, 4, 1), date(2026, 5, 6))
    open_case(engine, served_date="2026-04-10")  # service-check was due on 15 April
    swept, _, _ = run_due(engine)
    assert swept is not None and (swept.fired, swept.entered_late) == (1, 1)
    [row] = fired_dates(engine, "service-check")
    assert (row.due_on, row.fired_on, row.reason) == (
        date(2026, 4, 15),
        date(2026, 5, 6),
        ENTERED_LATE,
    )
    # The noted change is consumed: the next cycle looks at nothing more.
    assert engine.read(lambda s: s.scalar(select(func.count()).select_from(m.DateChange))) == 0


def test_only_subjects_whose_dates_were_written_are_looked_at(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 4))
    place(engine)
    place(engine, "A2", "P2")
    run_days(engine, date(2026, 5, 4), date(2026, 5, 8))
    open_case(engine, "C1")
    open_case(engine, "C2", "A2", "P2")
    run_due(engine)
    with engine.db.begin() as conn:  # a bulk load bypasses the ORM: history, not replayed
        conn.execute(update(m.Case).where(m.Case.id == "C1").values(served_date=date(2026, 5, 1)))
    engine.operate("set_case_dates", {"case": "C2", "served_date": "2026-05-01"})
    run_due(engine)
    assert [r.subject_id for r in fired_dates(engine, "service-check")] == ["C2"]


def test_dates_due_before_the_first_sweep_stay_history(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 11))
    place(engine)
    run_days(engine, date(2026, 5, 11), date(2026, 5, 14))
    open_case(engine, served_date="2026-05-01")  # due 6 May: before the engine first swept
    run_days(engine, date(2026, 5, 15), date(2026, 5, 16))
    assert fired_dates(engine, "service-check") == []


def test_a_changed_offset_rearms_the_trigger_without_replaying(
    make_engine: MakeEngine, timing_ruleset: object
) -> None:
    from dataclasses import replace

    from engine.config.durations import Duration

    engine = make_engine(date(2026, 5, 4))
    place(engine)
    run_days(engine, date(2026, 5, 4), date(2026, 5, 10))
    ruleset = engine.ruleset
    moved = tuple(
        replace(t, offset=Duration(3, "days")) if t.id == "service-check" else t
        for t in ruleset.triggers
    )
    engine = make_engine(date(2026, 5, 11), replace(ruleset, triggers=moved))
    # With +3 days a served date of 1 May was due on 4 May: swept under the old offset only.
    open_case(engine, served_date="2026-05-01")
    set_day(engine, date(2026, 5, 11))
    run_day(engine, date(2026, 5, 11))
    assert fired_dates(engine, "service-check") == []


def test_downtime_and_late_entry_are_told_apart(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 4))
    place(engine)
    place(engine, "A2", "P2")
    run_days(engine, date(2026, 5, 4), date(2026, 5, 6))
    open_case(engine, "C1", court_date="2026-05-13")  # due Fri 8 May, during the outage
    set_day(engine, date(2026, 5, 11))
    open_case(engine, "C2", "A2", "P2", served_date="2026-04-30")  # due 5 May, swept
    report = sweep(engine, date(2026, 5, 11))
    assert (report.fired, report.late, report.entered_late) == (2, 2, 1)
    reasons = {r.trigger_id: r.reason for r in fired_dates(engine, "hearing-reminder")}
    reasons |= {r.trigger_id: r.reason for r in fired_dates(engine, "service-check")}
    assert reasons == {"hearing-reminder": NOT_SWEPT, "service-check": ENTERED_LATE}
