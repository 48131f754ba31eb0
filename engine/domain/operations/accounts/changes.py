"""What rules and buttons change on a placed account: status, worklist, flags, fields, notes,
tasks. A status or worklist move keeps its history and emits its event."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.domain.errors import DomainError
from engine.domain.models import Account, Note, StatusHistory, Task, WorklistHistory
from engine.domain.unit import Unit


def check_status(unit: Unit, code: str) -> None:
    """Refuse a status code the configuration does not know."""
    if code not in unit.ruleset.status_codes:
        raise DomainError(f"unknown status code '{code}'")


def check_worklist(unit: Unit, worklist: str) -> None:
    """Refuse a worklist the configuration does not know."""
    if worklist not in unit.ruleset.worklists:
        raise DomainError(f"unknown worklist '{worklist}'")


def set_status(unit: Unit, account: Account, code: str) -> bool:
    """Change the status code; records history and emits ``onStatusChange``. False if same."""
    check_status(unit, code)
    old = account.status
    if old == code:
        return False
    account.status = code
    unit.add_row(
        StatusHistory,
        {
            "account_id": account.id,
            "old": old,
            "new": code,
            "on_date": unit.today,
            "at": unit.now,
            "event_id": unit.cause,
            "run_id": unit.run_id,
        },
    )
    unit.emit("onStatusChange", "account", account.id, {"old": old, "new": code})
    return True


def move_worklist(
    unit: Unit, account: Account, worklist: str, next_work_date: date | None = None
) -> bool:
    """Move to a worklist with a next-work date; emits ``onWorklistChange`` when it moves."""
    check_worklist(unit, worklist)
    old = account.worklist
    account.next_work_date = next_work_date or account.next_work_date
    if old == worklist:
        return False
    account.worklist = worklist
    unit.add_row(
        WorklistHistory,
        {
            "account_id": account.id,
            "old": old,
            "new": worklist,
            "next_work_date": account.next_work_date,
            "on_date": unit.today,
            "at": unit.now,
            "event_id": unit.cause,
            "run_id": unit.run_id,
        },
    )
    unit.emit("onWorklistChange", "account", account.id, {"old": old, "new": worklist})
    return True


def set_flag(account: Account, flag: str) -> bool:
    if flag in account.flags:
        return False
    account.flags = sorted({*account.flags, flag})
    return True


def clear_flag(account: Account, flag: str) -> bool:
    if flag not in account.flags:
        return False
    account.flags = [f for f in account.flags if f != flag]
    return True


def set_field(account: Account, name: str, value: Any) -> None:
    account.fields = {**account.fields, name: value}


def add_note(unit: Unit, account: Account, text: str) -> Note:
    note = Note(
        account_id=account.id,
        text=text,
        created_on=unit.today,
        run_id=unit.run_id,
        created_at=unit.now,
    )
    unit.session.add(note)
    return note


def create_task(
    unit: Unit,
    title: str,
    *,
    account_id: str | None = None,
    case_id: str | None = None,
    department: str | None = None,
    assignee: str | None = None,
    due_date: date | None = None,
) -> Task:
    task = Task(
        account_id=account_id,
        case_id=case_id,
        department=department,
        assignee=assignee,
        title=title,
        due_date=due_date,
        created_on=unit.today,
        run_id=unit.run_id,
        created_at=unit.now,
    )
    unit.session.add(task)
    return task
