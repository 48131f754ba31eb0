"""The daily cycle and the frequent job: due waits, daily hooks, dates entered today."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from engine.domain import models as m
from engine.runtime.engine import Engine
from engine.scheduler import jobs
from engine.scheduler.jobs import resume_due, run_day, run_due
from tests.scheduler.conftest import MakeEngine, open_case, place, set_day


def runs(engine: Engine, path: str) -> list[m.Run]:
    return engine.read(
        lambda s: list(s.scalars(select(m.Run).where(m.Run.path_id == path).order_by(m.Run.id)))
    )


def served(engine: Engine, case: str = "C1") -> None:
    assert engine.submit("onCaseServed", case=case).status == "pending"
    engine.process()


def test_a_wait_resumes_on_its_due_day_and_not_before(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 22))
    place(engine)
    open_case(engine)
    served(engine)  # answer-period waits 3 business days: Tue 26, Wed 27, Thu 28 May
    [run] = runs(engine, "answer-period")
    assert (run.status, run.wait_until) == ("waiting", date(2026, 5, 28))
    set_day(engine, date(2026, 5, 27))
    assert run_day(engine).waits.resumed == []
    set_day(engine, date(2026, 5, 28))
    report = run_day(engine)
    assert report.waits.resumed == [run.id]
    [run] = runs(engine, "answer-period")
    assert run.status == "completed"
    assert engine.read(lambda s: s.get(m.Account, "A1")).status == "LEGAL"


def test_a_wait_missed_while_down_resumes_at_the_next_cycle(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 22))
    place(engine)
    open_case(engine)
    served(engine)
    set_day(engine, date(2026, 6, 3))
    report = run_day(engine)
    assert len(report.waits.resumed) == 1
    steps = runs(engine, "answer-period")[0].steps
    assert {"step": "resume", "reason": "wait over (due 2026-05-28)", "on": "2026-06-03"} in steps


def test_a_resumed_run_that_fails_is_recorded_as_failed(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 22))
    place(engine)
    open_case(engine)
    served(engine)
    with engine.unit() as unit:  # the path it waits in no longer exists
        run = unit.session.scalars(select(m.Run).where(m.Run.status == "waiting")).one()
        run.path_id = "gone"
    report = resume_due(engine, date(2026, 5, 28))
    assert report.resumed == [] and len(report.failed) == 1
    [failed] = runs(engine, "gone")
    assert failed.status == "failed" and failed.wait_until is None
    assert "gone" in (failed.error or "")


def test_daily_hooks_run_after_the_waits_and_before_the_inbox(
    make_engine: MakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(date(2026, 5, 22))
    place(engine)
    open_case(engine)
    served(engine)
    seen: list[Any] = []

    def hook(eng: Engine, day: date) -> str:
        waiting = eng.read(
            lambda s: len(list(s.scalars(select(m.Run).where(m.Run.status == "waiting"))))
        )
        seen.append((day, waiting))
        return "checked"

    monkeypatch.setitem(jobs.DAILY_HOOKS, "offer-term-ends", hook)
    set_day(engine, date(2026, 5, 28))
    report = run_day(engine)
    assert seen == [(date(2026, 5, 28), 0)]
    assert report.as_json()["hooks"]["offer-term-ends"] == "checked"


def test_run_due_sweeps_today_only_once_the_daily_cycle_has(make_engine: MakeEngine) -> None:
    engine = make_engine(date(2026, 5, 4))
    place(engine)
    open_case(engine, served_date="2026-04-29")  # service-check due today, 4 May
    swept, _, _ = run_due(engine)
    assert swept is None  # before the morning cycle the frequent job leaves the sweep alone
    run_day(engine)
    place(engine, "A2", "P2")
    open_case(engine, "C2", "A2", "P2", served_date="2026-04-29")  # entered after the sweep
    swept, _, _processed = run_due(engine)
    assert swept is not None and swept.fired == 1 and swept.late == 0
    tasks = engine.read(lambda s: sorted(t.case_id for t in s.scalars(select(m.Task))))
    assert tasks == ["C1", "C2"]
