"""The console's admin pages: rules (graph and coverage), outbox, failed events, versions."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from engine.api.console import rules
from engine.api.console.render import page
from engine.api.console.session import check_csrf, signed_in
from engine.api.deps import state
from engine.api.problems import ProblemError
from engine.domain import models as m
from engine.outbox import OutboxError, admin
from engine.runtime.archive import archived_files

router = APIRouter(prefix="/console", include_in_schema=False)
OUTBOX_VIEWS = ("dead", "in_doubt", "blocked", "deferred", "pending", "sent", "cancelled")


@router.get("/rules", response_class=HTMLResponse)
async def rules_page(request: Request, days: int = 30) -> Response:
    identity, session = await signed_in(request, "admin")
    engine = state(request).engine
    assert engine.clock is not None
    days = min(max(days, 1), 3650)
    since = engine.clock.today() - timedelta(days=days)
    covered = engine.read(lambda s: rules.coverage(s, engine.ruleset, since))
    return page(
        request,
        "rules.html",
        identity,
        session,
        graph=rules.graph(engine.ruleset),
        coverage=covered,
        days=days,
        since=since,
        version=engine.ruleset.hash,
    )


@router.get("/rules/source", response_class=HTMLResponse)
async def rules_source(request: Request, file: str) -> Response:
    """A configuration file of the running version, numbered (nodes link to their line)."""
    identity, session = await signed_in(request, "admin")
    engine = state(request).engine
    files = engine.read(lambda s: archived_files(s, engine.ruleset.hash)) or {}
    if file not in files:
        return page(request, "missing.html", identity, session, 404, what=f"file {file}")
    lines = files[file].splitlines()
    return page(request, "source.html", identity, session, file=file, lines=lines)


@router.get("/outbox", response_class=HTMLResponse)
async def outbox(request: Request, status: str = "dead") -> Response:
    identity, session = await signed_in(request, "admin")
    status = status if status in OUTBOX_VIEWS else "dead"
    st = state(request)
    redact = st.redactor()

    def read(s: Any) -> list[dict[str, Any]]:
        rows = s.scalars(
            select(m.OutboxMessage)
            .where(m.OutboxMessage.status == status)
            .order_by(m.OutboxMessage.id.desc())
            .limit(200)
        )
        return [admin.summary(row, redact) for row in rows]

    messages = st.engine.read(read)
    return page(
        request,
        "outbox.html",
        identity,
        session,
        status=status,
        views=OUTBOX_VIEWS,
        messages=messages,
        retryable=status in admin.RETRYABLE,
        cancellable=status in admin.CANCELLABLE,
    )


@router.post("/outbox/{message_id}/{action}")
async def outbox_action(
    request: Request, message_id: int, action: str, csrf: Annotated[str, Form()] = ""
) -> Response:
    _identity, session = await signed_in(request, "admin")
    check_csrf(session, csrf)
    if action not in ("retry", "cancel"):
        raise ProblemError(404, f"no action '{action}'", kind="not-found")
    with state(request).writing("console") as unit:
        try:
            row = getattr(admin, action)(unit.session, str(message_id))
        except OutboxError as exc:
            raise ProblemError(409, str(exc), kind="refused") from None
        status = row.status
    done = f"Message {message_id}: {'queued again' if action == 'retry' else 'cancelled'}"
    return RedirectResponse(f"/console/outbox?status={status}&done={done}", status_code=303)


@router.get("/failed", response_class=HTMLResponse)
async def failed(request: Request) -> Response:
    identity, session = await signed_in(request, "admin")

    def read(s: Any) -> list[Any]:
        return list(
            s.scalars(
                select(m.InboxEvent)
                .where(m.InboxEvent.status == "failed")
                .order_by(m.InboxEvent.seq)
            )
        )

    events = state(request).engine.read(read)
    return page(request, "failed.html", identity, session, events=events)


@router.post("/failed/{event_id}/retry")
async def redrive(request: Request, event_id: str, csrf: Annotated[str, Form()] = "") -> Response:
    _identity, session = await signed_in(request, "admin")
    check_csrf(session, csrf)
    st = state(request)
    with st.gate.turn("ingest"):
        [answer] = st.engine.retry([event_id])
    note = f"Event {event_id}: {answer.status}" + (f" ({answer.reason})" if answer.reason else "")
    return RedirectResponse(f"/console/failed?done={note}", status_code=303)


@router.get("/versions", response_class=HTMLResponse)
async def versions(request: Request) -> Response:
    identity, session = await signed_in(request, "admin")

    def read(s: Any) -> list[Any]:
        return list(s.scalars(select(m.RuleSetVersion).order_by(m.RuleSetVersion.loaded_at.desc())))

    rows = state(request).engine.read(read)
    return page(
        request,
        "versions.html",
        identity,
        session,
        versions=rows,
        running=state(request).engine.ruleset.hash,
    )
