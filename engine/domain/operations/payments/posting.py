"""Posting payments: spread over the account's buckets, and — on a judgment account —
mirrored in the same transaction onto the original accounts (DESIGN §5, seed 003).

A payment is a ``Transaction`` of kind ``payment`` with one ``Allocation`` per bucket paid
(the ``overpayment`` bucket takes what no balance could). On a judgment account the interest
accrued since the last posting is settled first (``interest``), and the whole amount is then
mirrored onto the originals by each original client's ``judgment_spreader``: one ``mirror``
transaction per original account, ``parent_id`` the payment, ``client_code`` the original
account's client, so reporting and invoicing stay with the original clients. No operation
edits a mirror; ``unspread_payment`` (in ``ledger``, with the row primitives)
reverses a payment and its mirrors (each keeps its row, ``reversed`` set, and gains a
negating ``reversal`` transaction) and ``respread_payment`` unspreads and spreads again as
new transactions.

``AFTER_PAYMENT`` hooks run after each posted payment and each mirror, in the same
transaction (settlement tracking registers there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from engine.config.model import Spreader
from engine.domain.errors import DomainError
from engine.domain.interest import apply_payment_interest_first
from engine.domain.models import Account, CaseAccount, Judgment, JudgmentSpread, Transaction
from engine.domain.money import ZERO, largest_remainder
from engine.domain.operations.judgments.accrual import accrual_start, interest_due
from engine.domain.operations.params import money_param
from engine.domain.operations.payments.ledger import (
    account_position,
    allocate,
    client_spreader,
    find_payment,
    mark_paid,
    new_transaction,
    payment_and_mirrors,
    reverse,
    spreader_named,
)
from engine.domain.spreading import Part, rank, spread
from engine.domain.unit import Unit

PaymentHook = Callable[[Unit, Account, Transaction], None]

AFTER_PAYMENT: list[PaymentHook] = []


def post_payment(
    unit: Unit,
    account: str,
    amount: Any,
    date: dt.date | None = None,
    spreader: str | None = None,
) -> Transaction:
    """Post a payment and spread it (see the module docstring); emits ``onAfterPaymentPost``."""
    row: Account = unit.get(Account, str(account), "account")
    paid = money_param("amount", amount, f"payment amount on account '{row.id}'")
    if paid <= 0:
        raise DomainError(f"account '{row.id}': a payment must be greater than zero, got {paid}")
    day = date or unit.today
    if day > unit.today:
        raise DomainError(f"account '{row.id}': payment date {day} is in the future")
    if row.judgment_id and not row.is_judgment:
        judgment = unit.get(Judgment, row.judgment_id, "judgment")
        raise DomainError(
            f"account '{row.id}' is party to judgment '{judgment.id}': post the payment to "
            f"judgment account '{judgment.account_id}'"
        )
    chosen = client_spreader(unit, row, spreader)
    tx, mirrors = _post(unit, row, paid, day, chosen)
    unit.emit(
        "onAfterPaymentPost",
        "account",
        row.id,
        {
            "payment": tx.id,
            "amount": str(paid),
            "date": day.isoformat(),
            "mirrors": {m.account_id: str(m.amount) for m in mirrors},
        },
    )
    return tx


def _post(
    unit: Unit, account: Account, amount: Decimal, day: dt.date, spreader: Spreader
) -> tuple[Transaction, list[Transaction]]:
    """Post and spread one payment (and its mirrors); run the hooks."""
    judgment = None
    if account.is_judgment:
        judgment = unit.get(Judgment, str(account.judgment_id), "judgment")
        if day < judgment.judgment_date:
            raise DomainError(
                f"judgment account '{account.id}': payment date {day} is before the judgment "
                f"date {judgment.judgment_date}"
            )
    tx = new_transaction(unit, "payment", account, amount, day, spreader.id)
    mirrors: list[Transaction] = []
    if judgment is None:
        allocation = spread(amount, [account_position(account)], spreader)
        for part in allocation.parts:
            allocate(unit, tx, account, part.bucket, part.amount)
        allocate(unit, tx, account, "overpayment", allocation.overpayment)
    else:
        _pay_judgment(unit, tx, account, judgment, amount, day, spreader)
        mirrors = _mirror(unit, tx, judgment, amount, day)
    mark_paid(account, day)
    unit.session.flush()
    for hook in AFTER_PAYMENT:
        hook(unit, account, tx)
    for mirror in mirrors:
        original = unit.get(Account, mirror.account_id, "account")
        for hook in AFTER_PAYMENT:
            hook(unit, original, mirror)
    return tx, mirrors


def _pay_judgment(
    unit: Unit,
    tx: Transaction,
    account: Account,
    judgment: Judgment,
    amount: Decimal,
    day: dt.date,
    spreader: Spreader,
) -> None:
    """Interest first: post the interest accrued to the payment day, then pay it and the
    interest bucket before the spreader's other buckets."""
    due = interest_due(unit.session, unit.ruleset, judgment, day)
    order = ("interest", *(b for b in spreader.order if b != "interest"))
    applied = apply_payment_interest_first(amount, due, account.balances(), order)
    if day > accrual_start(unit.session, judgment):
        accrual = new_transaction(unit, "interest", account, due, day)
        allocate(unit, accrual, account, "interest", -due)  # interest owed goes up
    for bucket in order:
        allocate(unit, tx, account, bucket, applied.paid.get(bucket, ZERO))
    allocate(unit, tx, account, "overpayment", applied.overpayment)


