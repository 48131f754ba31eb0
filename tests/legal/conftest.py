"""Fixtures for the legal tests: the sample agency on a simulated clock, a filed case, and a
judgment on it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine.config import load_ruleset
from engine.config.model import RuleSet
from engine.domain.clock import SimulatedClock
from engine.domain.operations import accounts
from engine.runtime.engine import Engine
from tests.conftest import REPO

START = date(2026, 5, 4)


@pytest.fixture(scope="session")
def sample_ruleset() -> RuleSet:
    return load_ruleset(REPO)


@pytest.fixture(autouse=True)
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test stores case documents in a folder of its own."""
    folder = tmp_path / "documents"
    monkeypatch.setenv("DOCKET_DOCUMENTS", str(folder))
    monkeypatch.delenv("DOCKET_DOCUMENT_MAX_BYTES", raising=False)
    return folder


MakeEngine = Callable[..., Engine]


@pytest.fixture
def make_engine(db_url: str, sample_ruleset: RuleSet) -> Iterator[MakeEngine]:
    """Engines on the test database at a simulated date (closed after the test)."""
    made: list[Engine] = []

    def make(start: date = START, ruleset: RuleSet | None = None) -> Engine:
        ruleset = ruleset or sample_ruleset
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


def place(engine: Engine, *specs: dict[str, Any]) -> None:
    """Parties P1 (Dana) and P2 (Sam) and the accounts given, their events processed."""
    with engine.unit("test") as unit:
        accounts.upsert_party(unit, {"id": "P1", "name": "Dana Reyes", "email": "d@x.test"})
        accounts.upsert_party(unit, {"id": "P2", "name": "Sam Reyes"})
        accounts.upsert_party(unit, {"id": "P3", "name": "Lee Park"})
        for spec in specs:
            accounts.place_account(unit, **{"status": "ACTIVE", "parties": ["P1"], **spec})
    engine.process()


def filed_case(engine: Engine, *account_ids: str, case: str = "C1") -> None:
    """Open, authorize every account and file a case on the accounts given."""
    engine.operate("open_case", {"case": case, "accounts": list(account_ids), "defendants": ["P1"]})
    for account_id in account_ids:
        engine.operate("authorize_account", {"case": case, "account": account_id})
    engine.operate("file_case", {"case": case})
    engine.process()


def copy_sample(tmp_path: Path, edit: Callable[[str], str]) -> RuleSet:
    """The sample agency with ``rules/clients.yaml`` edited (rate changes, bases…)."""
    root = tmp_path / "agency"
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "action_paths", root / "action_paths")
    clients = root / "rules" / "clients.yaml"
    clients.write_text(edit(clients.read_text(encoding="utf-8")), encoding="utf-8")
    return load_ruleset(root)
