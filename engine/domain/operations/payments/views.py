"""A payment as ``docket payment show`` and the API's ``GET /payments/{id}`` show it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.domain.errors import DomainError
from engine.domain.models import Transaction


def _line(tx: Transaction) -> dict[str, Any]:
    return {
        "id": tx.id,
        "kind": tx.kind,
        "account": tx.account_id,
        "client": tx.client_code,
        "amount": tx.amount,
        "date": tx.on_date,
        "spreader": tx.spreader,
        "parent": tx.parent_id,
        "reversed": tx.reversed,
    }


def describe_payment(session: Session, payment_id: int) -> dict[str, Any]:
    """A transaction with its allocations and the transactions tied to it (its mirrors, its
    reversals, or the payment it mirrors)."""
    tx = session.get(Transaction, payment_id)
    if tx is None:
        raise DomainError(f"unknown payment '{payment_id}'")
    ties = [Transaction.parent_id == tx.id]
    if tx.parent_id is not None:
        ties.append(Transaction.id == tx.parent_id)
    related = session.scalars(select(Transaction).where(or_(*ties)).order_by(Transaction.id))
    detail = _line(tx)
    detail["allocations"] = [
        {"account": a.account_id, "bucket": a.bucket, "amount": a.amount} for a in tx.allocations
    ]
    detail["related"] = [_line(other) for other in related]
    return detail
