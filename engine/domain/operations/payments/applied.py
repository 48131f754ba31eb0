"""Payments applied to an account: what each payment and mirror landed on it, by date.

A payment counts for an account by what it applied to that account (its allocations, the
overpayment bucket included), so a bundle payment spread over several accounts or a judgment
payment mirrored onto the original accounts counts where it landed. Reversed payments and
write-offs never count. Settlements and offers measure what they received with these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.models import Allocation, Transaction
from engine.domain.money import ZERO
from engine.domain.operations.payments.ledger import PAID_KINDS


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment as it landed on one account: its transaction, date and applied amount."""

    id: int
    on_date: date
    amount: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"payment": self.id, "date": self.on_date.isoformat(), "amount": str(self.amount)}


def payments_applied(
    session: Session, account_id: str, start: date | None = None, end: date | None = None
) -> list[Payment]:
    """Payments applied to an account (by date, then posting order), optionally in a range."""
    query = (
        select(Transaction.id, Transaction.on_date, Allocation.amount)
        .join(Allocation, Allocation.transaction_id == Transaction.id)
        .where(
            Allocation.account_id == account_id,
            Transaction.kind.in_(PAID_KINDS),
            Transaction.reversed.is_(False),
        )
    )
    if start is not None:
        query = query.where(Transaction.on_date >= start)
    if end is not None:
        query = query.where(Transaction.on_date <= end)
    totals: dict[tuple[date, int], Decimal] = {}
    for txn_id, on_date, amount in session.execute(query):
        key = (on_date, txn_id)
        totals[key] = totals.get(key, ZERO) + amount
    return [Payment(i, d, a) for (d, i), a in sorted(totals.items()) if a != 0]


def received(
    session: Session, account_id: str, start: date | None = None, end: date | None = None
) -> Decimal:
    """The total applied to an account in the range."""
    return sum((p.amount for p in payments_applied(session, account_id, start, end)), ZERO)
