"""Runs and traces: why something fired, and why not."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from engine.api.auth import guard
from engine.api.deps import IdPath, IntPath, state
from engine.api.problems import COMMON, ProblemError, responses
from engine.domain import models as m
from engine.runtime import account_events, event_detail, run_detail

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


@router.get("/accounts/{account_id}/explain", response_model=Detail, **guard("viewer"))
def explain_account(
    request: Request,
    account_id: IdPath,
    event: Annotated[str | None, Query(max_length=80, description="Only this event name.")] = None,
) -> dict[str, Any]:
    """Why each trigger did or didn't fire for an account: every event about it (or its
    cases) with its trace; for an event name never received, which triggers listen to it."""
    engine = state(request).engine

    def read(session: Session) -> dict[str, Any]:
        if session.get(m.Account, account_id) is None:
            raise ProblemError(404, f"unknown account '{account_id}'", kind="not-found")
        return account_events(session, engine.ruleset, account_id, event)

    return engine.read(read)
