"""Judgments (ACE "Judgment Rendered", seed 003) and judgment interest (DESIGN §5).

Rendering a judgment creates the judgment account under a judgment client (``judgment:
true``), with the judgment amount as its principal and any court costs and attorney fees in
their buckets, and spreads the amount over the original accounts party to the judgment. The
originals stay linked (``judgment_id``); every later payment on the judgment account is
mirrored onto them (``payments``), and their clients keep the invoicing and reporting.

Judgment interest is simple, per annum, on the judgment client's interest-bearing buckets,
at the judgment's rate from its effective date; the client's rate changes (statutory
changes) effective after that date replace it from their own date. Interest accrued up to a
payment is posted to the interest bucket when the payment is (a transaction of kind
``interest``), so accrual always runs from the latest posting and never counts a day twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.config.model import InterestRules, RuleSet
from engine.domain.interest import accrued_interest
from engine.domain.models import Account, AccountParty, Judgment, JudgmentSpread, Transaction
from engine.domain.money import ZERO, largest_remainder
from engine.domain.operations.accounts import ensure_client
from engine.domain.operations.cases import (
    case_accounts,
    check_case_date,
    get_case,
    money_param,
    require_open,
)
from engine.domain.unit import DomainError, Unit

DEFAULT_RESULT = "Judgment for plaintiff"


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


def _judgment_client(unit: Unit, code: str) -> str:
    configured = unit.ruleset.clients.get(str(code))
    if configured is None:
        raise DomainError(f"unknown client '{code}': it is not in the configuration")
    if not configured.judgment:
        raise DomainError(
            f"client '{code}' is not a judgment client (a judgment client has judgment: true)"
        )
    return configured.code


def _spread(
    unit: Unit,
    case_id: str,
    amount: Decimal,
    spread: Mapping[str, Any] | None,
    accounts: list[Account],
) -> dict[str, Decimal]:
    """The judgment amount over the original accounts: the given spread (it must sum to the
    amount), else the proposed spread (or the balances) scaled to the amount."""
    on_case = {a.id: a for a in accounts}
    if spread is not None:
        if not isinstance(spread, Mapping) or not spread:
            raise DomainError(f"case '{case_id}': spread must map accounts to amounts")
        result: dict[str, Decimal] = {}
        for account_id, value in spread.items():
            if str(account_id) not in on_case:
                raise DomainError(f"account '{account_id}' is not on case '{case_id}'")
            part = money_param(f"spread to account '{account_id}'", value)
            if part < 0:
                raise DomainError(f"spread to account '{account_id}' is negative ({part})")
            result[str(account_id)] = part
        total = sum(result.values(), ZERO)
        if total != amount:
            raise DomainError(
                f"case '{case_id}': the spread sums to {total}, not the judgment amount {amount}"
            )
        return {k: v for k, v in result.items() if v > 0}
    links = get_case(unit, case_id).accounts
    proposed = [link.proposed_spread for link in links]
    weights = (
        [Decimal(p) for p in proposed if p is not None]
        if all(p is not None for p in proposed)
        else [max(on_case[link.account_id].balance(), ZERO) for link in links]
    )
    parts = largest_remainder(amount, weights)
    return {link.account_id: part for link, part in zip(links, parts, strict=True) if part > 0}


def render_judgment(
    unit: Unit,
    case: str,
    judgment_client: str,
    judgment_account: str,
    amount: Any,
    interest_rate: Any = None,
    effective_date: dt.date | None = None,
    judgment_date: dt.date | None = None,
    result: str | None = None,
    spread: Mapping[str, Any] | None = None,
    court_costs: Any = None,
    attorney_fees: Any = None,
    status: str | None = None,
    judgment: str | None = None,
) -> Judgment:
    """Render the case's judgment: the judgment account, the spread over the originals, the
    links; emits ``onCaseJudgment`` then ``onAfterJudgmentSpread``."""
    row = get_case(unit, case)
    require_open(row, "render a judgment")
    if row.file_date is None:
        raise DomainError(f"case '{row.id}' has not been filed: file it before the judgment")
    client_code = _judgment_client(unit, judgment_client)
    account_id = str(judgment_account or "").strip()
    if not account_id:
        raise DomainError(f"case '{row.id}': name the judgment account to create")
    if unit.session.get(Account, account_id) is not None:
        raise DomainError(f"account '{account_id}' already exists: name a new judgment account")
    judgment_id = str(judgment or account_id).strip()
    if unit.session.get(Judgment, judgment_id) is not None:
        raise DomainError(f"judgment '{judgment_id}' already exists")
    principal = money_param("judgment amount", amount)
    if principal <= 0:
        raise DomainError(f"case '{row.id}': the judgment amount must be positive, got {principal}")
    extras = {
        "court_costs": money_param("court costs", court_costs) if court_costs is not None else ZERO,
        "attorney_fees": money_param("attorney fees", attorney_fees)
        if attorney_fees is not None
        else ZERO,
    }
    for bucket, value in extras.items():
        if value < 0:
            raise DomainError(f"case '{row.id}': {bucket.replace('_', ' ')} are negative ({value})")
    rate = _rate(unit, client_code, interest_rate)
    rendered_on = judgment_date or unit.today
    check_case_date(row, "judgment_date", rendered_on)
    if rendered_on > unit.today:
        raise DomainError(f"case '{row.id}': judgment date {rendered_on} is in the future")
    effective = effective_date or rendered_on
    if status is not None and status not in unit.ruleset.status_codes:
        raise DomainError(f"unknown status code '{status}'")
    originals = case_accounts(unit, row)
    spread_rows = _spread(unit, row.id, principal, spread, originals)
    by_id = {a.id: a for a in originals}
    for original_id in spread_rows:
        client = unit.ruleset.clients.get(by_id[original_id].client_code)
        if client is None or not client.judgment_spreader:
            raise DomainError(
                f"client '{by_id[original_id].client_code}' of account '{original_id}' has no "
                "judgment_spreader to mirror judgment payments onto its accounts"
            )
    ensure_client(unit, client_code)
    new = Account(
        id=account_id,
        client_code=client_code,
        bundle=row.bundle,
        status=status or ("NEW" if "NEW" in unit.ruleset.status_codes else "JDG"),
        placed_date=unit.today,
        is_judgment=True,
        judgment_id=judgment_id,
        flags=[],
        holds=[],
        fields={"case": row.id},
        principal=principal,
        interest=ZERO,
        fees=ZERO,
        court_costs=extras["court_costs"],
        attorney_fees=extras["attorney_fees"],
        other=ZERO,
        overpayment=ZERO,
        created_at=unit.now,
    )
    # The defendants are the parties responsible for the judgment debt.
    new.parties = [
        AccountParty(party_id=link.party_id, roles=["responsible"], position=position)
        for position, link in enumerate(row.defendants)
    ]
    unit.session.add(new)
    unit.session.flush()
    rendered = Judgment(
        id=judgment_id,
        case_id=row.id,
        account_id=account_id,
        client_code=client_code,
        amount=principal,
        interest_rate=rate,
        effective_date=effective,
        judgment_date=rendered_on,
        result=str(result or DEFAULT_RESULT),
        created_at=unit.now,
    )
    unit.session.add(rendered)
    unit.session.flush()
    for original_id, part in spread_rows.items():
        unit.session.add(
            JudgmentSpread(judgment_id=judgment_id, account_id=original_id, amount=part)
        )
        by_id[original_id].judgment_id = judgment_id
    row.judgment_id = judgment_id
    row.judgment_date = rendered_on
    row.status = "JUDGMENT"
    unit.session.flush()
    data = {"judgment": judgment_id, "account": account_id, "amount": str(principal)}
    unit.emit("onCaseJudgment", "case", row.id, data)
    unit.emit(
        "onAfterJudgmentSpread",
        "case",
        row.id,
        {"judgment": judgment_id, "spread": {k: str(v) for k, v in spread_rows.items()}},
    )
    return rendered


def _rate(unit: Unit, client_code: str, value: Any) -> Decimal:
    if value is None:
        configured = unit.ruleset.clients[client_code].interest
        return configured.rate if configured is not None else Decimal(0)
    try:
        rate = Decimal(str(value).strip())
    except ArithmeticError:
        raise DomainError(f"interest rate '{value}' is not a number") from None
    if not rate.is_finite() or not 0 <= rate <= 100:
        raise DomainError(f"interest rate must be a percentage between 0 and 100, got {value}")
    return rate


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
