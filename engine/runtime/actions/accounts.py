"""Account actions: status, worklist, flags, fields, notes, tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.config.durations import parse_duration
from engine.config.errors import DurationError
from engine.domain.operations import accounts as ops
from engine.runtime.actions.registry import StepContext
from engine.runtime.errors import StepFailed


def due_date(ctx: StepContext, value: Any) -> date | None:
    """An offset such as ``+2 days`` from today, or a date, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return ctx.ruleset.agency.calendar.shift(ctx.unit.today, parse_duration(value))
    except DurationError:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise StepFailed(f"'{value}' is neither an offset nor a date") from None


def set_status(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    changed = [
        a.id for a in ctx.target_accounts(params) if ops.set_status(ctx.unit, a, params["code"])
    ]
    return {"status": params["code"], "changed": changed}


def move_worklist(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    next_work = due_date(ctx, params.get("next_work"))
    moved = [
        a.id
        for a in ctx.target_accounts(params)
        if ops.move_worklist(ctx.unit, a, params["to"], next_work)
    ]
    return {"worklist": params["to"], "next_work": next_work, "moved": moved}


def set_flag(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    changed = [a.id for a in ctx.target_accounts(params) if ops.set_flag(a, str(params["flag"]))]
    return {"flag": params["flag"], "set_on": changed}


def clear_flag(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    changed = [a.id for a in ctx.target_accounts(params) if ops.clear_flag(a, str(params["flag"]))]
    return {"flag": params["flag"], "cleared_on": changed}


def set_field(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = ctx.ruleset.agency.limits.output_bytes
    if len(str(params.get("value"))) > limit:
        raise StepFailed(
            f"set_field '{params['field']}': the value is over {limit} characters"
            " (agency.limits.output_bytes)"
        )
    for account in ctx.target_accounts(params):
        ops.set_field(account, str(params["field"]), params.get("value"))
    return {"field": params["field"], "value": params.get("value")}


def add_note(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    for account in ctx.target_accounts(params):
        ops.add_note(ctx.unit, account, str(params["text"]))
    return {"text": params["text"]}


def create_task(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    subject = ctx.subject
    task = ops.create_task(
        ctx.unit,
        str(params["title"]),
        account_id=subject.account.id if subject.account is not None else None,
        case_id=subject.case.id if subject.case is not None else None,
        department=params.get("department"),
        assignee=params.get("assignee"),
        due_date=due_date(ctx, params.get("due")),
    )
    return {"title": task.title, "department": task.department, "due": task.due_date}
