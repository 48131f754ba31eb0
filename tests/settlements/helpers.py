"""Helpers for the settlement tests: place accounts, run operations, move the clock."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from engine.domain.clock import SimulatedClock
from engine.domain.operations import accounts
from engine.runtime.engine import Engine
from engine.scheduler.jobs import run_day

REPO = Path(__file__).resolve().parents[2]
START = date(2026, 5, 4)


def place(engine: Engine, account: str, client: str, parties: list[Any], **balances: str) -> None:
    """Place an account (with its parties created on the way) and process its events."""
    with engine.unit("test") as unit:
        accounts.ensure_client(unit, client)
        links = []
        for party in parties:
            spec = party if isinstance(party, dict) else {"id": party, "name": f"Party {party}"}
            accounts.upsert_party(unit, spec)
            links.append({"party": spec["id"], "roles": spec.get("roles") or ["responsible"]})
        accounts.place_account(
            unit, id=account, client=client, parties=links, status="ACTIVE", balances=balances
        )
    engine.process()


def advance(engine: Engine, to: date) -> None:
    """Run the production daily cycle for every day after the clock's today up to ``to``."""
    clock = engine.clock
    assert isinstance(clock, SimulatedClock)
    day = clock.today()
    while day < to:
        day += timedelta(days=1)
        clock.set(day)
        run_day(engine, day)


def operate(engine: Engine, name: str, **params: Any) -> Any:
    """Run an operation and process the events it emitted."""
    result = engine.operate(name, params, source="test")
    engine.process()
    return result
