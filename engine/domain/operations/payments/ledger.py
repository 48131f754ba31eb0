"""Payment rows: spreaders, transactions and allocations, and reversing them (DESIGN §5).

The primitives ``posting`` posts with (a transaction, one ``Allocation`` per bucket paid,
the ``overpayment`` bucket for what no balance could take) and the way back:
``unspread_payment`` reverses a payment and its mirrors, each keeping its row with
``reversed`` set and gaining a negating ``reversal`` transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from difflib import get_close_matches
from typing import Any

from sqlalchemy import func, select

from engine.config.model import Spreader
from engine.domain.errors import DomainError
from engine.domain.models import Account, Allocation, Transaction
from engine.domain.spreading import AccountPosition
from engine.domain.unit import Unit

PAID_KINDS = ("payment", "mirror")


def spreader_named(unit: Unit, spreader_id: str) -> Spreader:
    """A configured spreader by id; an unknown one is refused with a suggestion."""
    found = unit.ruleset.spreaders.get(str(spreader_id))
    if found is None:
        close = get_close_matches(str(spreader_id), list(unit.ruleset.spreaders), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise DomainError(f"unknown spreader '{spreader_id}'{hint}")
    return found


def client_spreader(unit: Unit, account: Account, override: str | None) -> Spreader:
    """The spreader named by ``override``, else the account's client's spreader."""
    if override:
        return spreader_named(unit, override)
    client = unit.ruleset.clients.get(account.client_code)
    if client is None or not client.spreader:
        raise DomainError(
            f"client '{account.client_code}' of account '{account.id}' has no spreader: "
            "name one with spreader"
        )
    return spreader_named(unit, client.spreader)


def account_position(account: Account, order_key: str = "") -> AccountPosition:
    """The account as the spreader sees it: balances, opening date, order key."""
    opened = account.placed_date or account.created_at.date()
    return AccountPosition(account.id, account.balances(), opened, order_key)


def allocate(unit: Unit, tx: Transaction, account: Account, bucket: str, amount: Decimal) -> None:
    """Take ``amount`` off one bucket (or credit the overpayment) and record it."""
    if amount == 0:
        return
    if bucket == "overpayment":
        account.overpayment += amount  # a credit held for the consumer
    else:
        account.add_to_bucket(bucket, -amount)
    unit.session.add(
        Allocation(transaction_id=tx.id, account_id=account.id, bucket=bucket, amount=amount)
    )


def new_transaction(
    unit: Unit,
    kind: str,
    account: Account,
    amount: Decimal,
    day: dt.date,
    spreader: str | None = None,
    parent_id: int | None = None,
) -> Transaction:
    """Add and flush a transaction row of ``kind`` on the account (its client's)."""
    tx = Transaction(
        account_id=account.id,
        kind=kind,
        amount=amount,
        on_date=day,
        spreader=spreader,
        parent_id=parent_id,
        reversed=False,
        client_code=account.client_code,
        created_at=unit.now,
    )
    unit.session.add(tx)
    unit.session.flush()
    return tx


def mark_paid(account: Account, day: dt.date) -> None:
    """Move the account's last payment date forward to ``day``."""
    if account.last_payment_date is None or day > account.last_payment_date:
        account.last_payment_date = day


def find_payment(
    unit: Unit,
    payment: Any = None,
    account: str | None = None,
    date: dt.date | None = None,
) -> Transaction:
    """A payment by id, or the one payment still spread on an account on a date."""
    if payment is not None:
        try:
            key = int(payment)
        except (TypeError, ValueError):
            raise DomainError(f"payment must be a transaction number, got {payment!r}") from None
        tx = unit.session.get(Transaction, key)
        if tx is None:
            raise DomainError(f"unknown payment '{payment}'")
        return tx
    if account is None or date is None:
        raise DomainError("name the payment, or its account and date")
    unit.get(Account, str(account), "account")
    found = list(
        unit.session.scalars(
            select(Transaction)
            .where(
                Transaction.account_id == str(account),
                Transaction.kind == "payment",
                Transaction.on_date == date,
                Transaction.reversed.is_(False),
            )
            .order_by(Transaction.id)
        )
    )
    if not found:
        raise DomainError(f"account '{account}' has no spread payment on {date}")
    if len(found) > 1:
        listed = ", ".join(str(tx.id) for tx in found)
        raise DomainError(
            f"account '{account}' has several payments on {date} ({listed}): name one"
        )
    return found[0]


def payment_and_mirrors(unit: Unit, tx: Transaction) -> list[Transaction]:
    """The payment and its live mirrors; mirrors and reversals are refused by name."""
    if tx.kind == "mirror":
        raise DomainError(
            f"transaction {tx.id} on account '{tx.account_id}' mirrors payment {tx.parent_id}: "
            f"a mirrored spread is never edited by hand; unspread payment {tx.parent_id}"
        )
    if tx.kind != "payment":
        raise DomainError(f"transaction {tx.id} is a {tx.kind}, not a payment")
    if tx.reversed:
        raise DomainError(f"payment {tx.id} on account '{tx.account_id}' is already unspread")
    mirrors = unit.session.scalars(
        select(Transaction)
        .where(
            Transaction.parent_id == tx.id,
            Transaction.kind == "mirror",
            Transaction.reversed.is_(False),
        )
        .order_by(Transaction.id)
    )
    return [tx, *mirrors]


def reverse(unit: Unit, tx: Transaction) -> Transaction:
    """Mark ``tx`` reversed, add its negating ``reversal`` and reset the last payment date."""
    account = unit.get(Account, tx.account_id, "account")
    tx.reversed = True
    reversal = new_transaction(
        unit, "reversal", account, -tx.amount, unit.today, tx.spreader, parent_id=tx.id
    )
    for allocation in list(tx.allocations):
        allocate(unit, reversal, account, allocation.bucket, -allocation.amount)
    unit.session.flush()
    latest = unit.session.scalar(
        select(func.max(Transaction.on_date)).where(
            Transaction.account_id == account.id,
            Transaction.kind.in_(PAID_KINDS),
            Transaction.reversed.is_(False),
        )
    )
    account.last_payment_date = latest
    return reversal


def unspread_payment(
    unit: Unit,
    payment: Any = None,
    account: str | None = None,
    date: dt.date | None = None,
) -> list[Transaction]:
    """Reverse a payment and its mirrors; history is kept (``reversed`` plus a negating
    ``reversal`` transaction each). Returns the reversals."""
    tx = find_payment(unit, payment, account, date)
    return [reverse(unit, each) for each in payment_and_mirrors(unit, tx)]
