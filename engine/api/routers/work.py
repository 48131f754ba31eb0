"""Worklists (accounts by next-work date, paginated) and tasks (list, complete)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.api.auth import guard
from engine.api.deps import Cursor, Filter, IdPath, IntPath, Limit, decode_cursor, encode_cursor
from engine.api.deps import state as state_of
from engine.api.idempotency import IdempotencyKey, answered, once_for
from engine.api.problems import COMMON, ProblemError, responses
from engine.api.schemas import TaskComplete, TaskOut, TaskPage, WorklistOut, WorklistPage
from engine.config.errors import did_you_mean
from engine.domain import models as m
from engine.domain.operations import accounts

router = APIRouter(responses=responses(*COMMON, 404))

OPEN_TASK = "open"
DONE_TASK = "done"


@router.get("/worklists", response_model=list[WorklistOut], tags=["worklists"], **guard("viewer"))
def list_worklists(request: Request) -> list[dict[str, Any]]:
    """The configured worklists with the number of accounts in each."""
    engine = state_of(request).engine

    def read(session: Session) -> list[dict[str, Any]]:
        counts = dict(
            session.execute(
                select(m.Account.worklist, func.count()).group_by(m.Account.worklist)
            ).all()
        )
        return [
            {"id": w.id, "label": w.label, "accounts": counts.get(w.id, 0)}
            for w in engine.ruleset.worklists.values()
        ]

    return engine.read(read)


@router.get(
    "/worklists/{worklist_id}/accounts",
    response_model=WorklistPage,
    tags=["worklists"],
    **guard("viewer"),
)
def worklist_accounts(
    request: Request, worklist_id: IdPath, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    """The accounts in a worklist, soonest next-work date first (undated last), then by id."""
    engine = state_of(request).engine
    worklist = engine.ruleset.worklists.get(worklist_id)
    if worklist is None:
        hint = did_you_mean(worklist_id, engine.ruleset.worklists)
        raise ProblemError(404, f"unknown worklist '{worklist_id}'{hint}", kind="not-found")
    after = decode_cursor(cursor, (str, str)) if cursor else None
    on = _cursor_date(after[0]) if after and after[0] else None
    if after and after[1] is None:
        raise ProblemError(422, "the cursor is not one this API gave out", kind="validation")

    def read(session: Session) -> dict[str, Any]:
        query = select(m.Account).where(m.Account.worklist == worklist_id)
        if after is not None:
            last_id = after[1]
            if on is None:  # already among the undated accounts
                query = query.where(m.Account.next_work_date.is_(None), m.Account.id > last_id)
            else:
                query = query.where(
                    or_(
                        m.Account.next_work_date > on,
                        and_(m.Account.next_work_date == on, m.Account.id > last_id),
                        m.Account.next_work_date.is_(None),
                    )
                )
        rows = list(
            session.scalars(
                query.order_by(
                    m.Account.next_work_date.is_(None), m.Account.next_work_date, m.Account.id
                ).limit(limit + 1)
            )
        )
        more, rows = len(rows) > limit, rows[:limit]
        last = rows[-1] if rows else None
        return {
            "worklist": worklist.id,
            "label": worklist.label,
            "accounts": [
                {
                    "id": r.id,
                    "client": r.client_code,
                    "status": r.status,
                    "next_work_date": r.next_work_date,
                    "balance": str(r.balance()),
                }
                for r in rows
            ],
            "next_cursor": encode_cursor(
                [last.next_work_date.isoformat() if last.next_work_date else None, last.id]
            )
            if more and last is not None
            else None,
        }

    return engine.read(read)


def _cursor_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ProblemError(
            422, "the cursor is not one this API gave out", kind="validation"
        ) from None


def task_json(row: m.Task) -> dict[str, Any]:
    return {
        "id": row.id,
        "account": row.account_id,
        "case": row.case_id,
        "department": row.department,
        "assignee": row.assignee,
        "title": row.title,
        "due_date": row.due_date,
        "status": row.status,
        "created_on": row.created_on,
        "run": row.run_id,
    }


@router.get("/tasks", response_model=TaskPage, tags=["tasks"], **guard("viewer"))
def list_tasks(
    request: Request,
    status: Annotated[str | None, Query(max_length=20, description="open or done")] = OPEN_TASK,
    account: Filter = None,
    case: Filter = None,
    department: Annotated[str | None, Query(max_length=100)] = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Tasks, oldest first; by default the open ones."""
    after = decode_cursor(cursor, (int,))[0] if cursor else None

    def read(session: Session) -> dict[str, Any]:
        query = select(m.Task)
        for column, value in (
            (m.Task.status, status),
            (m.Task.account_id, account),
            (m.Task.case_id, case),
            (m.Task.department, department),
            (m.Task.assignee, assignee),
        ):
            if value is not None:
                query = query.where(column == value)
        if after is not None:
            query = query.where(m.Task.id > after)
        rows = list(session.scalars(query.order_by(m.Task.id).limit(limit + 1)))
        more, rows = len(rows) > limit, rows[:limit]
        return {
            "tasks": [task_json(r) for r in rows],
            "next_cursor": encode_cursor([rows[-1].id]) if more and rows else None,
        }

    return state_of(request).engine.read(read)


@router.post(
    "/tasks/{task_id}/complete",
    response_model=TaskOut,
    tags=["tasks"],
    responses=responses(409),
    **guard("integrator"),
)
def complete_task(
    request: Request,
    task_id: IntPath,
    body: Annotated[TaskComplete | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Mark an open task done (409 if it is not open); a ``note`` goes on its account. With
    ``Idempotency-Key`` a repeat replays the first answer."""
    once = once_for(request, idempotency_key)
    params = body.model_dump() if body is not None else None
    with state_of(request).writing() as unit:
        route = f"tasks/{task_id}/complete"
        return answered(unit, once, route, params, lambda: _complete(unit, task_id, body))


def _complete(unit: Any, task_id: int, body: TaskComplete | None) -> dict[str, Any]:
    """Mark the task done in ``unit``; 404 unknown, 409 not open."""
    row = unit.session.get(m.Task, task_id)
    if row is None:
        raise ProblemError(404, f"unknown task {task_id}", kind="not-found")
    if row.status != OPEN_TASK:
        raise ProblemError(409, f"task {task_id} is {row.status}, not open", kind="refused")
    row.status = DONE_TASK
    if body is not None and body.note and row.account_id:
        account = unit.session.get(m.Account, row.account_id)
        if account is not None:
            accounts.add_note(unit, account, f"Task {row.id} done: {body.note}")
    return task_json(row)
