"""Settlements: making and changing them, tracking payments and installments, their progress,
writing off the remainder, the settlement widget (settlements and offers), and the settlement
buttons."""

from __future__ import annotations

from engine.domain.operations.settlements.lifecycle import (
    PAYMENT_CODES,
    SETTABLE_STATES,
    approve_settlement,
    create_settlement,
    get_settlement,
    remove_settlement,
    set_settlement_state,
)
from engine.domain.operations.settlements.progress import Figures, figures
from engine.domain.operations.settlements.tracking import (
    check_installments,
    is_tracked,
    track,
    track_payment,
    update_installments,
)
from engine.domain.operations.settlements.views import settlement_item, widget
from engine.domain.operations.settlements.write_off import write_off_balances, write_off_remainder

__all__ = [
    "PAYMENT_CODES",
    "SETTABLE_STATES",
    "Figures",
    "approve_settlement",
    "check_installments",
    "create_settlement",
    "figures",
    "get_settlement",
    "is_tracked",
    "remove_settlement",
    "set_settlement_state",
    "settlement_item",
    "track",
    "track_payment",
    "update_installments",
    "widget",
    "write_off_balances",
    "write_off_remainder",
]
