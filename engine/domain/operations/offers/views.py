"""Offers as the settlement widget's Settlement Offer table and the API's ``GET /offers/{id}``
show them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.models import Offer
from engine.domain.operations.offers.term import offer_figures


def offer_item(session: Session, row: Offer, today: date) -> dict[str, Any]:
    """An offer as the widget's Settlement Offer table shows it."""
    got, left = offer_figures(session, row, today)
    return {
        "id": row.id,
        "account": row.account_id,
        "amount": str(row.amount),
        "status": row.status,
        "settlement_type": row.settlement_type,
        "initiated_date": row.initiated_date.isoformat(),
        "offer_date": iso(row.offer_date),
        "expiry_date": iso(row.expiry_date),
        "term_days": row.term_days,
        "end_date": iso(row.end_date),
        "received": str(got),
        "remaining": str(left),
        "at_initiation": dict(row.snapshot or {}),
    }


def iso(value: date | None) -> str | None:
    """A date as ISO text; None stays None."""
    return None if value is None else value.isoformat()


def counts_by_status(session: Session, account_id: str) -> dict[str, int]:
    """How many of the account's offers are in each status (the widget's "Offer" field)."""
    counts = {status: 0 for status in ("Offer Generated", "Offer Accepted", "Offer Declined")}
    counts["Cancelled"] = 0
    for row in session.scalars(select(Offer).where(Offer.account_id == account_id)):
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts
