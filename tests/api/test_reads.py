"""Reads of judgments, settlements, offers and follow-ups, made through the operations."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from engine.runtime.engine import Engine
from tests.api.conftest import Place


def _operate(http: TestClient, headers: dict[str, str], name: str, **params: Any) -> Any:
    answer = http.post(f"/operations/{name}", json=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def test_judgment_read(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1", principal="1000.00")
    h = headers["integrator"]
    _operate(client, h, "open_case", case="C1", accounts=["A1"], defendants=["P1"])
    _operate(client, h, "authorize_account", case="C1", account="A1")
    _operate(client, h, "file_case", case="C1")
    _operate(
        client,
        h,
        "render_judgment",
        case="C1",
        judgment_client="ACME-J",
        judgment_account="J1",
        amount="1000.00",
        interest_rate="9.0",
    )
    engine.process()
    judgment = client.get("/judgments/J1", headers=headers["viewer"]).json()
    assert judgment["case"] == "C1" and judgment["client"] == "ACME-J"
    assert judgment["amount"] == "1000.00"
    assert judgment["spread"] == {"A1": "1000.00"}
    assert client.get("/cases/C1", headers=headers["viewer"]).json()["judgment"]["id"] == "J1"
    assert client.get("/judgments/J2", headers=headers["viewer"]).status_code == 404


def test_settlement_offer_and_follow_up_reads(
    client: TestClient, headers: dict[str, dict[str, str]], place: Place
) -> None:
    place("A1", principal="1000.00")
    h, v = headers["integrator"], headers["viewer"]
    _operate(client, h, "create_settlement", settlement="S1", account="A1", amount="700.00")
    settlement = client.get("/settlements/S1", headers=v).json()
    assert (settlement["account"], settlement["amount"], settlement["status"]) == (
        "A1",
        "700.00",
        "active",
    )

    place("A2", principal="500.00")
    _operate(client, h, "create_offer", offer="O1", account="A2", amount="400.00", term_days=30)
    offer = client.get("/offers/O1", headers=v).json()
    assert (offer["status"], offer["amount"], offer["term_days"]) == ("Initiated", "400.00", 30)

    _operate(
        client,
        h,
        "open_follow_up",
        follow_up="F1",
        kind="dispute",
        account="A1",
        title="Consumer disputes the balance",
        due_date="2026-05-11",
    )
    _operate(client, h, "comment_follow_up", follow_up="F1", text="Called the consumer.")
    follow_up = client.get("/follow-ups/F1", headers=v).json()
    assert follow_up["status"] == "open" and follow_up["due_date"] == "2026-05-11"
    assert [line["kind"] for line in follow_up["history"]][-1] == "comment"

    for path in ("/settlements/S9", "/offers/O9", "/follow-ups/F9", "/cases/C9", "/accounts/A9"):
        missing = client.get(path, headers=v)
        assert missing.status_code == 404, path
        assert missing.headers["content-type"] == "application/problem+json"


def test_parties_are_written_then_placed(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine
) -> None:
    h = headers["integrator"]
    put = client.put(
        "/parties/P7", json={"name": "Sam Lee", "email": "sam@example.test"}, headers=h
    )
    assert put.status_code == 200
    assert put.json() == {
        "id": "P7",
        "name": "Sam Lee",
        "email": "sam@example.test",
        "phone": None,
        "timezone": None,
        "address": None,
        "accounts": [],
    }
    client.put("/parties/P7", json={"phone": "+15550100"}, headers=h)
    _operate(
        client,
        h,
        "place_account",
        account="A7",
        client="ACME",
        parties=["P7"],
        balances={"principal": "80.00"},
    )
    party = client.get("/parties/P7", headers=headers["viewer"]).json()
    assert (party["name"], party["phone"], party["accounts"]) == ("Sam Lee", "+15550100", ["A7"])
    assert client.put("/parties/P8", json={"nick": "x"}, headers=h).status_code == 422
    assert client.put("/parties/P8", json={}, headers=headers["viewer"]).status_code == 403
