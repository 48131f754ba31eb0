"""Judgment interest (DESIGN §5): what has accrued on a judgment account and not been posted.

Judgment interest is simple, per annum, on the judgment client's interest-bearing buckets,
at the judgment's rate from its effective date; the client's rate changes (statutory
changes) effective after that date replace it from their own date. Interest accrued up to a
payment is posted to the interest bucket when the payment is (a transaction of kind
``interest``), so accrual always runs from the latest posting and never counts a day twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.config.model import InterestRules, RuleSet
from engine.domain.interest import accrued_interest
from engine.domain.models import Account, Judgment, Transaction
from engine.domain.money import ZERO


def interest_rules(ruleset: RuleSet, judgment: Judgment) -> InterestRules:
    """The judgment's interest: its own rate, the client's basis, buckets and later changes."""
    client = ruleset.clients.get(judgment.client_code)
    base = client.interest if client is not None else None
    if base is None:
        return InterestRules(rate=judgment.interest_rate)
    later = tuple(c for c in base.changes if c.effective > judgment.effective_date)
    return InterestRules(
        rate=judgment.interest_rate, basis=base.basis, buckets=base.buckets, changes=later
    )


def accrual_start(session: Session, judgment: Judgment) -> dt.date:
    """The day interest accrues from: the effective date, or the latest interest posting."""
    latest = session.scalar(
        select(func.max(Transaction.on_date)).where(
            Transaction.account_id == judgment.account_id,
            Transaction.kind == "interest",
            Transaction.reversed.is_(False),
        )
    )
    return max(judgment.effective_date, latest) if latest else judgment.effective_date


def interest_due(session: Session, ruleset: RuleSet, judgment: Judgment, day: dt.date) -> Decimal:
    """Interest accrued on the judgment account and not yet posted, up to ``day``."""
    start = accrual_start(session, judgment)
    if day <= start:
        return ZERO
    account = session.get(Account, judgment.account_id)
    if account is None:
        return ZERO
    return accrued_interest(account.balances(), interest_rules(ruleset, judgment), start, day)