def _mirror(
    unit: Unit, payment: Transaction, judgment: Judgment, amount: Decimal, day: dt.date
) -> list[Transaction]:
    """Mirror the payment onto the original accounts by their clients' judgment spreaders;
    several clients share it in proportion to their part of the judgment spread."""
    rows = list(
        unit.session.scalars(
            select(JudgmentSpread).where(JudgmentSpread.judgment_id == judgment.id)
        )
    )
    order = _case_order(unit, judgment)
    rows.sort(key=lambda r: (order.get(r.account_id, len(order)), r.account_id))
    originals = [unit.get(Account, r.account_id, "account") for r in rows]
    groups: dict[str, list[tuple[Account, Decimal]]] = {}
    for original, row in zip(originals, rows, strict=True):
        groups.setdefault(original.client_code, []).append((original, row.amount))
    weights = [sum((part for _, part in members), ZERO) for members in groups.values()]
    shares = largest_remainder(amount, weights)
    mirrors: list[Transaction] = []
    for (client_code, members), share in zip(groups.items(), shares, strict=True):
        if share == 0:
            continue
        client = unit.ruleset.clients.get(client_code)
        if client is None or not client.judgment_spreader:
            raise DomainError(
                f"client '{client_code}' has no judgment_spreader to mirror the payment onto "
                f"its accounts of judgment '{judgment.id}'"
            )
        chosen = spreader_named(unit, client.judgment_spreader)
        accounts = [account for account, _ in members]
        mirrors.extend(_mirror_group(unit, payment, accounts, share, day, chosen, order))
    return mirrors


def _mirror_group(
    unit: Unit,
    payment: Transaction,
    accounts: Sequence[Account],
    share: Decimal,
    day: dt.date,
    spreader: Spreader,
    order: dict[str, int],
) -> list[Transaction]:
    positions = [account_position(a, f"{order.get(a.id, 0):06d}") for a in accounts]
    allocation = spread(share, positions, spreader)
    by_id = {a.id: a for a in accounts}
    parts: dict[str, list[Part]] = {}
    for part in allocation.parts:
        parts.setdefault(part.account_id, []).append(part)
    # What no original could take stays with the first account the spreader serves.
    first = rank(positions, spreader)[0].account_id
    mirrors = []
    for position in rank(positions, spreader):
        account = by_id[position.account_id]
        extra = allocation.overpayment if account.id == first else ZERO
        total = sum((p.amount for p in parts.get(account.id, [])), extra)
        if total == 0:
            continue
        mirror = new_transaction(unit, "mirror", account, total, day, spreader.id, payment.id)
        for part in parts.get(account.id, []):
            allocate(unit, mirror, account, part.bucket, part.amount)
        allocate(unit, mirror, account, "overpayment", extra)
        mark_paid(account, day)
        mirrors.append(mirror)
    return mirrors


def _case_order(unit: Unit, judgment: Judgment) -> dict[str, int]:
    links = unit.session.scalars(select(CaseAccount).where(CaseAccount.case_id == judgment.case_id))
    return {link.account_id: link.position for link in links}


def respread_payment(
    unit: Unit,
    payment: Any = None,
    spreader: str | None = None,
    account: str | None = None,
    date: dt.date | None = None,
) -> Transaction:
    """Unspread a payment and spread it again on its date as new transactions, with
    ``spreader`` or the one it was spread with."""
    tx = find_payment(unit, payment, account, date)
    targets = payment_and_mirrors(unit, tx)
    row = unit.get(Account, tx.account_id, "account")
    name = spreader or tx.spreader
    chosen = spreader_named(unit, name) if name else client_spreader(unit, row, None)
    for each in targets:
        reverse(unit, each)
    new, _ = _post(unit, row, tx.amount, tx.on_date, chosen)
    return new


def move_payments_after(unit: Unit, judgment: Judgment) -> list[Transaction]:
    """Move payments posted on the originals after the judgment date to the judgment
    account: each is unspread from its original and posted (and mirrored) there."""
    originals = list(
        unit.session.scalars(
            select(JudgmentSpread.account_id).where(JudgmentSpread.judgment_id == judgment.id)
        )
    )
    moving = list(
        unit.session.scalars(
            select(Transaction)
            .where(
                Transaction.account_id.in_(originals),
                Transaction.kind == "payment",
                Transaction.reversed.is_(False),
                Transaction.on_date > judgment.judgment_date,
            )
            .order_by(Transaction.on_date, Transaction.id)
        )
    )
    account = unit.get(Account, judgment.account_id, "account")
    chosen = client_spreader(unit, account, None)
    moved = []
    for tx in moving:
        reverse(unit, tx)
        new, _ = _post(unit, account, tx.amount, tx.on_date, chosen)
        moved.append(new)
    return moved
