"""GET /events?status=failed and POST /events/{id}/retry: re-driving a failed event after the
rule is fixed (issue 16, finding 4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.api import ApiSettings, create_app
from engine.api.tokens import create_token
from engine.config import load_ruleset
from engine.domain.clock import SimulatedClock
from engine.domain.operations.accounts import upsert_party
from engine.runtime.engine import Engine
from tests.api.conftest import TODAY, bearer

BROKEN = """\
action_paths:
  - id: dispute-report
    steps:
      - add_note: Dispute reported.
      - move_worklist: {to: "{{ event.data.queue }}"}
triggers:
  - {id: dispute-report, on: onDispute, run: dispute-report}
"""
FIXED = BROKEN.replace('      - move_worklist: {to: "{{ event.data.queue }}"}\n', "")
EXTRA = Path("action_paths/report.yaml")


@pytest.fixture
def served(db_url: str, config_copy: Path) -> Iterator[tuple[TestClient, Engine, dict]]:
    """The API over an engine whose onDispute has a second, broken trigger; a token per role."""
    (config_copy / EXTRA).write_text(BROKEN, encoding="utf-8")
    ruleset = load_ruleset(config_copy)
    engine = Engine(ruleset, db_url, clock=SimulatedClock(TODAY, ruleset.agency.timezone))
    with engine.unit("test") as unit:
        roles = {
            r: bearer(create_token(unit.session, r, r, unit.now)[0]) for r in ("viewer", "admin")
        }
        upsert_party(unit, {"id": "P1", "name": "Dana Reyes"})
    app = create_app(
        engine, ApiSettings(config_root=config_copy, token_cache_seconds=0, access_log=False)
    )
    with TestClient(app) as client:
        yield client, engine, roles
    engine.close()


def test_failed_events_are_listed_and_retried_after_the_fix(served, config_copy: Path) -> None:
    client, engine, h = served
    placed = client.post(
        "/operations/place_account",
        json={
            "account": "A1",
            "client": "ACME",
            "parties": ["P1"],
            "balances": {"principal": "50"},
        },
        headers=h["admin"],
    )
    assert placed.status_code == 200, placed.text
    engine.process()
    key = {"Idempotency-Key": "dispute-A1"}
    body = {"name": "onDispute", "account": "A1", "data": {"queue": "NOWHERE"}}
    sent = client.post("/events", json=body, headers={**h["admin"], **key}).json()
    engine.process()

    # The dispute path committed although the report path failed.
    account = client.get("/accounts/A1", headers=h["viewer"]).json()
    assert (account["status"], account["worklist"]) == ("DISPUTED", "DISPUTES")
    listed = client.get("/events?status=failed", headers=h["viewer"]).json()
    assert [(e["id"], e["failed"], e["attempt"]) for e in listed["events"]] == [
        (sent["id"], ["dispute-report"], 1)
    ]
    assert "unknown worklist 'NOWHERE'" in listed["events"][0]["reason"]
    assert listed["next_cursor"] is None
    trace = client.get(f"/events/{sent['id']}", headers=h["viewer"]).json()
    outcomes = {t["trigger"]: t["outcome"] for t in trace["triggers"]}
    assert outcomes == {"dispute-review": "ran", "dispute-report": "failed"}
    failed = next(t for t in trace["triggers"] if t["outcome"] == "failed")
    assert failed["where"].startswith("dispute-report#1 move_worklist (action_paths/report.yaml:")

    # Only an admin re-drives; still broken, the retry fails again as attempt 2.
    assert client.post(f"/events/{sent['id']}/retry", headers=h["viewer"]).status_code == 403
    again = client.post(f"/events/{sent['id']}/retry", headers=h["admin"])
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "failed" and again.json()["attempt"] == 2

    # Fixed and reloaded: the retry runs the failed trigger on the new version.
    (config_copy / EXTRA).write_text(FIXED, encoding="utf-8")
    assert client.post("/config/reload", headers=h["admin"]).status_code == 200
    fixed = client.post(f"/events/{sent['id']}/retry", headers=h["admin"])
    assert fixed.status_code == 200, fixed.text
    assert fixed.json() == {
        "id": sent["id"],
        "status": "processed",
        "reason": None,
        "attempt": 3,
        "retried": True,
        "trace": f"/events/{sent['id']}",
    }
    trace = client.get(f"/events/{sent['id']}", headers=h["viewer"]).json()
    assert trace["status"] == "processed" and trace["attempt"] == 3
    assert [a["attempt"] for a in trace["attempts"]] == [1, 2]
    entries = {t["trigger"]: (t["outcome"], t["attempt"]) for t in trace["triggers"]}
    assert entries == {"dispute-review": ("ran", 1), "dispute-report": ("ran", 3)}
    assert trace["ruleset"] == client.get("/config", headers=h["viewer"]).json()["hash"]
    run = next(t for t in trace["triggers"] if t["trigger"] == "dispute-report")["runs"][0]
    steps = client.get(f"/runs/{run}", headers=h["viewer"]).json()["steps"]
    assert steps[0]["step"] == "retry" and steps[0]["attempt"] == 3
    assert client.get("/events?status=failed", headers=h["viewer"]).json()["events"] == []

    # Sending it again with the same key answers the same event; retrying it again is refused.
    replay = client.post("/events", json=body, headers={**h["admin"], **key})
    assert replay.status_code == 202
    assert replay.json()["id"] == sent["id"] and replay.json()["replay"] is True
    refused = client.post(f"/events/{sent['id']}/retry", headers=h["admin"])
    assert refused.status_code == 409 and "only failed events" in refused.json()["detail"]
    missing = client.post("/events/nope/retry", headers=h["admin"])
    assert missing.status_code == 404


def test_events_are_paged_and_filtered(served) -> None:
    client, engine, h = served
    for account in ("A1", "A2", "A3"):
        client.post(
            "/operations/place_account",
            json={"account": account, "client": "ACME", "parties": ["P1"],
                  "balances": {"principal": "50"}},
            headers=h["admin"],
        )  # fmt: skip
    client.post("/events", json={"name": "onDisput", "account": "A1"}, headers=h["admin"])
    engine.process()
    first = client.get("/events?limit=2", headers=h["viewer"]).json()
    assert len(first["events"]) == 2 and first["next_cursor"]
    rest = client.get(f"/events?limit=50&cursor={first['next_cursor']}", headers=h["viewer"]).json()
    seqs = [e["seq"] for e in first["events"] + rest["events"]]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)) >= 4
    rejected = client.get("/events?status=rejected", headers=h["viewer"]).json()["events"]
    assert [e["name"] for e in rejected] == ["onDisput"]
    mine = client.get("/events?account=A2", headers=h["viewer"]).json()["events"]
    assert {e["subject"]["id"] for e in mine} == {"A2"}
    bad = client.get("/events?status=lost", headers=h["viewer"])
    assert bad.status_code == 422
    assert client.get("/events?cursor=zzz", headers=h["viewer"]).status_code == 422
