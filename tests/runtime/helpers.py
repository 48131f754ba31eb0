"""Helpers for engine-core tests: an engine on the test agency with a simulated clock."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from engine import load_ruleset
from engine.domain.clock import SimulatedClock
from engine.domain.operations.accounts import upsert_party
from engine.runtime.engine import Engine

CONFIG = Path(__file__).with_name("config")


def make_engine(db_url: str, day: date = date(2026, 5, 4), **kwargs: Any) -> Engine:
    ruleset = load_ruleset(CONFIG)
    return Engine(ruleset, db_url, clock=SimulatedClock(day, ruleset.agency.timezone), **kwargs)


def place(engine: Engine, account: str, principal: str, party: str = "P1", **extra: Any) -> None:
    with engine.unit() as unit:
        upsert_party(unit, {"id": party, "name": "Dana Reyes", "email": "dana@example.test"})
    engine.operate(
        "place_account",
        {
            "account": account,
            "client": "ACME",
            "parties": [party],
            "balances": {"principal": principal},
            **extra,
        },
    )
