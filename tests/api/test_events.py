"""POST /events: accepted and processed, rejected but kept, idempotent replays, the trace."""

from __future__ import annotations

import asyncio

from fastapi.testclient import TestClient
from sqlalchemy import select

from engine.api.ingest import Ingestor
from engine.domain import models as m
from engine.runtime.engine import Engine
from tests.api.conftest import Place

PROBLEM = "application/problem+json"


def test_event_is_accepted_processed_and_traced(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    sent = client.post(
        "/events",
        json={"name": "onDispute", "account": "A1", "data": {"reason": "not mine"}},
        headers=headers["integrator"],
    )
    assert sent.status_code == 202
    body = sent.json()
    assert body["status"] == "pending" and body["replay"] is False
    assert body["trace"] == f"/events/{body['id']}"
    engine.process()  # the event and the status and worklist changes it derives

    trace = client.get(body["trace"], headers=headers["viewer"]).json()
    assert trace["status"] == "processed"
    assert trace["name"] == "onDispute"
    assert [t["trigger"] for t in trace["triggers"]] == ["dispute-review"]
    assert trace["triggers"][0]["outcome"] == "ran"
    account = client.get("/accounts/A1", headers=headers["viewer"]).json()
    assert (account["status"], account["worklist"]) == ("DISPUTED", "DISPUTES")


def test_a_refused_event_is_kept_with_its_reason_and_answered_422(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    answer = client.post(
        "/events", json={"name": "onDisput", "account": "A1"}, headers=headers["integrator"]
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert problem["type"].endswith("/event-rejected")
    assert problem["detail"] == "unknown event 'onDisput' (did you mean 'onDispute'?)"
    kept = client.get(f"/events/{problem['event']}", headers=headers["viewer"]).json()
    assert kept["status"] == "rejected" and kept["reason"] == problem["detail"]

    unknown = client.post(
        "/events", json={"name": "onDispute", "account": "NOPE"}, headers=headers["integrator"]
    )
    assert unknown.status_code == 422 and unknown.json()["detail"] == "unknown account 'NOPE'"


def test_a_replay_answers_the_first_outcome_with_the_same_status(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    key = {**headers["integrator"], "Idempotency-Key": "crm-123"}
    event = {"name": "onDispute", "account": "A1"}
    first = client.post("/events", json=event, headers=key)
    engine.process()
    again = client.post("/events", json=event, headers=key)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["replay"] is True and again.headers["Idempotency-Replayed"] == "true"
    assert again.json()["status"] == "processed"  # the same event, as it is now

    bad = {**headers["integrator"], "Idempotency-Key": "crm-124"}
    refused = client.post("/events", json={"name": "onNothing", "account": "A1"}, headers=bad)
    replayed = client.post("/events", json={"name": "onNothing", "account": "A1"}, headers=bad)
    assert (refused.status_code, replayed.status_code) == (422, 422)
    assert replayed.json()["event"] == refused.json()["event"]
    assert replayed.json()["replay"] is True

    with engine.sessions() as session:
        keys = session.scalars(
            select(m.InboxEvent.idempotency_key).where(m.InboxEvent.idempotency_key.is_not(None))
        ).all()
    assert sorted(k.split(":", 1)[1] for k in keys) == ["crm-123", "crm-124"]  # per token


def test_a_key_reused_for_another_event_is_refused(
    client: TestClient, headers: dict[str, dict[str, str]], place: Place
) -> None:
    place("A1")
    place("A2")
    key = {**headers["integrator"], "Idempotency-Key": "k-1"}
    assert client.post("/events", json={"name": "onDispute", "account": "A1"}, headers=key)
    other = client.post("/events", json={"name": "onDispute", "account": "A2"}, headers=key)
    assert other.status_code == 409
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert other.json()["errors"] == [
        {"field": "header.Idempotency-Key", "message": "already used: k-1"}
    ]


def test_one_subject_only(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    answer = client.post(
        "/events",
        json={"name": "onDispute", "account": "A1", "case": "C1"},
        headers=headers["integrator"],
    )
    assert answer.status_code == 422
    fields = [e["field"] for e in answer.json()["errors"]]
    assert fields == ["body.account", "body.case"]


def test_concurrent_submissions_share_a_transaction_and_keys_dedupe(
    engine: Engine, place: Place
) -> None:
    """The group commit: a batch holds several requests; one key twice is one event."""
    place("A1")
    woken = []
    ingestor = Ingestor(engine, lambda: woken.append(True))

    async def many() -> list[object]:
        events = [
            {"name": "onDispute", "account": "A1", "idempotency_key": f"k{n % 5}"}
            for n in range(20)
        ]
        return await asyncio.gather(*(ingestor.submit(e) for e in events))

    results = asyncio.run(many())
    ids = {r.id for r in results}  # type: ignore[attr-defined]
    assert len(ids) == 5
    assert sum(1 for r in results if r.replay) == 15  # type: ignore[attr-defined]
    assert woken
    with engine.sessions() as session:
        count = session.scalars(select(m.InboxEvent).where(m.InboxEvent.name == "onDispute"))
        assert len(count.all()) == 5
