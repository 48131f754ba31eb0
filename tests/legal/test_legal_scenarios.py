"""The legal scenario files pass on SQLite and PostgreSQL, and between them they prove every one
of the 22 ACE case triggers with a ``fired`` expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import load_ruleset
from engine.config.catalogue import ACE_CASE_TRIGGERS
from engine.scenario.model import load_scenario
from engine.scenario.runner import run_file
from tests.conftest import PG_URL, REPO

HERE = REPO / "tests" / "scenarios"
SCENARIOS = sorted([*HERE.glob("legal-*.yaml"), *HERE.glob("ace-*.yaml")])


def test_there_are_legal_scenarios() -> None:
    assert len(SCENARIOS) >= 6


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_legal_scenario_passes(path: Path, db_url: str) -> None:
    # db_url picks the backend; the runner makes its own fresh schema on that server.
    base = None if db_url.startswith("sqlite") else PG_URL
    result = run_file(path, db_base=base)
    assert result.findings == []
    assert result.error is None, result.error
    assert [o.message for o in result.failures] == []
    assert result.problems == [], result.problems


def test_every_ace_case_trigger_is_proven_by_a_scenario() -> None:
    ruleset = load_ruleset(REPO)
    event_of = {t.id: t.on for t in ruleset.triggers}
    proven: set[str] = set()
    for path in SCENARIOS:
        scenario = load_scenario(path)
        for item in scenario.expect.get("fired") or []:
            trigger = str(item["trigger"])
            if item.get("count") != 0 and trigger in event_of:
                proven.add(event_of[trigger])
    assert len(ACE_CASE_TRIGGERS) == 22
    assert sorted(set(ACE_CASE_TRIGGERS) - proven) == []
