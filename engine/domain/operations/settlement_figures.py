"""What settlements and offers read and write on the ledger: the payments applied to an
account, a settlement's received/remaining figures, and the write-off of the remainder.

A payment counts for an account by what it applied to that account (its allocations, the
overpayment bucket included), so a bundle payment spread over several accounts or a judgment
payment mirrored onto the original accounts counts where it landed. Reversed payments and
write-offs never count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet, SettlementRules, Tolerance
from engine.domain.interest import accrued_interest
from engine.domain.models import Account, Allocation, Offer, Settlement, Transaction
from engine.domain.money import ZERO, require_percentage, to_money
from engine.domain.settlement_math import (
    remaining,
    settlement_amount,
    settlement_amount_for,
    tolerance_amount,
)
from engine.domain.unit import DomainError, Unit

PAYMENT_KINDS = ("payment", "mirror")


# --- parameters ------------------------------------------------------------------------------


def amount_param(name: str, value: Any) -> Decimal:
    """An amount given to an operation, in cents; a float from YAML or JSON is read by its
    shortest repr (the text the admin typed), never by its binary value."""
    if isinstance(value, float):
        value = repr(value)
    try:
        return to_money(value)
    except (TypeError, ValueError):
        raise DomainError(f"{name} must be an amount of money, got {value!r}") from None


def percent_param(name: str, value: Any) -> Decimal:
    """A percentage from 0 to 100 (``"12.5"`` means 12.5 %)."""
    try:
        pct = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        return require_percentage(name, pct)
    except ArithmeticError:
        raise DomainError(f"{name} must be a percentage, got {value!r}") from None
    except ValueError as exc:
        raise DomainError(str(exc)) from None


def as_date(value: Any) -> date | None:
    """A date from a date or ISO text; None stays None."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"expected a date (YYYY-MM-DD), got '{value}'") from None


def rules_for(ruleset: RuleSet, account: Account) -> SettlementRules | None:
    """The settlement rules of the account's client, if it has any."""
    client = ruleset.clients.get(account.client_code)
    return client.settlement if client is not None else None


def check_open(ruleset: RuleSet, account: Account, what: str) -> None:
    """Refuse ``what`` on an account whose status code is closed."""
    code = ruleset.status_codes.get(account.status)
    if code is not None and code.closed:
        raise DomainError(
            f"account '{account.id}' is closed (status {account.status}): "
            f"{what} cannot be made on a closed account"
        )


# --- the client's authority ------------------------------------------------------------------


def new_interest(unit: Unit, account: Account, on: date) -> Decimal:
    """Interest accrued but not yet posted, to ``on``, under the client's interest rules.

    It accrues from the last payment, else the account's ``interest_through`` field (an ISO
    date an import may set), else the placement date; a client without interest rules
    accrues none.
    """
    client = unit.ruleset.clients.get(account.client_code)
    if client is None or client.interest is None:
        return ZERO
    through = account.fields.get("interest_through") if account.fields else None
    starts = [d for d in (account.last_payment_date, as_date(through), account.placed_date) if d]
    since = starts[0] if starts else None
    if since is None or since >= on:
        return ZERO
    return accrued_interest(account.balances(), client.interest, since, on)


def authority_amount(unit: Unit, account: Account, on: date) -> Decimal:
    """What the client's percentages allow over the current balances (new interest included
    when the client says so); with no settlement rules the client allows no reduction."""
    rules = rules_for(unit.ruleset, account)
    if rules is None:
        return settlement_amount(account.balances(), {})
    return settlement_amount_for(account.balances(), rules, new_interest(unit, account, on))


# --- payments applied ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment as it landed on one account: its transaction, date and applied amount."""

    id: int
    on_date: date
    amount: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"payment": self.id, "date": self.on_date.isoformat(), "amount": str(self.amount)}


def payments_applied(
    session: Session, account_id: str, start: date | None = None, end: date | None = None
) -> list[Payment]:
    """Payments applied to an account (by date, then posting order), optionally in a range."""
    query = (
        select(Transaction.id, Transaction.on_date, Allocation.amount)
        .join(Allocation, Allocation.transaction_id == Transaction.id)
        .where(
            Allocation.account_id == account_id,
            Transaction.kind.in_(PAYMENT_KINDS),
            Transaction.reversed.is_(False),
        )
    )
    if start is not None:
        query = query.where(Transaction.on_date >= start)
    if end is not None:
        query = query.where(Transaction.on_date <= end)
    totals: dict[tuple[date, int], Decimal] = {}
    for txn_id, on_date, amount in session.execute(query):
        key = (on_date, txn_id)
        totals[key] = totals.get(key, ZERO) + amount
    return [Payment(i, d, a) for (d, i), a in sorted(totals.items()) if a != 0]


def received(
    session: Session, account_id: str, start: date | None = None, end: date | None = None
) -> Decimal:
    """The total applied to an account in the range."""
    return sum((p.amount for p in payments_applied(session, account_id, start, end)), ZERO)


@dataclass(slots=True)
class Figures:
    """A settlement's tracking figures."""

    received: Decimal
    remaining: Decimal
    tolerance: Tolerance | None
    tolerance_amount: Decimal
    counted: list[Payment] = field(default_factory=list)  # on or after inception
    earlier: list[Payment] = field(default_factory=list)  # before inception: listed only
    reaching_payment: Payment | None = None  # the payment that met amount − tolerance

    def as_json(self) -> dict[str, Any]:
        return {
            "received": str(self.received),
            "remaining": str(self.remaining),
            "tolerance": str(self.tolerance_amount),
            "payments": [{**p.as_json(), "counted": True} for p in self.counted]
            + [{**p.as_json(), "counted": False} for p in self.earlier],
        }


def figures(session: Session, ruleset: RuleSet | None, row: Settlement) -> Figures:
    """Received since inception, remaining, and the payments listed (counted or not); the
    tolerance (and so the reaching payment) needs the client's rules from ``ruleset``."""
    account = session.get(Account, row.account_id)
    rules = rules_for(ruleset, account) if account is not None and ruleset else None
    tolerance = rules.tolerance if rules is not None else None
    allowance = tolerance_amount(row.amount, tolerance)
    every = payments_applied(session, row.account_id)
    counted = [p for p in every if p.on_date >= row.inception_date]
    earlier = [p for p in every if p.on_date < row.inception_date]
    total, reaching = ZERO, None
    for payment in counted:
        total += payment.amount
        if reaching is None and total > 0 and total >= row.amount - allowance:
            reaching = payment
    got = max(total, ZERO)
    return Figures(
        got, remaining(row.amount, got), tolerance, allowance, counted, earlier, reaching
    )


def offer_received(session: Session, row: Offer, today: date) -> Decimal:
    """Received since the offer (its offer date, else its initiation) through its term end."""
    if row.status in ("Fully Settled", "Partially Settled", "Not Settled"):
        return Decimal(str(row.snapshot.get("received", "0.00")))
    start = row.offer_date or row.initiated_date
    end = min(row.end_date, today) if row.end_date is not None else today
    return max(received(session, row.account_id, start, end), ZERO)


# --- write-off -------------------------------------------------------------------------------


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
