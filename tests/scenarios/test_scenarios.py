"""The scenario suite runs through ``docket test``; wrong expectations fail with a diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli.main import _register, cli
from engine.domain import operations as registry
from engine.scenario.model import is_scenario_file

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "scenario_fixtures"
PG_URL = os.environ.get("DOCKET_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def docket(*args: str) -> Result:
    _register()
    return CliRunner().invoke(cli, list(args))


def scenario_count() -> int:
    return sum(1 for p in HERE.rglob("*.yaml") if is_scenario_file(p))


def test_the_scenario_suite_passes() -> None:
    result = docket("test", str(HERE))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"{scenario_count()} passed, 0 failed"
    assert "FAIL" not in result.output


@pytest.mark.postgres
def test_the_scenario_suite_passes_on_postgresql(pg_reason: str | None) -> None:
    if pg_reason is not None:
        if os.environ.get("DOCKET_REQUIRE_PG") == "1":
            pytest.fail(pg_reason)
        pytest.skip(pg_reason)
    result = docket("test", "--db", PG_URL, str(HERE))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"{scenario_count()} passed, 0 failed"


def test_a_wrong_expectation_fails_with_a_diff_naming_it() -> None:
    result = docket("test", str(FIXTURES / "wrong-expectation.yaml"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "0 passed, 1 failed"
    assert (
        "  FAIL letters[0]: expected {template: court-reminder, to: P1, on: 2026-05-20, "
        "late: false}; found: [{template: court-reminder, to: P1, on: 2026-05-21, late: true}]"
        "  (tests/scenario_fixtures/wrong-expectation.yaml:23:7)"
    ) in lines
    assert any(
        line.startswith(
            "  FAIL letters[1]: expected 2 x {template: court-reminder}; found: 1 matching"
        )
        for line in lines
    )
    assert "  PASS worklist A1" in lines
    assert any(line.startswith("  FAIL status A1: expected JDG; found: ") for line in lines)
    assert any(
        line.startswith(
            "  FAIL balances A1: expected {principal: 1000.00}; found: {principal: 1200.00}"
        )
        for line in lines
    )
    assert any(
        line.startswith(
            "  FAIL not[0] fired: expected no fired matching "
            "{trigger: court-reminder}; found: [{trigger: court-reminder}]"
        )
        for line in lines
    )


def test_reports_and_message_statuses_are_expected_like_other_messages() -> None:
    result = docket("test", str(FIXTURES / "wrong-message-expectations.yaml"))
    assert result.exit_code == 1
    lines = [line.split("  (tests/")[0] for line in result.output.splitlines()]
    assert lines[1:] == [
        "  FAIL reports[0]: expected {template: client-auth-request, on: 2026-05-05, "
        "status: sent}; found: [{template: client-auth-request, on: 2026-05-05, "
        "status: pending}]",
        "  FAIL reports[1]: expected 1 x {template: client-auth-request, text: suit in case C9}; "
        "found: 0 matching; closest: [{template: client-auth-request, text: "
        '"<p>Northwind Recovery, Legal Department</p> <p>2026-05-05</p> <p>To: Acme Bank, '
        'Recoveries</p> <p>We request your autho…"}]',
        "  PASS reports[2]",
        "  FAIL not[0] reports: expected no reports matching {status: pending}; "
        "found: [{status: pending}]",
        "0 passed, 1 failed",
    ]


def test_json_output_reports_each_expectation() -> None:
    result = docket("test", "--json", str(FIXTURES / "wrong-expectation.yaml"))
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert (report["passed"], report["failed"]) == (0, 1)
    [scenario] = report["scenarios"]
    verdicts = {e["name"]: e["passed"] for e in scenario["expectations"]}
    assert verdicts == {
        "letters[0]": False,
        "letters[1]": False,
        "worklist A1": True,
        "status A1": False,
        "balances A1": False,
        "not[0] fired": False,
    }
    first = scenario["expectations"][0]
    assert first["found"] == "[{template: court-reminder, to: P1, on: 2026-05-21, late: true}]"
    assert first["at"].endswith("wrong-expectation.yaml:23:7")


def test_an_operation_not_built_yet_fails_the_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(registry.OPERATIONS, "render_judgment", raising=False)
    result = docket("test", str(FIXTURES / "not-available.yaml"))
    assert result.exit_code == 1
    assert "operation not available: 'render_judgment'" in result.output
    assert "expectations not checked" in result.output


def test_a_step_expected_to_fail_that_succeeds_fails_the_scenario() -> None:
    result = docket("test", str(FIXTURES / "expect-error-succeeds.yaml"))
    assert result.exit_code == 1
    assert "expected an error containing 'not authorized', but it succeeded" in result.output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad-steps.yaml",
            "bad-steps.yaml:7:9: error: 'do' in step 1 (opn_case) is not a known "
            "operation: 'opn_case' (did you mean 'open_case'?)",
        ),
        (
            "future-version.yaml",
            "future-version.yaml:2:10: error: unsupported scenario format "
            "version 2 (this Docket reads version 1)",
        ),
        (
            "bad-message-status.yaml",
            "bad-message-status.yaml:6:53: error: 'status' in 'reports' item 1 of expect must "
            "be one of pending, deferred, sending, sent, in_doubt, dead, blocked, cancelled "
            "(got 'snet') (did you mean 'sent'?)",
        ),
        (
            "out-of-order.yaml",
            "out-of-order.yaml:13:9: error: on 2026-05-11: the engine is down "
            "from 2026-05-10 until 2026-05-12",
        ),
    ],
)
def test_a_bad_scenario_file_reports_file_line_errors(name: str, message: str) -> None:
    result = docket("test", str(FIXTURES / "invalid" / name))
    assert result.exit_code == 1
    assert any(line.strip().endswith(message) for line in result.output.splitlines()), result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert docket("test", str(tmp_path / "missing")).exit_code == 2
    assert docket("test", str(tmp_path)).exit_code == 2  # no scenario files there
    assert docket("test", "--db", "sqlite:///x.db", str(HERE)).exit_code == 2


def test_simulate_prints_the_timeline_day_by_day() -> None:
    result = docket("simulate", str(HERE / "catch-up-once-court-reminder.yaml"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2026-05-18 Mon  ENGINE DOWN" in lines
    assert "2026-05-25 Mon  (holiday: Memorial Day)" in lines
    day = lines.index("2026-05-21 Thu")
    block = lines[day : lines.index("2026-05-22 Fri")]
    assert (
        "  fired court-reminder (case C1) LATE: not swept on its due day (the engine was down)"
        in block
    )
    assert "  letter court-reminder -> P1 LATE" in block
    assert any(
        line.startswith("  worklist A1: ") and line.endswith("-> COURT-PREP") for line in block
    )
    assert lines[-1] == "1 passed, 0 failed"


def test_simulate_json_has_every_day() -> None:
    result = docket("simulate", "--json", str(HERE / "catch-up-skip-mediation.yaml"))
    assert result.exit_code == 0, result.output
    timeline = json.loads(result.output)["timeline"]
    assert [d["day"] for d in timeline][:2] == ["2026-05-01", "2026-05-02"]
    assert timeline[-1]["day"] == "2026-05-20"
    restart = next(d for d in timeline if d["day"] == "2026-05-13")
    assert restart["skipped"] == [
        {
            "trigger": "mediation-reminder",
            "subject": "case C1",
            "due_on": "2026-05-12",
            "reason": "not swept on its due day (the engine was down); catch_up: skip",
        }
    ]


def test_simulate_tells_a_date_entered_late_from_downtime() -> None:
    result = docket("simulate", str(HERE / "late-entered-dates.yaml"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    block = lines[lines.index("2026-05-22 Fri") : lines.index("2026-05-23 Sat")]
    assert "  fired court-reminder (case C1) LATE: entered after its due day" in block
    assert (
        "  skipped mediation-reminder (case C2): due 2026-05-21, "
        "entered after its due day; catch_up: skip"
    ) in block


def test_simulate_shows_a_held_message_with_the_rule_that_held_it() -> None:
    path = HERE / "contact-bankruptcy-blocks-court-reminder.yaml"
    result = docket("simulate", str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    block = lines[lines.index("2026-05-20 Wed") : lines.index("2026-05-21 Thu")]
    assert "  fired court-reminder (case C1)" in block
    assert "  letter court-reminder -> P1 BLOCKED: hold: bankruptcy on account A1" in block
