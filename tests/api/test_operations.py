"""POST /operations/{name}: every registered operation by name, refusals as problems."""

from __future__ import annotations

from fastapi.testclient import TestClient

from engine.domain.operations import OPERATIONS
from engine.runtime.engine import Engine
from tests.api.conftest import Place


def test_every_registered_operation_has_a_documented_route(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    listed = client.get("/operations", headers=headers["viewer"]).json()
    assert [o["name"] for o in listed] == sorted(OPERATIONS)
    paths = client.get("/openapi.json").json()["paths"]
    for name in OPERATIONS:
        body = paths[f"/operations/{name}"]["post"]["requestBody"]
        assert body["required"] is True
    # A file on the server is the CLI's business, never an HTTP caller's.
    document = next(o for o in listed if o["name"] == "upload_case_document")
    assert "path" not in document["parameters"]["properties"]
    assert "content" in document["parameters"]["properties"]


def test_place_account_then_read_it_back_with_exact_amounts(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine
) -> None:
    answer = client.post(
        "/operations/place_account",
        json={
            "account": "A9",
            "client": "ACME",
            "parties": ["P1"],
            "balances": {"principal": "1200.1", "fees": 35},
        },
        headers=headers["integrator"],
    )
    assert answer.status_code == 200
    assert answer.json() == {"operation": "place_account", "result": {"account": "A9"}}
    engine.process()
    account = client.get("/accounts/A9", headers=headers["viewer"]).json()
    assert account["balances"]["principal"] == "1200.10"  # text and whole numbers, exactly
    assert account["balances"]["fees"] == "35.00"
    assert account["balance"] == "1235.10"
    assert account["status"] == "ACTIVE" and account["worklist"] == "COLLECTIONS"
    assert account["parties"][0]["id"] == "P1"


def test_refusals_missing_objects_and_bad_parameters(
    client: TestClient, headers: dict[str, dict[str, str]], place: Place
) -> None:
    place("A1")
    h = headers["integrator"]
    twice = client.post(
        "/operations/place_account", json={"account": "A1", "client": "ACME"}, headers=h
    )
    assert twice.status_code == 409
    assert twice.json()["detail"] == "account 'A1' already exists"
    assert twice.json()["type"].endswith("/refused")

    missing = client.post("/operations/file_case", json={"case": "NOPE"}, headers=h)
    assert missing.status_code == 404 and missing.json()["detail"] == "unknown case 'NOPE'"

    unknown_field = client.post(
        "/operations/file_case", json={"case": "C1", "when": "now"}, headers=h
    )
    assert unknown_field.status_code == 422
    assert unknown_field.json()["errors"] == [
        {"field": "body.when", "message": "Extra inputs are not permitted"}
    ]

    bad_date = client.post(
        "/operations/post_payment",
        json={"account": "A1", "amount": "10.00", "date": "yesterday"},
        headers=h,
    )
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "body.date"

    missing_field = client.post("/operations/post_payment", json={"amount": "1"}, headers=h)
    assert missing_field.status_code == 422
    assert missing_field.json()["errors"] == [
        {"field": "body.account", "message": "Field required"}
    ]

    not_money = client.post(
        "/operations/post_payment", json={"account": "A1", "amount": [1]}, headers=h
    )
    assert not_money.status_code == 422
    assert not_money.json()["errors"][0]["field"] == "body.amount"


def test_an_unknown_operation_names_the_closest(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    answer = client.post("/operations/file_cas", json={}, headers=headers["integrator"])
    assert answer.status_code == 404
    assert answer.json()["detail"].startswith("unknown operation 'file_cas' (did you mean")


def test_payment_and_case_reads(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    h = headers["integrator"]
    paid = client.post(
        "/operations/post_payment", json={"account": "A1", "amount": "100.00"}, headers=h
    )
    assert paid.status_code == 200, paid.text
    payment = paid.json()["result"]["payment"]
    detail = client.get(f"/payments/{payment}", headers=headers["viewer"]).json()
    assert detail["amount"] == "100.00"
    assert {a["bucket"] for a in detail["allocations"]} == {"principal"}

    opened = client.post(
        "/operations/open_case",
        json={"case": "C1", "accounts": ["A1"], "defendants": ["P1"], "court": "Cook County"},
        headers=h,
    )
    assert opened.status_code == 200, opened.text
    engine.process()
    case = client.get("/cases/C1", headers=headers["viewer"]).json()
    assert case["court"] == "Cook County"
    assert [a["id"] for a in case["accounts"]] == ["A1"]
    assert client.get("/accounts/A1", headers=headers["viewer"]).json()["cases"] == ["C1"]
