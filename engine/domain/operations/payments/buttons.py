"""The payment buttons by public name: post, unspread and respread a payment, answering the
payment with its allocations and mirrors in plain values (amounts as text)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from engine.domain.models import Transaction
from engine.domain.operations.payments import ledger, posting
from engine.domain.unit import Unit


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
        "amount": str(tx.amount),
        # Mirrors first: the timeline shows the start of a result, and they are its point.
        "mirrors": {m.account_id: str(m.amount) for m in mirrors if not m.reversed},
        "date": tx.on_date.isoformat(),
        "spreader": tx.spreader,
        "allocations": {a.bucket: str(a.amount) for a in tx.allocations},
    }


def post_payment(
    unit: Unit,
    account: str,
    amount: Any,
    date: dt.date | None = None,
    spreader: str | None = None,
) -> dict[str, Any]:
    tx = posting.post_payment(unit, account, amount, date, spreader)
    unit.session.refresh(tx)
    return payment_summary(unit, tx)


def unspread_payment(
    unit: Unit, payment: Any = None, account: str | None = None, date: dt.date | None = None
) -> dict[str, Any]:
    reversals = ledger.unspread_payment(unit, payment, account, date)
    return {
        "unspread": [r.parent_id for r in reversals],
        "reversals": [r.id for r in reversals],
    }


def respread_payment(
    unit: Unit,
    payment: Any = None,
    spreader: str | None = None,
    account: str | None = None,
    date: dt.date | None = None,
) -> dict[str, Any]:
    old = ledger.find_payment(unit, payment, account, date)
    new = posting.respread_payment(unit, old.id, spreader)
    unit.session.refresh(new)
    return {"replaces": old.id, **payment_summary(unit, new)}
