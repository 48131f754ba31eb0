"""The console pages every signed-in user sees: home, account, worklists, tasks, events."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.api.auth import authorize
from engine.api.console import views
from engine.api.console.render import page
from engine.api.console.session import COOKIE, check_csrf, sessions, signed_in
from engine.api.deps import state
from engine.api.problems import ProblemError
from engine.api.routers.work import _complete
from engine.api.schemas import TaskComplete
from engine.domain import models as m
from engine.runtime import event_detail

router = APIRouter(prefix="/console", include_in_schema=False)
PageNo = Annotated[int, Query(ge=1, le=100_000)]


def _safe_next(target: str | None) -> str:
    """Only a console path: never another site (an open redirect)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", None, None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request, token: Annotated[str, Form(max_length=200)], next: Annotated[str, Form()] = ""
) -> Response:
    try:
        await authorize(request, "viewer", token.strip())
    except ProblemError as exc:
        return page(request, "login.html", None, None, 401, next=_safe_next(next), error=exc.detail)
    sid, _ = sessions(request).open(token.strip())
    answer = RedirectResponse(_safe_next(next), status_code=303)
    answer.set_cookie(
        COOKIE,
        sid,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/console",
    )
    return answer


@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    _identity, session = await signed_in(request, "viewer")
    check_csrf(session, csrf)
    sessions(request).close(request.cookies.get(COOKIE))
    answer = RedirectResponse("/console/login", status_code=303)
    answer.delete_cookie(COOKIE, path="/console")
    return answer


@router.get("", response_class=HTMLResponse)
async def home(request: Request, account: str | None = None) -> Response:
    identity, session = await signed_in(request, "viewer")
    if account:
        return RedirectResponse(f"/console/accounts/{quote(account.strip(), safe='')}", 303)
    engine = state(request).engine
    lists = engine.read(lambda s: views.worklists(s, engine.ruleset))
    return page(request, "home.html", identity, session, worklists=lists)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
async def account(request: Request, account_id: str) -> Response:
    identity, session = await signed_in(request, "viewer")
    engine = state(request).engine
    assert engine.clock is not None
    today = engine.clock.today()

    def read(s: Any) -> dict[str, Any] | None:
        row = s.get(m.Account, account_id)
        return None if row is None else views.account_page(s, engine.ruleset, row, today)

    found = engine.read(read)
    if found is None:
        return page(request, "missing.html", identity, session, 404, what=f"account {account_id}")
    return page(request, "account.html", identity, session, **found)


@router.get("/events/{event_id}", response_class=HTMLResponse)
async def event(request: Request, event_id: str) -> Response:
    identity, session = await signed_in(request, "viewer")
    found = state(request).engine.read(lambda s: event_detail(s, event_id))
    if found is None:
        return page(request, "missing.html", identity, session, 404, what=f"event {event_id}")
    return page(request, "event.html", identity, session, event=found)


@router.get("/worklists", response_class=HTMLResponse)
async def worklists(request: Request, worklist: str | None = None, page_no: PageNo = 1) -> Response:
    identity, session = await signed_in(request, "viewer")
    engine = state(request).engine
    lists = engine.read(lambda s: views.worklists(s, engine.ruleset))
    chosen = worklist or (lists[0]["id"] if lists else None)
    rows = (
        engine.read(lambda s: views.worklist_accounts(s, engine.ruleset, chosen, page_no - 1))
        if chosen
        else None
    )
    return page(
        request, "worklists.html", identity, session, worklists=lists, chosen=chosen, listing=rows
    )


@router.get("/tasks", response_class=HTMLResponse)
async def tasks(request: Request, status: str = "open", page_no: PageNo = 1) -> Response:
    identity, session = await signed_in(request, "viewer")
    status = status if status in ("open", "done") else "open"
    listing = state(request).engine.read(lambda s: views.tasks(s, status, page_no - 1))
    return page(request, "tasks.html", identity, session, status=status, listing=listing)


@router.post("/tasks/{task_id}/complete")
async def complete(
    request: Request,
    task_id: int,
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    _identity, session = await signed_in(request, "integrator")
    check_csrf(session, csrf)
    body = TaskComplete(note=note.strip() or None) if note.strip() else None
    with state(request).writing("console") as unit:
        _complete(unit, task_id, body)
    return RedirectResponse(f"/console/tasks?done=Task+{task_id}+completed", status_code=303)
