"""Bad input answers 4xx with a problem detail, never 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from engine.api import ApiSettings, create_app
from engine.runtime.engine import Engine

PROBLEM = "application/problem+json"


def _problem(answer: object, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert answer.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    return dict(body)


def test_malformed_json(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    h = {**headers["integrator"], "content-type": "application/json"}
    for body in (b"{", b'{"name": "onDispute",}', b"\xff\xfe", b"[1, 2"):
        problem = _problem(client.post("/events", content=body, headers=h), 400)
        assert problem["type"] == "https://docket.dev/problems/malformed-json"
        assert problem["errors"][0]["field"] == "body"  # type: ignore[index]
    _problem(client.post("/operations/file_case", content=b"{case", headers=h), 400)


def test_unknown_fields_and_wrong_types_name_the_field(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    h = headers["integrator"]
    extra = _problem(client.post("/events", json={"name": "x", "acount": "A1"}, headers=h), 422)
    assert extra["errors"] == [
        {"field": "body.acount", "message": "Extra inputs are not permitted"}
    ]
    typed = _problem(client.post("/events", json={"name": 5, "data": [1]}, headers=h), 422)
    fields = {e["field"] for e in typed["errors"]}  # type: ignore[attr-defined]
    assert fields == {"body.name", "body.data"}
    not_object = _problem(client.post("/events", json=[1, 2], headers=h), 422)
    assert not_object["errors"]
    nan = _problem(
        client.post(
            "/events",
            content=b'{"name": "onDispute", "account": "A1", "data": {"x": NaN}}',
            headers={**h, "content-type": "application/json"},
        ),
        422,
    )
    assert nan["errors"][0]["field"] == "body.data"  # type: ignore[index]
    nul = _problem(client.post("/events", json={"name": "on\u0000Dispute"}, headers=h), 422)
    assert nul["errors"][0]["field"] == "body.name"  # type: ignore[index]
    long_key = {**h, "Idempotency-Key": "k" * 201}
    _problem(client.post("/events", json={"name": "onDispute"}, headers=long_key), 422)
    limit = _problem(client.get("/tasks", params={"limit": 0}, headers=h), 422)
    assert limit["errors"][0]["field"] == "query.limit"  # type: ignore[index]
    huge = _problem(client.get(f"/runs/{2**70}", headers=h), 422)
    assert huge["errors"][0]["field"] == "path.run_id"  # type: ignore[index]
    _problem(client.get("/runs/abc", headers=h), 422)


def test_url_with_nul(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    _problem(client.get("/accounts/A%001", headers=headers["viewer"]), 400)
    _problem(client.get("/tasks?account=%00", headers=headers["viewer"]), 400)


@pytest.fixture
def small_client(engine: Engine, tokens: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(engine, ApiSettings(body_limit=1024, token_cache_seconds=0))
    with TestClient(app) as test_client:
        yield test_client


def test_oversized_bodies_are_413(
    small_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    h = headers["integrator"]
    big = {"name": "onDispute", "account": "A1", "data": {"note": "x" * 2000}}
    problem = _problem(small_client.post("/events", json=big, headers=h), 413)
    assert problem["detail"] == "the request body exceeds 1024 bytes"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"name": "onDispute", "data": {"note": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'"}}'

    streamed = small_client.post(
        "/events", content=chunks(), headers={**h, "content-type": "application/json"}
    )
    _problem(streamed, 413)
    ok = small_client.post("/events", json={"name": "onDispute", "account": "A1"}, headers=h)
    assert ok.status_code == 422  # small enough; A1 does not exist here


def test_unknown_routes_and_methods_are_problems(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    _problem(client.get("/nowhere", headers=headers["viewer"]), 404)
    _problem(client.delete("/events", headers=headers["admin"]), 405)
