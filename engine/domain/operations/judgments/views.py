"""A judgment as ``docket case show`` and the API's ``GET /judgments/{id}`` show it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain.errors import DomainError
from engine.domain.models import Account, Judgment, JudgmentSpread
from engine.domain.money import ZERO
from engine.domain.operations.judgments.accrual import interest_due


def describe(session: Session, ruleset: RuleSet, judgment_id: str, day: dt.date) -> dict[str, Any]:
    """A judgment with its account, spread and interest accrued to ``day``."""
    judgment = session.get(Judgment, judgment_id)
    if judgment is None:
        raise DomainError(f"unknown judgment '{judgment_id}'")
    account = session.get(Account, judgment.account_id)
    spreads = session.scalars(
        select(JudgmentSpread).where(JudgmentSpread.judgment_id == judgment_id)
    )
    return {
        "id": judgment.id,
        "case": judgment.case_id,
        "account": judgment.account_id,
        "client": judgment.client_code,
        "amount": judgment.amount,
        "interest_rate": judgment.interest_rate,
        "effective_date": judgment.effective_date,
        "judgment_date": judgment.judgment_date,
        "result": judgment.result,
        "balance": account.balance() if account is not None else ZERO,
        "interest_accrued": interest_due(session, ruleset, judgment, day),
        "spread": {row.account_id: row.amount for row in spreads},
    }
