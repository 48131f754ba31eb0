"""The legal and payment "buttons" by their public names (DESIGN §10), for the registry.

Each wrapper takes the parameters a scenario's ``with:``, the CLI or the API give, calls the
domain operation and answers plain values (ids, ISO dates, amounts as text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from engine.domain.models import Transaction
from engine.domain.operations import cases, cases_documents, cases_lifecycle, judgments, payments
from engine.domain.unit import Unit


def _money(value: Decimal) -> str:
    return str(value)


def _open_case(
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
    opened = cases.open_case(
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


def _set_case_dates(unit: Unit, case: str, **dates: Any) -> dict[str, Any]:
    return {"case": case, "changed": cases.set_case_dates(unit, case, dates)}


def _add_case_accounts(
    unit: Unit, case: str, accounts: Iterable[str] | str, status_code: str | None = None
) -> dict[str, Any]:
    return {"case": case, "added": cases.add_case_accounts(unit, case, accounts, status_code)}


def _add_defendants(unit: Unit, case: str, defendants: Iterable[str] | str) -> dict[str, Any]:
    return {"case": case, "added": cases.add_defendants(unit, case, defendants)}


def _upload(
    unit: Unit,
    case: str,
    name: str | None = None,
    content: str | None = None,
    path: str | None = None,
) -> dict[str, Any]:
    document = cases_documents.upload_case_document(unit, case, name, content, path)
    return {
        "case": case,
        "document": document.id,
        "name": document.name,
        "size": document.size,
        "sha256": document.sha256,
        "stored": document.path,
    }


def _request_client_auth(unit: Unit, case: str) -> dict[str, Any]:
    when = cases_lifecycle.request_client_auth(unit, case)
    return {"case": case, "client_auth_request_date": when.isoformat()}


def _authorize_account(
    unit: Unit, case: str, account: str, date: dt.date | None = None
) -> dict[str, Any]:
    when = cases_lifecycle.authorize_account(unit, case, account, date)
    return {"case": case, "account": account, "authorized_date": when.isoformat()}


def _request_summons(unit: Unit, case: str) -> dict[str, Any]:
    when = cases_lifecycle.request_summons(unit, case)
    return {"case": case, "summons_request_date": when.isoformat()}


def _serve_defendants(unit: Unit, case: str, response_days: int | None = None) -> dict[str, Any]:
    when = cases_lifecycle.serve_defendants(unit, case, response_days)
    return {"case": case, "serve_request_date": when.isoformat(), "response_days": response_days}


def _record_served(unit: Unit, case: str, date: dt.date | None = None) -> dict[str, Any]:
    return {
        "case": case,
        "served_date": cases_lifecycle.record_served(unit, case, date).isoformat(),
    }


def _file_case(unit: Unit, case: str) -> dict[str, Any]:
    return {"case": case, "file_date": cases_lifecycle.file_case(unit, case).isoformat()}


def _dismiss_case(unit: Unit, case: str, date: dt.date | None = None) -> dict[str, Any]:
    when = cases_lifecycle.dismiss_case(unit, case, date)
    return {"case": case, "status": "DISMISSED", "dismissed_date": when.isoformat()}


def _auto_spread(unit: Unit, case: str) -> dict[str, Any]:
    spread = cases_lifecycle.auto_spread(unit, case)
    return {"case": case, "proposed_spread": {k: _money(v) for k, v in spread.items()}}


def _render_judgment(
    unit: Unit,
    case: str,
    judgment_client: str,
    judgment_account: str,
    amount: Any,
    interest_rate: Any = None,
    effective_date: dt.date | None = None,
    judgment_date: dt.date | None = None,
    result: str | None = None,
    spread: Mapping[str, Any] | None = None,
    court_costs: Any = None,
    attorney_fees: Any = None,
    move_payments_after: bool = False,
    status: str | None = None,
    judgment: str | None = None,
) -> dict[str, Any]:
    rendered = judgments.render_judgment(
        unit,
        case,
        judgment_client,
        judgment_account,
        amount,
        interest_rate=interest_rate,
        effective_date=effective_date,
        judgment_date=judgment_date,
        result=result,
        spread=spread,
        court_costs=court_costs,
        attorney_fees=attorney_fees,
        status=status,
        judgment=judgment,
    )
    moved = payments.move_payments_after(unit, rendered) if move_payments_after else []
    detail = judgments.describe(unit.session, unit.ruleset, rendered.id, unit.today)
    return {
        "case": case,
        "judgment": rendered.id,
        "judgment_account": rendered.account_id,
        "amount": _money(rendered.amount),
        "judgment_date": rendered.judgment_date.isoformat(),
        "spread": {k: _money(v) for k, v in detail["spread"].items()},
        "moved_payments": [tx.id for tx in moved],
    }


def payment_summary(unit: Unit, tx: Transaction) -> dict[str, Any]:
    """A posted payment with its allocations and mirrors, in plain values."""
    mirrors = unit.session.scalars(
        select(Transaction)
        .where(Transaction.parent_id == tx.id, Transaction.kind == "mirror")
        .order_by(Transaction.id)
    )
    return {
        "payment": tx.id,
        "account": tx.account_id,
        "amount": _money(tx.amount),
        # Mirrors first: the timeline shows the start of a result, and they are its point.
        "mirrors": {m.account_id: _money(m.amount) for m in mirrors if not m.reversed},
        "date": tx.on_date.isoformat(),
        "spreader": tx.spreader,
        "allocations": {a.bucket: _money(a.amount) for a in tx.allocations},
    }


def _post_payment(
    unit: Unit,
    account: str,
    amount: Any,
    date: dt.date | None = None,
    spreader: str | None = None,
) -> dict[str, Any]:
    tx = payments.post_payment(unit, account, amount, date, spreader)
    unit.session.refresh(tx)
    return payment_summary(unit, tx)


def _unspread_payment(
    unit: Unit, payment: Any = None, account: str | None = None, date: dt.date | None = None
) -> dict[str, Any]:
    reversals = payments.unspread_payment(unit, payment, account, date)
    return {
        "unspread": [r.parent_id for r in reversals],
        "reversals": [r.id for r in reversals],
    }


def _respread_payment(
    unit: Unit,
    payment: Any = None,
    spreader: str | None = None,
    account: str | None = None,
    date: dt.date | None = None,
) -> dict[str, Any]:
    old = payments.find_payment(unit, payment, account, date)
    new = payments.respread_payment(unit, old.id, spreader)
    unit.session.refresh(new)
    return {"replaces": old.id, **payment_summary(unit, new)}


OPERATIONS: dict[str, Callable[..., Any]] = {
    "open_case": _open_case,
    "set_case_dates": _set_case_dates,
    "add_case_accounts": _add_case_accounts,
    "add_defendants": _add_defendants,
    "upload_case_document": _upload,
    "request_client_auth": _request_client_auth,
    "authorize_account": _authorize_account,
    "request_summons": _request_summons,
    "serve_defendants": _serve_defendants,
    "record_served": _record_served,
    "file_case": _file_case,
    "dismiss_case": _dismiss_case,
    "auto_spread": _auto_spread,
    "render_judgment": _render_judgment,
    "post_payment": _post_payment,
    "unspread_payment": _unspread_payment,
    "respread_payment": _respread_payment,
}
