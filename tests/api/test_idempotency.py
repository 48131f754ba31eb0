"""Idempotency-Key on every POST: a repeat replays the first answer, another request with the
key is 409 naming it, and keys belong to the token that sent them (issue 17, finding 5)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from engine.api.tokens import create_token
from engine.domain import models as m
from engine.runtime import Engine
from tests.api.conftest import Place, bearer


def _second_integrator(engine: Engine) -> dict[str, str]:
    with engine.unit("test") as unit:
        text, _ = create_token(unit.session, "integrator", "test-other-integrator", unit.now)
    return bearer(text)


def _transactions(engine: Engine) -> int:
    with engine.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(m.Transaction)) or 0)


def test_a_key_reused_with_other_data_is_a_conflict_naming_the_key(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    key = {**headers["integrator"], "Idempotency-Key": "crm-777"}
    first = client.post(
        "/events", json={"name": "onDispute", "account": "A1", "data": {"r": "a"}}, headers=key
    )
    other = client.post(
        "/events", json={"name": "onDispute", "account": "A1", "data": {"r": "b"}}, headers=key
    )
    assert first.status_code == 202, first.text
    assert other.status_code == 409, other.text
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert "'crm-777'" in other.json()["detail"]
    with engine.sessions() as session:
        stored = session.scalars(select(m.InboxEvent).where(m.InboxEvent.id == first.json()["id"]))
        assert stored.one().data == {"r": "a"}


def test_two_tokens_may_use_the_same_event_key(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    event = {"name": "onDispute", "account": "A1"}
    mine = client.post(
        "/events", json=event, headers={**headers["integrator"], "Idempotency-Key": "k"}
    )
    theirs = client.post(
        "/events", json=event, headers={**_second_integrator(engine), "Idempotency-Key": "k"}
    )
    assert (mine.status_code, theirs.status_code) == (202, 202)
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["replay"] is False


def test_a_payment_sent_twice_with_one_key_is_made_once_and_replayed(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    key = {**headers["integrator"], "Idempotency-Key": "pay-1"}
    body = {"account": "A1", "amount": "100.00"}
    before = _transactions(engine)
    first = client.post("/operations/post_payment", json=body, headers=key)
    again = client.post("/operations/post_payment", json=body, headers=key)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.json() == first.json()
    assert again.headers["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in first.headers
    assert _transactions(engine) == before + 1

    changed = client.post("/operations/post_payment", json={**body, "amount": "5.00"}, headers=key)
    assert changed.status_code == 409, changed.text
    assert "'pay-1'" in changed.json()["detail"]
    assert changed.json()["errors"] == [
        {"field": "header.Idempotency-Key", "message": "already used: pay-1"}
    ]
    assert _transactions(engine) == before + 1

    theirs = client.post(
        "/operations/post_payment",
        json=body,
        headers={**_second_integrator(engine), "Idempotency-Key": "pay-1"},
    )
    assert theirs.status_code == 200 and "Idempotency-Replayed" not in theirs.headers
    assert theirs.json()["result"]["payment"] != first.json()["result"]["payment"]
    assert _transactions(engine) == before + 2


def test_an_operation_without_a_key_runs_every_time(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    body = {"account": "A1", "amount": "10.00"}
    before = _transactions(engine)
    for _ in range(2):
        answer = client.post("/operations/post_payment", json=body, headers=headers["integrator"])
        assert answer.status_code == 200, answer.text
    assert _transactions(engine) == before + 2


def test_completing_a_task_twice_with_one_key_replays_the_first_answer(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    task = client.get("/tasks", headers=headers["viewer"]).json()["tasks"][0]["id"]
    key = {**headers["integrator"], "Idempotency-Key": "task-done-1"}
    note = {"note": "Left a voicemail."}
    first = client.post(f"/tasks/{task}/complete", json=note, headers=key)
    again = client.post(f"/tasks/{task}/complete", json=note, headers=key)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.json() == first.json() and again.headers["Idempotency-Replayed"] == "true"
    other = client.post(f"/tasks/{task}/complete", json={"note": "other"}, headers=key)
    assert other.status_code == 409 and "'task-done-1'" in other.json()["detail"]
    with engine.sessions() as session:
        notes = session.scalars(select(m.Note.text)).all()
    assert sum("Left a voicemail." in text for text in notes) == 1
