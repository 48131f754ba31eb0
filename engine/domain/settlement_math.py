"""Settlement and offer arithmetic (DESIGN §5): authority amount, tolerance, fees.

A bucket the client's percentages do not mention is taken at 100 %: the client gave no
authority to reduce it. Credit (negative) balances owe nothing, as in spreading.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from engine.config.model import SettlementRules, Tolerance
from engine.domain.money import (
    HUNDRED,
    ZERO,
    percent_of,
    require_cents,
    require_non_negative,
    require_percentage,
    require_positive,
)

__all__ = [
    "OfferOutcome",
    "disbursement",
    "fees",
    "is_reached",
    "needs_approval",
    "offer_outcome",
    "remaining",
    "require_non_negative",
    "require_percentage",
    "require_positive",
    "require_term",
    "settlement_amount",
    "settlement_amount_for",
    "tolerance_amount",
]

OfferOutcome = Literal["Fully Settled", "Partially Settled", "Not Settled"]


def settlement_amount(
    balances: Mapping[str, Decimal],
    percentages: Mapping[str, Decimal],
    new_interest: Decimal = ZERO,
) -> Decimal:
    """Σ over buckets of balance × percentage / 100, each bucket in cents (half up).

    ``new_interest`` (interest accrued but not yet posted) is added to the interest bucket
    before its percentage is taken; pass it only when the client includes new interest.
    """
    require_non_negative("new interest", new_interest)
    for bucket, pct in percentages.items():
        require_percentage(f"settlement percentage for {bucket}", pct)
    owed = {b: max(require_cents(f"{b} balance", v), ZERO) for b, v in balances.items()}
    if new_interest:
        owed["interest"] = owed.get("interest", ZERO) + new_interest
    return sum((percent_of(v, percentages.get(b, HUNDRED)) for b, v in owed.items()), ZERO)


def settlement_amount_for(
    balances: Mapping[str, Decimal], rules: SettlementRules, new_interest: Decimal = ZERO
) -> Decimal:
    """The client's authority amount; new interest counts only if the client includes it."""
    extra = new_interest if rules.include_new_interest else ZERO
    return settlement_amount(balances, rules.percentages, extra)


def needs_approval(offer: Decimal, authority_amount: Decimal) -> bool:
    """An offer below the client's authority amount is outside it and needs approval."""
    return offer < authority_amount


def tolerance_amount(amount: Decimal, tolerance: Tolerance | None) -> Decimal:
    """The shortfall a settlement may have and still be reached, in cents.

    A percent tolerance is a share of the settlement amount; a fixed one is a sum. When a
    client gives both, the larger applies (the client accepted either shortfall). Never
    more than the amount itself.
    """
    if tolerance is None:
        return ZERO
    candidates = [ZERO]
    if tolerance.percent is not None:
        require_percentage("tolerance percent", tolerance.percent)
        candidates.append(percent_of(amount, tolerance.percent))
    if tolerance.amount is not None:
        candidates.append(require_non_negative("tolerance amount", tolerance.amount))
    return min(max(candidates), max(amount, ZERO))


def is_reached(received: Decimal, amount: Decimal, tolerance: Tolerance | None = None) -> bool:
    """True when payments since inception reach the amount less the tolerance."""
    require_non_negative("received", received)
    require_positive("settlement amount", amount)
    return received >= amount - tolerance_amount(amount, tolerance)


def remaining(amount: Decimal, received: Decimal) -> Decimal:
    """What is still to pay on a settlement; never negative."""
    require_non_negative("settlement amount", amount)
    require_non_negative("received", received)
    return max(amount - received, ZERO)


def fees(total: Decimal, fee_percent: Decimal) -> Decimal:
    """The agency's fee: a percentage of the settled total, cents half up."""
    require_non_negative("settled total", total)
    require_percentage("fee percent", fee_percent)
    return percent_of(total, fee_percent)


def disbursement(total: Decimal, fee_percent: Decimal) -> tuple[Decimal, Decimal]:
    """(fees, net to the client) with fees + net == total to the cent."""
    fee = fees(total, fee_percent)
    return fee, total - fee


def offer_outcome(received: Decimal, amount: Decimal) -> OfferOutcome:
    """The status an offer takes at the end of its term, from what was received."""
    require_non_negative("received", received)
    require_positive("offer amount", amount)
    if received >= amount:
        return "Fully Settled"
    if received > 0:
        return "Partially Settled"
    return "Not Settled"


def require_term(term_days: int, max_term_days: int | None = None) -> int:
    """Return term_days if it is a positive whole number within the client's maximum."""
    if isinstance(term_days, bool) or not isinstance(term_days, int) or term_days < 1:
        raise ValueError(f"offer term must be a whole number of days ≥ 1, got {term_days!r}")
    if max_term_days is not None and term_days > max_term_days:
        raise ValueError(
            f"offer term of {term_days} days exceeds the client's maximum of {max_term_days}"
        )
    return term_days
