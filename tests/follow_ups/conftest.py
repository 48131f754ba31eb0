"""Fixtures for the follow-up tests: an engine on the small follow-up agency, files folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.config import load_ruleset
from engine.domain.clock import SimulatedClock
from engine.domain.operations import accounts
from engine.runtime.engine import Engine
from engine.scheduler.jobs import run_day

CONFIG = Path(__file__).with_name("config")
START = date(2026, 5, 4)

MakeEngine = Callable[..., Engine]


@pytest.fixture(autouse=True)
def attachments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test stores attachments in a folder of its own."""
    folder = tmp_path / "attachments"
    monkeypatch.setenv("DOCKET_ATTACHMENTS", str(folder))
    monkeypatch.delenv("DOCKET_ATTACHMENT_MAX_BYTES", raising=False)
    return folder


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The follow-up agency on a fresh database, 4 May 2026, with A1 (P1) and A2 (P2)."""
    ruleset = load_ruleset(CONFIG)
    made = Engine(ruleset, db_url, clock=SimulatedClock(START, ruleset.agency.timezone))
    with made.unit("test") as unit:
        accounts.upsert_party(unit, {"id": "P1", "name": "Dana Reyes", "email": "dana@x.test"})
        accounts.upsert_party(unit, {"id": "P2", "name": "Sam Ortiz"})
        for account, party in (("A1", "P1"), ("A2", "P2")):
            accounts.place_account(
                unit,
                id=account,
                client="ACME",
                parties=[party],
                status="ACTIVE",
                balances={"principal": "500.00"},
            )
    made.process()
    yield made
    made.close()


def advance(engine: Engine, to: date) -> None:
    """Run the production daily cycle for every day after the clock's today up to ``to``."""
    clock = engine.clock
    assert isinstance(clock, SimulatedClock)
    day = clock.today()
    while day < to:
        day += timedelta(days=1)
        clock.set(day)
        run_day(engine, day)
