"""``GET /cases/{id}/explain`` and ``/accounts/{id}/explain``: date triggers and held messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from engine.runtime.engine import Engine
from tests.scheduler.test_explain_dates import story


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The sample agency's case story of tests/scheduler/test_explain_dates.py."""
    made = story(db_url)
    yield made
    made.close()


def test_a_case_explained_over_http(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    answer = client.get(
        "/cases/C1/explain", params={"date": "2026-05-22"}, headers=headers["viewer"]
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    status = {d["trigger"]: (d["status"], d["due_on"]) for d in body["dates"]}
    assert status["court-reminder"] == ("fired", "2026-05-20")
    assert status["mediation-reminder"] == ("skipped", "2026-05-21")
    assert status["answer-deadline"] == ("upcoming", "2026-06-09")
    assert status["filing-costs"] == ("pending", "2026-04-30")
    assert status["client-auth-overdue"] == ("never", None)
    court = next(e for e in body["events"] if e["name"] == "onCaseCourtDate")
    assert court["late_reason"] == "entered after its due day"
    [held] = court["triggers"][0]["held"]
    assert (held["template"], held["status"], held["rule"], held["path"]) == (
        "court-reminder",
        "blocked",
        "hold",
        "court-reminder",
    )
    assert held["reason"] == "hold: bankruptcy on account A1"


def test_an_account_explained_for_a_date_event_it_never_received(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    body = client.get(
        "/accounts/A1/explain",
        params={"event": "onCaseMediationDate", "date": "2026-05-22"},
        headers=headers["viewer"],
    ).json()
    assert body["events"] == [] and "note" not in body
    [mediation] = body["dates"]
    assert mediation["status"] == "skipped"
    assert mediation["reason"] == "entered after its due day; catch_up: skip"
    assert client.get("/cases/NOPE/explain", headers=headers["viewer"]).status_code == 404
