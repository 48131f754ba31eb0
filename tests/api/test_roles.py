"""The role × endpoint matrix, walked over the app's own routes.

Every route must have a rule here (a new route without one fails); each is called with no
token (401 unless open), with each role below its own (403) and with each role at or above it
(anything but 401/403). The role each route publishes (``x-docket-role``) must match.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from engine.api.auth import OPEN
from engine.domain.operations import OPERATIONS
from engine.runtime.engine import Engine

RANK = {"viewer": 0, "integrator": 1, "admin": 2}

EXPECTED: dict[tuple[str, str], str] = {
    ("POST", "/events"): "integrator",
    ("GET", "/events"): "viewer",
    ("POST", "/events/{event_id}/retry"): "admin",
    ("GET", "/operations"): "viewer",
    ("POST", "/operations/{name}"): "integrator",
    ("GET", "/accounts/{account_id}"): "viewer",
    ("GET", "/accounts/{account_id}/explain"): "viewer",
    ("GET", "/parties/{party_id}"): "viewer",
    ("PUT", "/parties/{party_id}"): "integrator",
    ("GET", "/cases/{case_id}"): "viewer",
    ("GET", "/cases/{case_id}/explain"): "viewer",
    ("GET", "/judgments/{judgment_id}"): "viewer",
    ("GET", "/payments/{payment_id}"): "viewer",
    ("GET", "/settlements/{settlement_id}"): "viewer",
    ("GET", "/offers/{offer_id}"): "viewer",
    ("GET", "/follow-ups/{follow_up_id}"): "viewer",
    ("GET", "/runs/{run_id}"): "viewer",
    ("GET", "/events/{event_id}"): "viewer",
    ("GET", "/worklists"): "viewer",
    ("GET", "/worklists/{worklist_id}/accounts"): "viewer",
    ("GET", "/tasks"): "viewer",
    ("POST", "/tasks/{task_id}/complete"): "integrator",
    ("GET", "/outbox"): "viewer",
    ("POST", "/outbox/{message_id}/retry"): "admin",
    ("GET", "/config"): "viewer",
    ("POST", "/config/validate"): "admin",
    ("POST", "/config/reload"): "admin",
    ("GET", "/tokens"): "admin",
    ("POST", "/tokens"): "admin",
    ("DELETE", "/tokens/{token_id}"): "admin",
    ("GET", "/health"): OPEN,
    ("GET", "/metrics"): "viewer",
}
# Every domain operation is an integrator's.
EXPECTED.update({("POST", f"/operations/{name}"): "integrator" for name in OPERATIONS})


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """The app's API routes, through included routers (kept nested by newer FastAPI). The
    console's pages check roles through their session (tests/console covers them)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute) and not route.path.startswith("/console"):
            found.append(route)
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found.extend(_api_routes(list(inner.routes)))
    return found


def _routes(client: TestClient) -> list[tuple[str, str, APIRoute]]:
    found = []
    for route in _api_routes(list(client.app.routes)):  # type: ignore[attr-defined]
        found.extend((method, route.path, route) for method in sorted(route.methods))
    return found


def _url(path: str) -> str:
    # Numbers for numeric ids, a plain word for the others.
    path = re.sub(r"\{(run_id|task_id|message_id|payment_id)\}", "1", path)
    return re.sub(r"\{[a-z_]+\}", "x", path)


def test_every_route_has_a_rule_and_publishes_it(client: TestClient) -> None:
    routes = _routes(client)
    missing = sorted({(method, path) for method, path, _ in routes} - set(EXPECTED))
    assert not missing, f"routes without a role rule: {missing}"
    stale = sorted(set(EXPECTED) - {(method, path) for method, path, _ in routes})
    assert not stale, f"rules for routes that do not exist: {stale}"
    document = client.get("/openapi.json").json()["paths"]
    for method, path, _ in routes:
        published = document[path][method.lower()]["x-docket-role"]
        assert published == EXPECTED[(method, path)], (method, path)


def test_role_matrix(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine
) -> None:
    failures = []
    for method, path, _ in _routes(client):
        need = EXPECTED[(method, path)]
        url = _url(path)
        body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
        anonymous = client.request(method, url, json=body)
        if need == OPEN:
            if anonymous.status_code in (401, 403):
                failures.append(f"{method} {path}: open, but anonymous got {anonymous.status_code}")
            continue
        if anonymous.status_code != 401 or "Bearer" not in anonymous.headers.get(
            "www-authenticate", ""
        ):
            failures.append(f"{method} {path}: anonymous got {anonymous.status_code}")
        for role, rank in RANK.items():
            answer = client.request(method, url, json=body, headers=headers[role])
            allowed = rank >= RANK[need]
            if allowed and answer.status_code in (401, 403):
                failures.append(f"{method} {path}: {role} refused ({answer.status_code})")
            if not allowed and answer.status_code != 403:
                failures.append(f"{method} {path}: {role} got {answer.status_code}, not 403")
    assert not failures, "\n".join(failures)


def test_bad_and_revoked_tokens(
    client: TestClient, headers: dict[str, dict[str, str]], tokens: dict[str, str]
) -> None:
    for value in ("Bearer nonsense", "Bearer dkt_abc_def", "Basic dXNlcjpwYXNz", "dkt_x_y"):
        answer = client.get("/config", headers={"Authorization": value})
        assert answer.status_code == 401, value
        assert answer.headers["content-type"] == "application/problem+json"
    tampered = tokens["admin"][:-2] + ("AA" if not tokens["admin"].endswith("AA") else "BB")
    assert client.get("/config", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401

    made = client.post(
        "/tokens", json={"role": "viewer", "name": "temp"}, headers=headers["admin"]
    ).json()
    mine = {"Authorization": f"Bearer {made['token']}"}
    assert client.get("/config", headers=mine).status_code == 200
    listed = client.get("/tokens", headers=headers["admin"]).json()
    assert "temp" in [t["name"] for t in listed]
    assert all("token" not in t and "digest" not in t for t in listed)
    revoked = client.delete(f"/tokens/{made['id']}", headers=headers["admin"])
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get("/config", headers=mine).status_code == 401

    admin_id = next(t["id"] for t in listed if t["name"] == "test-admin")
    self_revoke = client.delete(f"/tokens/{admin_id}", headers=headers["admin"])
    assert self_revoke.status_code == 409
    assert client.get("/config", headers=headers["admin"]).status_code == 200
