"""The settlement and offer scenario files pass on SQLite and PostgreSQL, and no event of
theirs failed while they ran (a failed path would not show in the expectations)."""

from __future__ import annotations

from pathlib import Path

from engine.scenario.runner import RuleSets, iter_results, run_file
from tests.conftest import PG_URL
from tests.settlements.helpers import REPO

SCENARIOS = sorted(
    p
    for pattern in ("settlement-*.yaml", "offer-*.yaml")
    for p in (REPO / "tests" / "scenarios").glob(pattern)
)
DEMO = REPO / "engine" / "cli" / "demo" / "04-settlement-close-out.yaml"


def test_there_is_a_scenario_for_each_part_of_the_issue() -> None:
    names = {p.stem for p in SCENARIOS}
    assert {
        "settlement-close-out-harbor",
        "settlement-reached-acme",
        "settlement-globex-write-off",
        "settlement-states-and-refusals",
        "settlement-installments",
        "settlement-filters",
        "settlement-judgment-mirror",
        "offer-lifecycle-globex",
        "offer-term-outcomes",
        "offer-letter-generates",
    } <= names


def test_the_scenarios_pass_without_failed_events(db_url: str) -> None:
    # Each scenario gets a fresh database of the fixture's backend.
    base = None if db_url.startswith("sqlite") else PG_URL
    for result in iter_results(SCENARIOS, db_base=base):
        assert result.passed, (result.path, result.error, result.findings, result.failures)
        assert result.problems == [], (result.path, result.problems)


def test_the_demo_story_reaches_and_closes_out_a_settlement(tmp_path: Path) -> None:
    story = tmp_path / DEMO.name
    story.write_text(f"config: {REPO}\n{DEMO.read_text()}", encoding="utf-8")
    result = run_file(story, RuleSets(), with_timeline=True)
    assert result.passed and result.problems == []
    day = next(d for d in result.timeline if d["day"] == "2026-06-01")
    assert "case-settlement-close-out" in str(day)
