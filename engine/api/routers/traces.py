"""Runs and traces: why something fired, and why not."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from engine.api.auth import guard
from engine.api.deps import IdPath, IntPath, state
from engine.api.problems import COMMON, ProblemError, responses
from engine.domain import models as m
from engine.runtime import event_detail, run_detail
from engine.scheduler.explain import explain

router = APIRouter(tags=["traces"], responses=responses(*COMMON, 404))

Detail = dict[str, Any]


@router.get("/runs/{run_id}", response_model=Detail, **guard("viewer"))
def get_run(request: Request, run_id: IntPath) -> dict[str, Any]:
    """One run: its path, trigger, status, and every step's result and condition value."""
    found = state(request).engine.read(lambda s: run_detail(s, run_id))
    if found is None:
        raise ProblemError(404, f"unknown run {run_id}", kind="not-found")
    return found


@router.get("/events/{event_id}", response_model=Detail, **guard("viewer"))
def get_event(request: Request, event_id: IdPath) -> dict[str, Any]:
    """An event's trace: its status (or rejection reason), each trigger considered with its
    outcome (ran, condition_false, unless_true, suspended, already_fired) and values."""
    found = state(request).engine.read(lambda s: event_detail(s, event_id))
    if found is None:
        raise ProblemError(404, f"unknown event '{event_id}'", kind="not-found")
    return found


AsOf = Annotated[
    date | None,
    Query(
        alias="date",
        description="Business date the date triggers are told as of (default: today).",
    ),
]
EventName = Annotated[str | None, Query(max_length=80, description="Only this event name.")]


@router.get("/accounts/{account_id}/explain", response_model=Detail, **guard("viewer"))
def explain_account(
    request: Request, account_id: IdPath, event: EventName = None, as_of: AsOf = None
) -> dict[str, Any]:
    """Why each trigger did or didn't fire for an account: every event about it (or its
    cases) with its trace and the messages the contact policy held; for an event name never
    received, which triggers listen to it; and per date trigger (``dates``) what it did, will
    do, or never will: fired (when, late or not), skipped (why), upcoming (due date), pending
    (entered after its due day) or never (why)."""
    return _explain(request, m.Account, account_id, event, as_of)


@router.get("/cases/{case_id}/explain", response_model=Detail, **guard("viewer"))
def explain_case(
    request: Request, case_id: IdPath, event: EventName = None, as_of: AsOf = None
) -> dict[str, Any]:
    """The same as for an account, for one case: its events, held messages and date
    triggers."""
    return _explain(request, m.Case, case_id, event, as_of)


def _explain(
    request: Request, model: type[Any], ident: str, event: str | None, as_of: date | None
) -> dict[str, Any]:
    engine = state(request).engine
    assert engine.clock is not None
    today = as_of or engine.clock.today()
    kind = "account" if model is m.Account else "case"

    def read(session: Session) -> dict[str, Any]:
        if session.get(model, ident) is None:
            raise ProblemError(404, f"unknown {kind} '{ident}'", kind="not-found")
        return explain(session, engine.ruleset, today, event=event, **{kind: ident})

    return engine.read(read)
