"""The console over plain HTTP: sign-in, session cookie, CSRF, roles, redirects."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from sqlalchemy import select

from engine.domain import models as m
from tests.console.conftest import Desk


def _sign_in(client: Any, token: str, after: str = "/console") -> None:
    answer = client.post(
        "/console/login", data={"token": token, "next": after}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == after
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def test_a_page_without_a_session_sends_the_browser_to_sign_in(client: Any) -> None:
    answer = client.get("/console/accounts/A1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=/console/accounts/A1"


def test_an_unknown_token_is_refused_on_the_sign_in_page(client: Any) -> None:
    answer = client.post("/console/login", data={"token": "dkt_nope", "next": "/console"})
    assert answer.status_code == 401
    assert "the token is unknown, malformed or revoked" in answer.text
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_the_account_page_shows_pills_balances_parties_case_judgment_and_timeline(
    client: Any, desk: Desk
) -> None:
    _sign_in(client, desk.tokens["viewer"])
    page = client.get("/console/accounts/A1").text
    assert "ACTIVE JUDGMENT" in page and "--pill: purple" in page  # the configured pill
    assert "869.31" in page  # principal after the mirrored judgment payment
    assert "Dana Reyes" in page
    assert "Case C1" in page and "Judgment J1" in page
    assert "onCaseJudgment" in page or "onAfterJudgmentSpread" in page  # the timeline
    assert "ran" in page  # a trigger considered, with its outcome


def test_a_viewer_never_sees_admin_pages(client: Any, desk: Desk) -> None:
    _sign_in(client, desk.tokens["viewer"])
    home = client.get("/console").text
    assert 'href="/console/rules"' not in home and 'href="/console/outbox"' not in home
    for path in ("/console/rules", "/console/outbox", "/console/failed", "/console/versions"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "this page needs the admin role; 'console-viewer' is viewer" in unescape(answer.text)
    csrf = _csrf(home)
    answer = client.post("/console/outbox/1/retry", data={"csrf": csrf})
    assert answer.status_code == 403


def test_a_form_without_its_csrf_token_changes_nothing(client: Any, desk: Desk) -> None:
    _sign_in(client, desk.tokens["integrator"])
    task_id = desk.engine.read(lambda s: s.scalar(select(m.Task.id)))
    answer = client.post(f"/console/tasks/{task_id}/complete", data={"csrf": "forged"})
    assert answer.status_code == 403
    assert desk.engine.read(lambda s: s.get(m.Task, task_id).status) == "open"

    csrf = _csrf(client.get("/console/tasks").text)
    done = client.post(
        f"/console/tasks/{task_id}/complete",
        data={"csrf": csrf, "note": "Rang"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert desk.engine.read(lambda s: s.get(m.Task, task_id).status) == "done"
    notes = desk.engine.read(lambda s: list(s.scalars(select(m.Note.text))))
    assert f"Task {task_id} done: Rang" in notes


def test_sign_in_never_redirects_off_the_console(client: Any, desk: Desk) -> None:
    answer = client.post(
        "/console/login",
        data={"token": desk.tokens["viewer"], "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/console"


def test_a_revoked_token_ends_the_session(client: Any, desk: Desk) -> None:
    _sign_in(client, desk.tokens["admin"])
    assert client.get("/console/versions").status_code == 200
    with desk.engine.unit("test") as unit:
        for row in unit.session.scalars(select(m.ApiToken)):
            row.revoked_at = unit.now
    assert client.get("/console/versions", follow_redirects=False).status_code == 303


def test_the_console_is_not_in_the_openapi_document(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/console")]
