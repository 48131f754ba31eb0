"""Payments: posting and mirroring them, the ledger rows and reversals, what they applied to an
account, the payment view, and the payment buttons."""

from __future__ import annotations

from engine.domain.operations.payments.applied import Payment, payments_applied, received
from engine.domain.operations.payments.ledger import (
    PAID_KINDS,
    find_payment,
    spreader_named,
    unspread_payment,
)
from engine.domain.operations.payments.posting import (
    AFTER_PAYMENT,
    PaymentHook,
    move_payments_after,
    post_payment,
    respread_payment,
)
from engine.domain.operations.payments.views import describe_payment

__all__ = [
    "AFTER_PAYMENT",
    "PAID_KINDS",
    "Payment",
    "PaymentHook",
    "describe_payment",
    "find_payment",
    "move_payments_after",
    "payments_applied",
    "post_payment",
    "received",
    "respread_payment",
    "spreader_named",
    "unspread_payment",
]
