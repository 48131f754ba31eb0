"""The offer buttons by public name: create an offer and act on it (generate, accept, decline,
cancel); each answers the offer in plain values (amounts as text)."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.domain.models import Offer
from engine.domain.operations.offers import lifecycle
from engine.domain.operations.offers.views import iso
from engine.domain.unit import Unit


def create_offer(
    unit: Unit,
    offer: str,
    account: str,
    amount: Any = None,
    term_days: Any = None,
    expiry_date: date | None = None,
    settlement_type: str | None = None,
) -> dict[str, Any]:
    row = lifecycle.create_offer(
        unit, offer, account, amount, term_days, expiry_date, settlement_type=settlement_type
    )
    return _offer_result(row)


def _offer_result(row: Offer) -> dict[str, Any]:
    return {
        "offer": row.id,
        "amount": str(row.amount),
        "status": row.status,
        "end_date": iso(row.end_date),
    }


def offer_action(unit: Unit, offer: str, action: str) -> dict[str, Any]:
    return _offer_result(lifecycle.offer_action(unit, offer, action))
