"""Settlement offers (seed 002): making them and acting on them, their term and its outcome,
the offer view, and the offer buttons."""

from __future__ import annotations

from engine.domain.operations.offers.lifecycle import (
    ACTIONS,
    ACTIVE,
    OFFER_TEMPLATE,
    RESOLVED,
    active_offer,
    create_offer,
    end_date,
    get_offer,
    letter_sent,
    offer_action,
)
from engine.domain.operations.offers.term import offer_figures, offer_received, resolve_terms
from engine.domain.operations.offers.views import counts_by_status, offer_item

__all__ = [
    "ACTIONS",
    "ACTIVE",
    "OFFER_TEMPLATE",
    "RESOLVED",
    "active_offer",
    "counts_by_status",
    "create_offer",
    "end_date",
    "get_offer",
    "letter_sent",
    "offer_action",
    "offer_figures",
    "offer_item",
    "offer_received",
    "resolve_terms",
]
