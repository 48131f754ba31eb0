"""Reports over the ledger. Judgment payments are reported under the clients of the original
accounts (their mirrors), never under the judgment client (seed 003: "All invoicing,
accounting, and reporting activity … is handled with the clients … associated with the
original accounts").

A report lists, for one client and a date range, every payment posted on its (non-judgment)
accounts, every mirror of a judgment payment onto them, and every reversal of those, so the
total is what the client is owed on its statement for the period.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from engine.domain.errors import DomainError
from engine.domain.models import Account, Client, Transaction
from engine.domain.money import ZERO

REPORTED_KINDS = ("payment", "mirror", "reversal")


def payments_report(session: Session, client: str, start: date, end: date) -> dict[str, Any]:
    """Payments, mirrors and reversals booked to a client's original accounts in [start, end]."""
    row = session.get(Client, client)
    if row is None:
        raise DomainError(f"unknown client '{client}'")
    if end < start:
        raise DomainError(f"the report ends ({end}) before it starts ({start})")
    parent = aliased(Transaction)
    query = (
        select(Transaction, parent.kind, parent.account_id)
        .join(Account, Account.id == Transaction.account_id)
        .outerjoin(parent, parent.id == Transaction.parent_id)
        .where(
            Transaction.client_code == client,
            Transaction.kind.in_(REPORTED_KINDS),
            Transaction.on_date >= start,
            Transaction.on_date <= end,
            Account.is_judgment.is_(False),
        )
        .order_by(Transaction.on_date, Transaction.id)
    )
    lines = []
    total = ZERO
    for tx, parent_kind, parent_account in session.execute(query):
        source = None
        if tx.kind == "mirror":
            source = {"payment": tx.parent_id, "judgment_account": parent_account}
        elif tx.kind == "reversal":
            source = {"reverses": tx.parent_id, "of": parent_kind}
        lines.append(
            {
                "id": tx.id,
                "date": tx.on_date,
                "account": tx.account_id,
                "kind": tx.kind,
                "amount": tx.amount,
                "reversed": tx.reversed,
                "spreader": tx.spreader,
                "source": source,
            }
        )
        total += Decimal(tx.amount)
    return {
        "client": client,
        "judgment_client": bool(row.judgment),
        "from": start,
        "to": end,
        "payments": lines,
        "total": total,
    }
