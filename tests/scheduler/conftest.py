"""Fixtures for the scheduler tests: the timing configuration and engines on a simulated clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from engine.config import load_ruleset
from engine.config.model import RuleSet
from engine.domain import models as m
from engine.domain.clock import SimulatedClock
from engine.domain.operations import accounts
from engine.runtime.engine import Engine

TIMING = Path(__file__).resolve().parents[1] / "scenarios" / "configs" / "timing"

MakeEngine = Callable[..., Engine]


@pytest.fixture(scope="session")
def timing_ruleset() -> RuleSet:
    return load_ruleset(TIMING)


@pytest.fixture
def make_engine(db_url: str, timing_ruleset: RuleSet) -> Iterator[MakeEngine]:
    """Engines on the test database with a simulated clock (closed after the test)."""
    made: list[Engine] = []

    def make(start: date, ruleset: RuleSet | None = None) -> Engine:
        ruleset = ruleset or timing_ruleset
        engine = Engine(ruleset, db_url, clock=SimulatedClock(start, ruleset.agency.timezone))
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


def set_day(engine: Engine, day: date) -> None:
    clock = engine.clock
    assert isinstance(clock, SimulatedClock)
    clock.set(day)


def place(engine: Engine, account: str = "A1", party: str = "P1", **spec: object) -> None:
    """A party and an account placed for ACME, its placement events processed."""
    with engine.unit("test") as unit:
        accounts.upsert_party(unit, {"id": party, "name": f"Party {party}"})
        accounts.place_account(
            unit, id=account, client="ACME", parties=[party], status="ACTIVE", **spec
        )
    engine.process()


def open_case(
    engine: Engine, case: str = "C1", account: str = "A1", party: str = "P1", **dates: object
) -> None:
    """Open a case (dated long ago, so any test date may follow) and enter its dates."""
    engine.operate("open_case", {"case": case, "accounts": [account], "defendants": [party]})
    with engine.unit("test") as unit:
        row = unit.session.get(m.Case, case)
        assert row is not None
        row.opened_date = date(2020, 1, 2)
    if dates:
        engine.operate("set_case_dates", {"case": case, **dates})
    engine.process()
