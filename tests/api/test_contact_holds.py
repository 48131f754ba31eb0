"""Contact holds over HTTP: recorded and lifted by the generic operation routes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from engine.runtime.engine import Engine
from tests.api.conftest import Place


def test_a_hold_is_lifted_and_a_second_lift_is_refused(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, place: Place
) -> None:
    place("A1")
    h, v = headers["integrator"], headers["viewer"]
    for hold in ("record_dispute", "record_bankruptcy"):
        assert client.post(f"/operations/{hold}", json={"account": "A1"}, headers=h).is_success
    assert client.get("/accounts/A1", headers=v).json()["holds"] == ["bankruptcy", "dispute"]

    lifted = client.post(
        "/operations/lift_contact_hold",
        json={"account": "A1", "hold": "dispute", "detail": "dispute withdrawn"},
        headers=h,
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json() == {
        "operation": "lift_contact_hold",
        "result": {"account": "A1", "lifted": "dispute", "holds": ["bankruptcy"]},
    }
    engine.process()
    assert client.get("/accounts/A1", headers=v).json()["holds"] == ["bankruptcy"]

    again = client.post(
        "/operations/lift_contact_hold", json={"account": "A1", "hold": "dispute"}, headers=h
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "account 'A1' has no dispute hold (its holds: bankruptcy)"
    unknown = client.post(
        "/operations/lift_contact_hold", json={"account": "A9", "hold": "dispute"}, headers=h
    )
    assert unknown.status_code == 404
    assert (
        client.post("/operations/lift_contact_hold", json={"account": "A1"}, headers=h).status_code
        == 422
    )
    viewer = client.post(
        "/operations/lift_contact_hold", json={"account": "A1", "hold": "bankruptcy"}, headers=v
    )
    assert viewer.status_code == 403
    assert client.get("/accounts/A1", headers=v).json()["holds"] == ["bankruptcy"]
