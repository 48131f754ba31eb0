"""How far a settlement has come: received since its inception and remaining, the payments
counted and those before inception, and the payment that reached it (amount less tolerance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from engine.config.model import RuleSet, Tolerance
from engine.domain.models import Account, Settlement
from engine.domain.money import ZERO
from engine.domain.operations.accounts.terms import rules_for
from engine.domain.operations.payments.applied import Payment, payments_applied
from engine.domain.settlement_math import remaining, tolerance_amount


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
