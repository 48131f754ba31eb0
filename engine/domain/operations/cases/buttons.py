"""The case buttons by public name (DESIGN §10): opening a case, its accounts and defendants,
documents, dates and milestones.

Each takes the parameters a scenario's ``with:``, the CLI or the API give, calls the case
operation and answers plain values (ids, ISO dates, amounts as text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from engine.domain.operations.cases import dates as case_dates
from engine.domain.operations.cases import documents, milestones, opening
from engine.domain.unit import Unit


def open_case(
    unit: Unit,
    case: str,
    accounts: Any,
    defendants: Any = (),
    status: str = "OPEN",
    court: str | None = None,
    attorney: str | None = None,
    process_server: str | None = None,
    status_code: str | None = None,
    opened_date: dt.date | None = None,
) -> dict[str, Any]:
    opened = opening.open_case(
        unit,
        case,
        accounts,
        defendants,
        status,
        court,
        attorney,
        process_server,
        status_code,
        opened_date,
    )
    return {"case": opened.id}


def set_case_dates(unit: Unit, case: str, **dates: Any) -> dict[str, Any]:
    return {"case": case, "changed": case_dates.set_case_dates(unit, case, dates)}


def add_case_accounts(
    unit: Unit, case: str, accounts: Iterable[str] | str, status_code: str | None = None
) -> dict[str, Any]:
    return {"case": case, "added": opening.add_case_accounts(unit, case, accounts, status_code)}


def add_defendants(unit: Unit, case: str, defendants: Iterable[str] | str) -> dict[str, Any]:
    return {"case": case, "added": opening.add_defendants(unit, case, defendants)}


def upload_case_document(
    unit: Unit,
    case: str,
    name: str | None = None,
    content: str | None = None,
    path: str | None = None,
) -> dict[str, Any]:
    document = documents.upload_case_document(unit, case, name, content, path)
    return {
        "case": case,
        "document": document.id,
        "name": document.name,
        "size": document.size,
        "sha256": document.sha256,
        "stored": document.path,
    }


def request_client_auth(unit: Unit, case: str) -> dict[str, Any]:
    when = milestones.request_client_auth(unit, case)
    return {"case": case, "client_auth_request_date": when.isoformat()}


def authorize_account(
    unit: Unit, case: str, account: str, date: dt.date | None = None
) -> dict[str, Any]:
    when = milestones.authorize_account(unit, case, account, date)
    return {"case": case, "account": account, "authorized_date": when.isoformat()}


def request_summons(unit: Unit, case: str) -> dict[str, Any]:
    when = milestones.request_summons(unit, case)
    return {"case": case, "summons_request_date": when.isoformat()}


def serve_defendants(unit: Unit, case: str, response_days: int | None = None) -> dict[str, Any]:
    when = milestones.serve_defendants(unit, case, response_days)
    return {"case": case, "serve_request_date": when.isoformat(), "response_days": response_days}


def record_served(unit: Unit, case: str, date: dt.date | None = None) -> dict[str, Any]:
    return {
        "case": case,
        "served_date": milestones.record_served(unit, case, date).isoformat(),
    }


def file_case(unit: Unit, case: str) -> dict[str, Any]:
    return {"case": case, "file_date": milestones.file_case(unit, case).isoformat()}


def dismiss_case(unit: Unit, case: str, date: dt.date | None = None) -> dict[str, Any]:
    when = milestones.dismiss_case(unit, case, date)
    return {"case": case, "status": "DISMISSED", "dismissed_date": when.isoformat()}


def auto_spread(unit: Unit, case: str) -> dict[str, Any]:
    spread = milestones.auto_spread(unit, case)
    return {"case": case, "proposed_spread": {k: str(v) for k, v in spread.items()}}
