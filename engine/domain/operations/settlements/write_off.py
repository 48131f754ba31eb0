"""Writing off what remains once a settlement is reached or an offer fully settled, when the
client's settlement rules say so."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.domain.errors import DomainError
from engine.domain.models import Account, Allocation, Offer, Settlement, Transaction
from engine.domain.money import ZERO
from engine.domain.operations.accounts.terms import rules_for
from engine.domain.unit import Unit


def write_off_balances(unit: Unit, account: Account) -> Transaction | None:
    """A write_off transaction zeroing every positive bucket; None when nothing is owed."""
    owed = {b: v for b, v in account.balances().items() if v > 0}
    if not owed:
        return None
    total = sum(owed.values(), ZERO)
    txn = Transaction(
        account_id=account.id,
        kind="write_off",
        amount=total,
        on_date=unit.today,
        client_code=account.client_code,
        created_at=unit.now,
    )
    for bucket, value in owed.items():
        txn.allocations.append(Allocation(account_id=account.id, bucket=bucket, amount=value))
        account.add_to_bucket(bucket, -value)
    unit.session.add(txn)
    unit.session.flush()
    return txn


def write_off_remainder(unit: Unit, account: Account) -> dict[str, Any]:
    """Write off what remains once a settlement is reached or an offer fully settled, when
    the client says so; a reaching payment coded as partial leaves the balance open."""
    rules = rules_for(unit.ruleset, account)
    if rules is None or not rules.write_off_remainder:
        raise DomainError(
            f"client '{account.client_code}' does not write off the remainder "
            "(its settlement rules do not set write_off_remainder)"
        )
    settled = unit.session.scalars(
        select(Settlement)
        .where(Settlement.account_id == account.id, Settlement.status == "reached")
        .order_by(Settlement.reached_date.desc(), Settlement.id.desc())
    ).first()
    offer = unit.session.scalars(
        select(Offer).where(Offer.account_id == account.id, Offer.status == "Fully Settled")
    ).first()
    if settled is None and offer is None:
        raise DomainError(
            f"account '{account.id}' has no reached settlement and no fully settled offer: "
            "there is no remainder to write off"
        )
    if offer is None and settled is not None and settled.code_payment_as == "partial":
        raise DomainError(
            f"the payment that reached settlement '{settled.id}' is coded as a partial "
            f"payment: the balance of account '{account.id}' stays open, nothing is written off"
        )
    txn = write_off_balances(unit, account)
    return {
        "account": account.id,
        "written_off": str(txn.amount if txn is not None else ZERO),
        "transaction": txn.id if txn is not None else None,
    }
