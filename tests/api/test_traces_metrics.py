"""Runs and traces (why and why not), metrics, health and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from engine.runtime.engine import Engine
from tests.api.conftest import Place


def test_why_and_why_not(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("BIG", principal="900.00")
    place("SMALL", principal="100.00")
    v = headers["viewer"]
    big = client.get("/accounts/BIG/explain", headers=v).json()
    welcome = big["events"][0]["triggers"][0]
    assert (welcome["trigger"], welcome["outcome"]) == ("welcome", "ran")
    run = client.get(f"/runs/{welcome['runs'][0]}", headers=v).json()
    assert run["status"] == "completed" and run["path"] == "welcome"
    assert [s["step"] for s in run["steps"]][:2] == ["set_status", "move_worklist"]

    small = client.get(
        "/accounts/SMALL/explain", params={"event": "onAfterAccountInsert"}, headers=v
    ).json()
    why_not = small["events"][0]["triggers"][0]
    assert why_not["outcome"] == "condition_false"
    assert why_not["if"]["expr"] == "account.balance >= 500"
    assert why_not["if"]["value"] is False

    never = client.get("/accounts/SMALL/explain", params={"event": "onDispute"}, headers=v).json()
    assert never["events"] == []
    assert never["note"] == (
        "no onDispute event was received for account SMALL; "
        "triggers listening to it: dispute-review"
    )
    assert client.get("/runs/999", headers=v).status_code == 404
    assert client.get("/events/nope", headers=v).status_code == 404
    assert client.get("/accounts/NOPE/explain", headers=v).status_code == 404


def test_metrics_count_events_runs_and_the_outbox(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    client.post("/events", json={"name": "onDispute", "account": "A1"}, headers=headers["admin"])
    client.post("/events", json={"name": "onNothing", "account": "A1"}, headers=headers["admin"])
    engine.process()
    text = client.get("/metrics", headers=headers["viewer"]).text
    for line in (
        'docket_events_received_total{outcome="accepted"} 1.0',
        'docket_events_received_total{outcome="rejected"} 1.0',
        'docket_runs{status="completed",trigger="welcome"} 1.0',
        'docket_runs{status="waiting",trigger="dispute-review"} 1.0',
        'docket_outbox_messages{status="pending"} 1.0',
        "docket_outbox_dead_letters 0.0",
        "docket_inbox_pending 0.0",
        'docket_http_requests_total{method="POST",route="/events",status="202"} 1.0',
    ):
        assert line in text, line
    assert "docket_sweep_duration_seconds" in text
    assert "docket_sweep_lateness_seconds" in text
    assert client.get("/metrics").status_code == 401


def test_health_is_open_and_the_document_is_complete(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            for code, response in responses.items():
                if code[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        code,
                    )
            assert {"401", "422"} <= set(responses), (method, path)
