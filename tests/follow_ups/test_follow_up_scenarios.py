"""The follow-up scenario files pass on SQLite and PostgreSQL, and a migration adds columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from engine.domain.store import make_engine, upgrade
from engine.scenario.runner import run_file
from tests.conftest import PG_URL, REPO

SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("follow-up-*.yaml"))


def test_there_are_follow_up_scenarios():
    assert len(SCENARIOS) >= 4


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_follow_up_scenario_passes(path: Path, db_url: str):
    # db_url picks the backend (and skips or fails when PostgreSQL is missing); the scenario
    # runner makes its own fresh schema on that server.
    base = None if db_url.startswith("sqlite") else PG_URL
    result = run_file(path, db_base=base)
    assert result.findings == []
    assert result.error is None, result.error
    assert [o.message for o in result.failures] == []
    assert result.problems == [], result.problems


def test_the_follow_up_migration_upgrades_an_existing_store(db_url: str):
    upgrade(db_url, "0001")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "insert into follow_ups (id, account_id, kind, stakeholders, items, "
                    "status, suspends_automation, opened_date, created_at) values "
                    "('F1', 'A1', 'dispute', '[]', '[]', 'open', false, '2026-05-04', "
                    "'2026-05-04 09:00:00')"
                )
            )
        upgrade(db_url)
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("follow_ups")}
            indexes = {i["name"] for i in inspect(conn).get_indexes("follow_ups")}
            row = conn.execute(text("select title, resolved_date from follow_ups")).one()
    finally:
        engine.dispose()
    assert {"title", "resolved_date"} <= columns
    assert "ix_follow_ups_case_id" in indexes
    assert tuple(row) == (None, None)
