"""The record reads as OpenAPI documents them, and their answers for unknown ids.

The reads are made by one factory; these pins keep what integrators' generated clients see
(operation ids, summaries, descriptions, response models, the path parameter) as it was.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.api.deps import MAX_INT

# path -> (operation id, the 200 response schema, what a 404 names)
READS: dict[str, tuple[str, dict[str, Any], str]] = {
    "/accounts/{account_id}": (
        "get_account_accounts__account_id__get",
        {"$ref": "#/components/schemas/AccountOut"},
        "account",
    ),
    "/parties/{party_id}": (
        "get_party_parties__party_id__get",
        {"$ref": "#/components/schemas/PartyRecord"},
        "party",
    ),
    "/cases/{case_id}": ("get_case_cases__case_id__get", {}, "case"),
    "/judgments/{judgment_id}": ("get_judgment_judgments__judgment_id__get", {}, "judgment"),
    "/payments/{payment_id}": ("get_payment_payments__payment_id__get", {}, "payment"),
    "/settlements/{settlement_id}": (
        "get_settlement_settlements__settlement_id__get",
        {},
        "settlement",
    ),
    "/offers/{offer_id}": ("get_offer_offers__offer_id__get", {}, "offer"),
    "/follow-ups/{follow_up_id}": (
        "get_follow_up_follow_ups__follow_up_id__get",
        {},
        "follow-up",
    ),
}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


@pytest.mark.parametrize("path", list(READS))
def test_each_read_is_documented_as_before(document: dict[str, Any], path: str) -> None:
    operation_id, model, _ = READS[path]
    read = document["paths"][path]["get"]
    param = path.split("{")[1].rstrip("}")
    assert read["operationId"] == operation_id
    assert read["summary"] == "Get " + param.removesuffix("_id").replace("_", " ").title()
    assert read["description"].endswith(".")
    assert read["x-docket-role"] == "viewer" and read["tags"] == ["records"]
    schema = read["responses"]["200"]["content"]["application/json"]["schema"]
    if model:
        assert schema == model
    else:  # a free-form detail object
        assert (schema["type"], schema["additionalProperties"]) == ("object", True)
    assert {"401", "403", "404", "422"} <= set(read["responses"])
    [parameter] = read["parameters"]
    assert (parameter["name"], parameter["in"], parameter["required"]) == (param, "path", True)
    if param == "payment_id":
        assert parameter["schema"]["type"] == "integer"
        assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, MAX_INT)
    else:
        assert parameter["schema"]["type"] == "string"
        assert (parameter["schema"]["minLength"], parameter["schema"]["maxLength"]) == (1, 64)


def test_the_reads_are_all_the_records_router_serves(document: dict[str, Any]) -> None:
    records = {
        path
        for path, methods in document["paths"].items()
        if methods.get("get", {}).get("tags") == ["records"]
    }
    assert records == set(READS)


@pytest.mark.parametrize("path", list(READS))
def test_an_unknown_id_is_a_not_found_problem_naming_it(
    client: TestClient, headers: dict[str, dict[str, str]], path: str
) -> None:
    _, _, what = READS[path]
    ident = "77" if what == "payment" else "NOPE"
    answer = client.get(path.split("{")[0] + ident, headers=headers["viewer"])
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == f"unknown {what} '{ident}'"


def test_a_read_needs_a_token_and_checks_the_path_parameter(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    assert client.get("/accounts/A1").status_code == 401
    assert client.get("/payments/0", headers=headers["viewer"]).status_code == 422
    assert client.get("/payments/x", headers=headers["viewer"]).status_code == 422
    assert client.get("/cases/" + "C" * 65, headers=headers["viewer"]).status_code == 422
