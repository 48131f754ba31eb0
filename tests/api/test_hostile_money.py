"""Issue 17, findings 6 and 7: an amount is text with at most two decimal places or a whole
number, refused otherwise (never rounded, never read through a float) with a 422 naming the
field; a time zone is one of the tz database."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Place

Headers = dict[str, dict[str, str]]

# JSON bodies are sent as text so the numbers reach the server exactly as written here.
BAD_AMOUNTS = [
    ('"10.12345"', "it has more than two decimal places"),
    ('"0.005"', "it has more than two decimal places"),
    ('"12.345"', "it has more than two decimal places"),
    ("1.005", "it is a binary number, not text"),
    ("10.5", "it is a binary number, not text"),
    ("1e20", "it is a binary number, not text"),
    ('"1e20"', "it is not digits with at most two decimal places"),
    ('"NaN"', "it is not digits with at most two decimal places"),
    ('"Infinity"', "it is not digits with at most two decimal places"),
    ('"\uff11\uff10.\uff10\uff10"', "characters other than ASCII digits"),  # full-width 10.00
    ('" 10.00"', "it has spaces around it"),
    ('"10.00 "', "it has spaces around it"),
    ('"1,000.00"', "it is not digits with at most two decimal places"),
    ("100000000000000000000", "it is larger than 999999999999.99"),
    ('"1000000000000.00"', "it is larger than 999999999999.99"),
    ("true", "True is not an amount"),
]


def _post(client: TestClient, headers: Headers, operation: str, body: str) -> Any:
    h = {**headers["integrator"], "content-type": "application/json"}
    return client.post(f"/operations/{operation}", content=body.encode(), headers=h)


def _refused(answer: Any, field: str) -> str:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == [field], errors
    assert "refused by the database" not in answer.text and "SQLite" not in answer.text
    return str(errors[0]["message"])


@pytest.mark.parametrize(("amount", "reason"), BAD_AMOUNTS)
def test_a_payment_amount_out_of_form_is_a_422_and_posts_nothing(
    client: TestClient, headers: Headers, place: Place, amount: str, reason: str
) -> None:
    place("A1", principal="1200.00")
    answer = _post(client, headers, "post_payment", f'{{"account": "A1", "amount": {amount}}}')
    message = _refused(answer, "body.amount")
    assert reason in message
    assert 'text like "1200.50" with at most two decimal places' in message
    account = client.get("/accounts/A1", headers=headers["viewer"]).json()
    assert account["balance"] == "1200.00" and account["last_payment_date"] is None


def test_amounts_are_read_exactly_as_text_or_whole_numbers(
    client: TestClient, headers: Headers, place: Place, engine: Any
) -> None:
    place("A1", principal="1200.00")
    for body in ('{"account": "A1", "amount": "10.1"}', '{"account": "A1", "amount": 5}'):
        assert _post(client, headers, "post_payment", body).status_code == 200
    engine.process()
    assert client.get("/accounts/A1", headers=headers["viewer"]).json()["balance"] == "1184.90"


@pytest.mark.parametrize(
    ("operation", "body", "field"),
    [
        (
            "place_account",
            '{"account": "A2", "client": "ACME", "balances": {"principal": "10.12345"}}',
            "body.balances.principal",
        ),
        (
            "create_settlement",
            '{"settlement": "S1", "account": "A1", "amount": 600.5}',
            "body.amount",
        ),
        (
            # Nested amounts reach the operation, which refuses them naming the same path.
            "create_settlement",
            '{"settlement": "S1", "account": "A1", "amount": "600.00", '
            '"installments": [{"due_date": "2026-06-01", "amount": "0.005"}]}',
            "body.installments.0.amount",
        ),
        (
            "create_settlement",
            '{"settlement": "S1", "account": "A1", "amount": "600.00", '
            '"claims": [{"claimant": "P1", "amount": 1.005}]}',
            "body.claims.0.amount",
        ),
        ("create_offer", '{"offer": "O1", "account": "A1", "amount": " 500"}', "body.amount"),
    ],
)
def test_every_amount_is_checked_naming_its_field(
    client: TestClient, headers: Headers, place: Place, operation: str, body: str, field: str
) -> None:
    place("A1")
    message = _refused(_post(client, headers, operation, body), field)
    assert "must be an amount of money" in message


@pytest.mark.parametrize(
    ("timezone", "hint"),
    [
        ("Mars/Olympus", ""),
        ("UTC+25", ""),
        ("", ""),
        (" America/Chicago", ""),
        ("America/Chicgo", "(did you mean 'America/Chicago'?)"),
        ("../../etc/passwd", ""),
    ],
)
def test_a_party_time_zone_outside_the_tz_database_is_a_422(
    client: TestClient, headers: Headers, timezone: str, hint: str
) -> None:
    h = headers["integrator"]
    answer = client.put("/parties/P2", json={"name": "Zoned", "timezone": timezone}, headers=h)
    message = _refused(answer, "body.timezone")
    assert "is not a time zone of the tz database" in message and hint in message
    assert client.get("/parties/P2", headers=h).status_code == 404
    kept = client.put("/parties/P2", json={"timezone": "America/Chicago"}, headers=h)
    assert kept.status_code == 200 and kept.json()["timezone"] == "America/Chicago"
