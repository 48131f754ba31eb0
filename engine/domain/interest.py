"""Judgment interest: simple, per annum, on the client's interest-bearing buckets (DESIGN §5).

``interest = principal × rate / 100 × days / basis`` for each period at one rate, summed
exactly and rounded to cents (half up) once at the end, so splitting a period at a rate
change never adds a rounding cent. ``days`` counts from the start date up to but not
including the end date, the usual day count for accrual. Interest accrues only on a
positive principal: a credit balance earns the debtor nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from engine.config.model import BUCKETS, InterestRules
from engine.domain.money import HUNDRED, ZERO, cents, require_non_negative
from engine.domain.spreading import waterfall

BASES = (360, 364, 365)


@dataclass(frozen=True, slots=True)
class Period:
    """Days from start (inclusive) to end (exclusive) at one annual rate."""

    start: date
    end: date
    rate: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True, slots=True)
class PaymentApplication:
    """A payment applied to a judgment account: paid per bucket, and what was left over."""

    paid: Mapping[str, Decimal]  # "interest" includes the accrued interest paid
    accrued_paid: Decimal  # the part of paid["interest"] that settled accrued interest
    overpayment: Decimal

    def total(self) -> Decimal:
        """Everything applied, overpayment included: equals the payment."""
        return sum(self.paid.values(), self.overpayment)


def rate_on(rules: InterestRules, day: date) -> Decimal:
    """The annual rate (entered percentage) in force on a day: the latest change effective
    on or before it, else the base rate; of two changes on one date the later listed wins."""
    rate = rules.rate
    for change in sorted(rules.changes, key=lambda c: c.effective):
        if change.effective <= day:
            rate = change.rate
    return rate


def periods(rules: InterestRules, start: date, end: date) -> list[Period]:
    """Split [start, end) at every rate change effective inside it."""
    if end < start:
        raise ValueError(f"interest period ends ({end}) before it starts ({start})")
    cuts = sorted({c.effective for c in rules.changes if start < c.effective < end})
    bounds = [start, *cuts, end]
    return [Period(a, b, rate_on(rules, a)) for a, b in pairwise(bounds) if b > a]


def interest_bearing(balances: Mapping[str, Decimal], rules: InterestRules) -> Decimal:
    """The principal interest accrues on: the client's interest buckets, never below zero."""
    return max(sum((balances.get(b, ZERO) for b in rules.buckets), ZERO), ZERO)


def accrued_interest(
    balances: Mapping[str, Decimal], rules: InterestRules, start: date, end: date
) -> Decimal:
    """Simple interest on the interest-bearing buckets from start to end, in cents."""
    if rules.basis not in BASES:
        raise ValueError(f"day-count basis must be one of {BASES}, got {rules.basis}")
    principal = interest_bearing(balances, rules)
    exact = sum(
        (principal * p.rate / HUNDRED * p.days / rules.basis for p in periods(rules, start, end)),
        ZERO,
    )
    return cents(exact)


def apply_payment_interest_first(
    amount: Decimal,
    interest_due: Decimal,
    balances: Mapping[str, Decimal],
    order: Sequence[str] | None = None,
) -> PaymentApplication:
    """Apply a payment to accrued interest and the interest bucket first, then principal,
    then the other buckets in catalogue order; a jurisdiction's ``order`` replaces that."""
    require_non_negative("payment amount", amount)
    require_non_negative("interest due", interest_due)
    if order is None:
        order = (
            "interest",
            "principal",
            *(b for b in BUCKETS if b not in ("interest", "principal")),
        )
    owed = {b: max(balances.get(b, ZERO), ZERO) for b in order}
    if "interest" in owed:
        owed["interest"] += interest_due
    paid, rest = waterfall(amount, owed, order)
    # Accrued interest is not yet posted, so it is settled before the posted interest
    # bucket: the caller posts accrued_paid as interest paid and reduces the bucket by the rest.
    accrued_paid = min(paid.get("interest", ZERO), interest_due)
    return PaymentApplication(paid, accrued_paid, rest)
