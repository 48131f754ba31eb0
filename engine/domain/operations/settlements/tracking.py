"""Settlement tracking: the payments that decide when a settlement is reached, and its
installments paid or missed.

A settlement counts the payments applied to its account on or after its inception date
(earlier ones are listed, not counted). It is reached when they come to the amount less the
client's tolerance; ``onSettlementReached`` then fires once. Inactive and void settlements
keep their data and stop tracking; so does one outside the client's authority until it is
approved.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from engine.domain.models import Account, Allocation, Installment, Settlement, Transaction
from engine.domain.money import ZERO
from engine.domain.operations.settlements.progress import Figures, figures
from engine.domain.settlement_math import is_reached
from engine.domain.unit import Unit


def is_tracked(row: Settlement) -> bool:
    """Active, and within authority or approved: only then do payments move it."""
    return row.status == "active" and (not row.outside_authority or bool(row.approved_by))


def track(unit: Unit, row: Settlement) -> Figures | None:
    """Bring installments up to date and mark the settlement reached when payments meet it."""
    if not is_tracked(row):
        return None
    found = figures(unit.session, unit.ruleset, row)
    update_installments(unit, row, found)
    # The tolerance forgives a shortfall, not the whole payment: never reached on nothing.
    if found.received > 0 and is_reached(found.received, row.amount, found.tolerance):
        reaching = found.reaching_payment
        assert reaching is not None
        row.status = "reached"
        row.reached_date = reaching.on_date
        row.reaching_payment_id = reaching.id
        unit.emit(
            "onSettlementReached",
            "settlement",
            row.id,
            {
                "payment": reaching.id,
                "received": str(found.received),
                "amount": str(row.amount),
                "tolerance": str(found.tolerance_amount),
                "coded_as": row.code_payment_as,
            },
        )
    return found


def update_installments(unit: Unit, row: Settlement, found: Figures) -> list[Installment]:
    """Mark installments paid or missed; each newly missed one fires ``onInstallmentMissed``.

    Installment *n* is paid by the payments since the previous due date (the first from the
    inception date) plus what earlier windows paid beyond their installment; it is missed when
    its due date has passed without that. A shortfall is not charged to the next window, so
    catching up is not a second miss; a missed installment stays missed.
    """
    missed = []
    window_start, carry = row.inception_date, ZERO
    payments = found.counted
    for inst in row.installments:
        paid_in = sum(
            (p.amount for p in payments if window_start <= p.on_date <= inst.due_date), ZERO
        )
        available = carry + paid_in
        covered = available >= inst.amount
        carry = available - inst.amount if covered else ZERO
        window_start = date.fromordinal(inst.due_date.toordinal() + 1)
        if inst.status != "due":
            continue
        if covered:
            inst.status = "paid"
        elif inst.due_date < unit.today:
            inst.status = "missed"
            missed.append(inst)
            unit.emit(
                "onInstallmentMissed",
                "settlement",
                row.id,
                {
                    "due_date": inst.due_date.isoformat(),
                    "amount": str(inst.amount),
                    "received": str(paid_in),
                },
                late=(unit.today - inst.due_date).days > 1,
            )
    return missed


def track_payment(unit: Unit, account: Account, transaction: Transaction) -> None:
    """After a payment or a mirror is posted (same transaction): track the active
    settlements of every account it was applied to."""
    unit.session.flush()
    touched = {account.id, transaction.account_id}
    touched.update(
        unit.session.scalars(
            select(Allocation.account_id).where(Allocation.transaction_id == transaction.id)
        )
    )
    rows = unit.session.scalars(
        select(Settlement)
        .where(Settlement.account_id.in_(sorted(touched)), Settlement.status == "active")
        .order_by(Settlement.inception_date, Settlement.id)
    )
    for row in list(rows):
        track(unit, row)


def check_installments(unit: Unit) -> list[dict[str, Any]]:
    """The daily check: installments whose due date has passed, on tracked settlements."""
    due = select(Installment.settlement_id).where(
        Installment.status == "due", Installment.due_date < unit.today
    )
    rows = unit.session.scalars(
        select(Settlement)
        .where(Settlement.status == "active", Settlement.id.in_(due))
        .order_by(Settlement.id)
    )
    report = []
    for row in list(rows):
        if not is_tracked(row):
            continue
        found = figures(unit.session, unit.ruleset, row)
        for inst in update_installments(unit, row, found):
            report.append({"settlement": row.id, "due_date": inst.due_date.isoformat()})
    return report
