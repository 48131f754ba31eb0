"""An offer's term: what it received since the offer, through the term's last day, and the
daily check that resolves an open offer whose term ended to Fully, Partially or Not Settled."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.models import Offer
from engine.domain.money import ZERO
from engine.domain.operations.offers.lifecycle import ACTIVE
from engine.domain.operations.payments.applied import received
from engine.domain.settlement_math import offer_outcome, remaining
from engine.domain.unit import Unit


def offer_received(session: Session, row: Offer, today: date) -> Decimal:
    """Received since the offer (its offer date, else its initiation) through its term end."""
    if row.status in ("Fully Settled", "Partially Settled", "Not Settled"):
        return Decimal(str(row.snapshot.get("received", "0.00")))
    start = row.offer_date or row.initiated_date
    end = min(row.end_date, today) if row.end_date is not None else today
    return max(received(session, row.account_id, start, end), ZERO)


def offer_figures(session: Session, row: Offer, today: date) -> tuple[Decimal, Decimal]:
    """(received since the offer, remaining to the offer amount)."""
    got = offer_received(session, row, today)
    return got, remaining(row.amount, got)


def resolve_terms(unit: Unit) -> list[dict[str, Any]]:
    """The daily check: open offers whose term ended before today take their outcome."""
    rows = unit.session.scalars(
        select(Offer)
        .where(Offer.status.in_(ACTIVE), Offer.end_date < unit.today)
        .order_by(Offer.end_date, Offer.id)
    )
    report = []
    for row in list(rows):
        assert row.end_date is not None
        got = offer_received(unit.session, row, row.end_date)
        outcome = offer_outcome(got, row.amount)
        row.status = outcome
        row.snapshot = {
            **row.snapshot,
            "received": str(got),
            "remaining": str(remaining(row.amount, got)),
            "resolved_on": unit.today.isoformat(),
        }
        unit.emit(
            "onOfferTermEnd",
            "offer",
            row.id,
            {"outcome": outcome, "received": str(got), "amount": str(row.amount)},
            late=(unit.today - row.end_date).days > 1,
        )
        report.append({"offer": row.id, "outcome": outcome, "received": str(got)})
    return report
