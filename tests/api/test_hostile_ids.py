"""Issue 17, finding 3: one id rule for every id the API is given, the same on SQLite and
PostgreSQL, and uploads that never land outside their folder. A refused id is a 422 naming
its field, and nothing is stored."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Place

Headers = dict[str, dict[str, str]]

LONGEST = "L" * 63 + "9"  # 64 characters: the longest id
TOO_LONG = "L" * 65
# Ids that must be refused, and the reason the message gives.
BAD_IDS = [
    ("..", "it begins with '.'"),
    ("../etc", "it begins with '.'"),
    ("a/b", "it holds '/'"),
    (" B1 ", "it has spaces around it"),
    ("B1 ", "it has spaces around it"),
    ("A\u202e1", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("A\u200b1", "U+200B (ZERO WIDTH SPACE)"),
    ("A\u00001", "an invisible or control character"),
    ("A 1", "it holds ' '"),
    ("Ä1", "it begins with '\\xc4'"),
    (TOO_LONG, "it is 65 characters long"),
    ("", "it is empty"),
]


def _refused(answer: Any, field: str) -> str:
    """The message of a 422 that names ``field``."""
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == [field], errors
    return str(errors[0]["message"])


@pytest.mark.parametrize(("bad", "reason"), BAD_IDS)
def test_open_case_refuses_an_id_out_of_the_rule_naming_the_field(
    client: TestClient, headers: Headers, place: Place, bad: str, reason: str
) -> None:
    place("A1")
    h = headers["integrator"]
    answer = client.post("/operations/open_case", json={"case": bad, "accounts": ["A1"]}, headers=h)
    message = _refused(answer, "body.case")
    assert reason in message
    assert "ids are 1 to 64 characters" in message
    assert "\u202e" not in answer.text and "\u200b" not in answer.text  # escaped, not echoed
    account = client.get("/accounts/A1", headers=headers["viewer"]).json()
    assert account["cases"] == []


@pytest.mark.parametrize(
    ("operation", "body", "field"),
    [
        ("place_account", {"account": " B1 ", "client": "ACME"}, "body.account"),
        ("place_account", {"account": "B1", "client": "ACME", "bundle": " B1 "}, "body.bundle"),
        ("place_account", {"id": "B\u202e1", "client": "ACME"}, "body.id"),
        ("place_account", {"account": "B1", "client": "AC ME"}, "body.client"),
        ("open_case", {"case": "C1", "accounts": [" A1 "]}, "body.accounts.0"),
        ("create_settlement", {"settlement": "S 1", "account": "A1", "amount": "100"}, None),
        ("create_offer", {"offer": "O\u200b1", "account": "A1", "amount": "10"}, None),
        ("open_follow_up", {"kind": "dispute", "account": "A1", "follow_up": ".."}, None),
        ("post_payment", {"account": " A1 ", "amount": "10.00"}, "body.account"),
    ],
)
def test_every_operation_refuses_ids_out_of_the_rule(
    client: TestClient,
    headers: Headers,
    place: Place,
    operation: str,
    body: dict[str, Any],
    field: str | None,
) -> None:
    place("A1")
    answer = client.post(f"/operations/{operation}", json=body, headers=headers["integrator"])
    name = next(k for k in ("settlement", "offer", "follow_up") if k in body) if not field else ""
    _refused(answer, field or f"body.{name}")


def test_an_id_is_never_stripped_so_spaces_cannot_make_a_second_account(
    client: TestClient, headers: Headers, place: Place
) -> None:
    # Before: " B1 " was stored as given and stripped elsewhere, so it could not join a case.
    place("B1")
    h = headers["integrator"]
    spaced = client.post(
        "/operations/place_account", json={"account": " B1 ", "client": "ACME"}, headers=h
    )
    assert "it has spaces around it" in _refused(spaced, "body.account")
    party = client.put("/parties/%20P2%20", json={"name": "Spaced"}, headers=h)
    assert "it has spaces around it" in _refused(party, "path.party_id")
    assert client.get("/parties/%20P2%20", headers=h).status_code == 404


def test_the_longest_id_is_kept_on_every_backend_and_one_more_is_a_422(
    client: TestClient, headers: Headers, engine: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DOCKET_DOCUMENTS", str(tmp_path / "documents"))
    h = headers["integrator"]

    def post(operation: str, **body: Any) -> Any:
        return client.post(f"/operations/{operation}", json=body, headers=h)

    assert client.put(f"/parties/{LONGEST}", json={"name": "Long"}, headers=h).status_code == 200
    placed = post(
        "place_account",
        account=LONGEST,
        client="ACME",
        bundle=LONGEST,
        parties=[LONGEST],
        balances={"principal": "900.00"},
    )
    assert placed.status_code == 200, placed.text
    engine.process()
    opened = post("open_case", case=LONGEST, accounts=[LONGEST], defendants=[LONGEST])
    assert opened.status_code == 200, opened.text
    content = base64.b64encode(b"%PDF-1.4 complaint").decode()
    uploaded = post("upload_case_document", case=LONGEST, name="complaint.pdf", content=content)
    assert uploaded.status_code == 200, uploaded.text
    offered = post("create_offer", offer=LONGEST, account=LONGEST, amount="500.00", term_days=30)
    assert offered.status_code == 200, offered.text
    settled = post("create_settlement", settlement=LONGEST, account=LONGEST, amount="600.00")
    assert settled.status_code == 200, settled.text
    follow_up = post("open_follow_up", kind="dispute", account=LONGEST, follow_up=LONGEST)
    assert follow_up.status_code == 200, follow_up.text
    event = client.post("/events", json={"name": "onDispute", "account": LONGEST}, headers=h)
    assert event.status_code == 202, event.text
    engine.process()
    for path in ("accounts", "parties", "cases", "offers", "settlements", "follow-ups"):
        read = client.get(f"/{path}/{LONGEST}", headers=h)
        assert read.status_code == 200, (path, read.text)

    # One character more is refused by the API on both backends, never by the database.
    assert "65 characters" in _refused(
        post("place_account", account=TOO_LONG, client="ACME"), "body.account"
    )
    assert "65 characters" in _refused(
        client.put(f"/parties/{TOO_LONG}", json={}, headers=h), "path.party_id"
    )
    _refused(
        client.post("/events", json={"name": "onDispute", "account": TOO_LONG}, headers=h),
        "body.account",
    )
    # A follow-up id made from a long subject id is checked too, instead of failing in the store.
    made = post("open_follow_up", kind="installment_plan", account=LONGEST)
    assert "it is 81 characters long" in _refused(made, "body.follow_up")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("..", "not a plain file name"),
        ("../escape.pdf", "not a plain file name"),
        (" complaint.pdf", "not a plain file name"),
        ("complaint\u202efdp.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("a\u200b.pdf", "U+200B (ZERO WIDTH SPACE)"),
    ],
)
def test_a_document_name_is_a_plain_name_and_the_file_stays_in_its_folder(
    client: TestClient,
    headers: Headers,
    place: Place,
    tmp_path: Path,
    monkeypatch: Any,
    name: str,
    reason: str,
) -> None:
    folder = tmp_path / "documents"
    monkeypatch.setenv("DOCKET_DOCUMENTS", str(folder))
    place("A1")
    h = headers["integrator"]
    assert (
        client.post(
            "/operations/open_case", json={"case": "C1", "accounts": ["A1"]}, headers=h
        ).status_code
        == 200
    )
    content = base64.b64encode(b"%PDF-1.4 x").decode()
    body = {"case": "C1", "name": name, "content": content}
    assert reason in _refused(
        client.post("/operations/upload_case_document", json=body, headers=h), "body.name"
    )
    body["name"] = "complaint.pdf"
    stored = client.post("/operations/upload_case_document", json=body, headers=h)
    assert stored.status_code == 200, stored.text
    files = [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith("docket.db")]
    assert files and all(p.resolve().is_relative_to(folder.resolve()) for p in files), files
    assert [p.parent.name for p in files] == ["C1"]
