"""Worklists (ordered by next-work date, paginated), tasks, and the outbox."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from engine.domain import models as m
from engine.runtime.engine import Engine
from tests.api.conftest import Place


def test_worklist_pages_in_next_work_order_undated_last(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    # Small balances: the welcome path (which moves to COLLECTIONS) stays out of the way.
    dates = {
        "B3": date(2026, 5, 20),
        "B1": date(2026, 5, 6),
        "B5": None,
        "B2": date(2026, 5, 6),
        "B4": None,
        "B6": date(2026, 6, 1),
    }
    for account, when in dates.items():
        place(
            account,
            principal="100.00",
            worklist="NEW-BUSINESS",
            next_work_date=when.isoformat() if when else None,
        )
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get(
            "/worklists/NEW-BUSINESS/accounts", params=query, headers=headers["viewer"]
        ).json()
        pages += 1
        seen.extend((a["id"], a["next_work_date"]) for a in page["accounts"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 2
    assert seen == [
        ("B1", "2026-05-06"),
        ("B2", "2026-05-06"),
        ("B3", "2026-05-20"),
        ("B6", "2026-06-01"),
        ("B4", None),
        ("B5", None),
    ]
    # A page that ends among the undated ones continues there.
    first = client.get(
        "/worklists/NEW-BUSINESS/accounts", params={"limit": 5}, headers=headers["viewer"]
    ).json()
    rest = client.get(
        "/worklists/NEW-BUSINESS/accounts",
        params={"limit": 5, "cursor": first["next_cursor"]},
        headers=headers["viewer"],
    ).json()
    assert [a["id"] for a in rest["accounts"]] == ["B5"] and rest["next_cursor"] is None

    listed = client.get("/worklists", headers=headers["viewer"]).json()
    assert {"id": "NEW-BUSINESS", "label": "New business", "accounts": 6} in listed
    unknown = client.get("/worklists/NEW-BUSINES/accounts", headers=headers["viewer"])
    assert unknown.status_code == 404
    assert unknown.json()["detail"].endswith("(did you mean 'NEW-BUSINESS'?)")
    bad = client.get(
        "/worklists/NEW-BUSINESS/accounts", params={"cursor": "xyz"}, headers=headers["viewer"]
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.cursor"


def test_tasks_list_and_complete(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    place("A2")
    tasks = client.get("/tasks", headers=headers["viewer"]).json()["tasks"]
    assert [(t["account"], t["title"], t["status"]) for t in tasks] == [
        ("A1", "Call A1", "open"),
        ("A2", "Call A2", "open"),
    ]
    first = tasks[0]["id"]
    done = client.post(
        f"/tasks/{first}/complete",
        json={"note": "Left a voicemail."},
        headers=headers["integrator"],
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post(f"/tasks/{first}/complete", headers=headers["integrator"])
    assert again.status_code == 409
    assert client.post("/tasks/999/complete", headers=headers["integrator"]).status_code == 404

    still_open = client.get("/tasks", headers=headers["viewer"]).json()["tasks"]
    assert [t["account"] for t in still_open] == ["A2"]
    closed = client.get("/tasks", params={"status": "done"}, headers=headers["viewer"]).json()
    assert [t["id"] for t in closed["tasks"]] == [first]
    page = client.get("/tasks", params={"limit": 1, "status": "open"}, headers=headers["viewer"])
    assert page.json()["next_cursor"] is None
    with engine.sessions() as session:
        notes = session.scalars(select(m.Note.text).where(m.Note.account_id == "A1")).all()
    assert f"Task {first} done: Left a voicemail." in notes


def test_outbox_list_and_retry_a_dead_letter(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    listed = client.get("/outbox", headers=headers["viewer"]).json()["messages"]
    assert [(o["channel"], o["template"], o["status"]) for o in listed] == [
        ("letter", "welcome", "pending")
    ]
    message = listed[0]["id"]
    refused = client.post(f"/outbox/{message}/retry", headers=headers["admin"])
    assert refused.status_code == 409  # a pending message is already queued

    with engine.unit("test") as unit:
        row = unit.session.get(m.OutboxMessage, message)
        assert row is not None
        row.status, row.attempts, row.last_error = "dead", 5, "gateway said no"
    dead = client.get("/outbox", params={"status": "dead"}, headers=headers["viewer"]).json()
    assert [o["id"] for o in dead["messages"]] == [message]
    assert dead["messages"][0]["last_error"] == "gateway said no"

    retried = client.post(f"/outbox/{message}/retry", headers=headers["admin"])
    assert retried.status_code == 200
    assert retried.json()["status"] == "pending"
    assert client.post("/outbox/999/retry", headers=headers["admin"]).status_code == 404
    assert client.post(f"/outbox/{message}/retry", headers=headers["integrator"]).status_code == 403
