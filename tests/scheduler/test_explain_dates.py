"""``docket explain --case/--account`` tells each date trigger's story and the held messages."""

from __future__ import annotations

import json
from datetime import date, timedelta

from click.testing import CliRunner, Result

from engine.cli.main import _register, cli
from engine.config import load_ruleset
from engine.domain import SimulatedClock
from engine.domain.operations import accounts
from engine.runtime import Engine
from engine.scheduler.jobs import run_day, run_due
from tests.conftest import REPO

# Court on Tuesday 26 May 2026; Memorial Day is Monday 25 May.
KEYED = date(2026, 5, 22)


def story(db_url: str) -> Engine:
    """The sample agency: a case whose dates tell every kind of story, up to 22 May.

    Summons requested 6 April and granted 10 April (summons-overdue's unless is true when it
    comes due on 20 April); bankruptcy on 11 May; on 22 May the court date (the reminder was
    due 20 May: fired late, its letter blocked by the hold), the mediation date (due 21 May:
    skipped) and the served date (answer deadline upcoming, 9 June); then a filing date 22
    days late, after the frequent job's last pass (pending until the next sweep).
    """
    ruleset = load_ruleset(REPO)
    clock = SimulatedClock(date(2026, 4, 1), ruleset.agency.timezone)
    engine = Engine(ruleset, db_url, clock=clock)
    with engine.unit("test") as unit:
        accounts.ensure_client(unit, "ACME")
        accounts.upsert_party(unit, {"id": "P1", "name": "Dana Reyes", "address": "12 Elm St"})
        accounts.place_account(
            unit, id="A1", client="ACME", parties=["P1"], balances={"principal": "1200.00"}
        )
    engine.process()

    def until(last: date) -> None:
        day = clock.today()
        while day <= last:
            clock.set(day)
            run_day(engine, day)
            day += timedelta(days=1)

    def on(day: date, operation: str, params: dict[str, object]) -> None:
        until(day)
        engine.operate(operation, params)
        run_due(engine)

    on(date(2026, 4, 2), "open_case", {"case": "C1", "accounts": ["A1"], "defendants": ["P1"]})
    on(
        date(2026, 4, 6),
        "set_case_dates",
        {"case": "C1", "summons_request_date": "2026-04-06", "summons_grant_date": "2026-04-10"},
    )
    on(date(2026, 5, 11), "record_bankruptcy", {"account": "A1"})
    on(
        KEYED,
        "set_case_dates",
        {
            "case": "C1",
            "court_date": "2026-05-26",
            "mediation_date": "2026-05-26",
            "served_date": "2026-05-20",
        },
    )
    # Keyed after the frequent job's last pass: pending until its next one.
    engine.operate("set_case_dates", {"case": "C1", "file_date": "2026-04-30"})
    return engine


def docket(db_url: str, *args: str) -> Result:
    _register()
    return CliRunner().invoke(cli, [*args, "--db", db_url, "--config", str(REPO)])


def test_explain_a_case_tells_every_date_trigger(db_url: str) -> None:
    story(db_url).close()
    result = docket(db_url, "explain", "--case", "C1", "--date", "2026-05-22")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "date triggers (as of 2026-05-22):" in lines
    court = next(line for line in lines if line.startswith("  court-reminder on case C1"))
    assert court.startswith(
        "  court-reminder on case C1 (court_date 2026-05-26 -3 business days): fired "
        "2026-05-22, late: entered after its due day (due 2026-05-20; runs "
    )
    for line in (
        "  mediation-reminder on case C1 (mediation_date 2026-05-26 -2 business days): "
        "skipped 2026-05-22 (due 2026-05-21): entered after its due day; catch_up: skip",
        "  answer-deadline on case C1 (served_date 2026-05-20 +20 days): upcoming, "
        "due 2026-06-09 (if its condition holds then)",
        "  filing-costs on case C1 (file_date 2026-04-30): pending, due 2026-04-30: "
        "entered after its due day; the next sweep fires it late",
        "  summons-overdue on case C1 (summons_request_date 2026-04-06 +14 days): never "
        "(due 2026-04-20): unless true when it came due (2026-04-20): "
        "unless case.summons_grant_date",
        "  client-auth-overdue on case C1 (client_auth_request_date +10 days): never: "
        "no client_auth_request_date entered",
    ):
        assert line in lines, result.output
    # An unless of several parts names the one that held (the trace's line and the date's).
    assert (
        "  trigger summons-overdue: did not fire: unless was true — "
        "unless case.summons_grant_date" in lines
    )
    summons = next(line for line in lines if line.startswith("  summons-granted on case C1"))
    assert " fired 2026-04-10 (due 2026-04-10; runs " in summons
    # The event trace: the late firing says why, and the letter the hold blocked is named.
    header = lines.index(
        "2026-05-22 onCaseCourtDate on case C1 late (entered after its due day) — processed"
    )
    assert lines[header + 1].startswith("  trigger court-reminder: fired (runs ")
    assert lines[header + 2].startswith(
        "    contact policy held letter court-reminder -> P1 (path court-reminder, run "
    )
    assert lines[header + 2].endswith("blocked by a contact hold — hold: bankruptcy on account A1")


def test_the_next_sweep_turns_pending_into_fired(db_url: str) -> None:
    engine = story(db_url)
    assert engine.clock is not None
    day = KEYED + timedelta(days=1)
    engine.clock.set(day)  # type: ignore[attr-defined]
    run_day(engine, day)
    engine.close()
    result = docket(db_url, "explain", "--case", "C1", "--date", "2026-05-23", "--json")
    dates = json.loads(result.output)["dates"]
    filing = [d for d in dates if d["trigger"] == "filing-costs"]
    assert [(d["status"], d["on"], d["late"], d["reason"]) for d in filing] == [
        ("fired", "2026-05-23", True, "entered after its due day")
    ]


def test_explain_an_account_names_a_skipped_date_event_not_a_missing_one(db_url: str) -> None:
    story(db_url).close()
    args = ("explain", "--account", "A1", "--event", "onCaseMediationDate")
    result = docket(db_url, *args, "--date", "2026-05-22")
    assert result.exit_code == 0, result.output
    assert "no onCaseMediationDate event was received" not in result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "date triggers (as of 2026-05-22):",
        "  mediation-reminder on case C1 (mediation_date 2026-05-26 -2 business days): "
        "skipped 2026-05-22 (due 2026-05-21): entered after its due day; catch_up: skip",
    ]
    assert lines[2].startswith("contact held: letter court-reminder -> P1 on 2026-05-22 (run ")
    assert len(lines) == 3
    as_json = json.loads(docket(db_url, *args, "--date", "2026-05-22", "--json").output)
    [mediation] = as_json["dates"]
    assert (mediation["status"], mediation["due_on"], mediation["subject"]) == (
        "skipped",
        "2026-05-21",
        {"kind": "case", "id": "C1"},
    )
    assert "note" not in as_json


def test_explain_needs_exactly_one_subject(db_url: str) -> None:
    assert docket(db_url, "explain").exit_code == 2
    assert docket(db_url, "explain", "--account", "A1", "--case", "C1").exit_code == 2
