"""Settlements on an account (CollectMax, seed 001; DESIGN §5): create, approve, change state,
remove. Every refusal raises ``DomainError`` naming the problem, before anything changes.

A settlement outside the client's authority needs approval before it tracks payments; a
new, approved or re-activated settlement is tracked at once (``tracking``), since earlier
payments may already meet it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from engine.config.model import BUCKETS, SettlementRules
from engine.domain.errors import DomainError
from engine.domain.models import (
    Account,
    CaseAccount,
    Installment,
    Party,
    Settlement,
    SettlementClaim,
)
from engine.domain.money import percent_of
from engine.domain.operations.accounts.terms import authority_amount, check_open, rules_for
from engine.domain.operations.params import as_date, money_param, percent_param
from engine.domain.operations.settlements.tracking import track
from engine.domain.unit import Unit

SETTABLE_STATES = ("active", "inactive", "void")
PAYMENT_CODES = ("settlement", "partial")


def create_settlement(
    unit: Unit,
    settlement: str,
    account: str,
    amount: Any = None,
    calculate: bool = False,
    percent: Any = None,
    inception_date: date | None = None,
    claims: Iterable[Any] | None = None,
    installments: Iterable[Any] | None = None,
    case: str | None = None,
    code_payment_as: str = "settlement",
) -> Settlement:
    """Agree a settlement on an account; below the authority amount it needs approval."""
    sid = unit.new_key(Settlement, settlement, "settlement")
    row_account: Account = unit.get(Account, str(account), "account")
    check_open(unit.ruleset, row_account, "a settlement")
    _check_no_other_active(unit, row_account.id, sid)
    if code_payment_as not in PAYMENT_CODES:
        raise DomainError(
            f"code_payment_as must be one of {', '.join(PAYMENT_CODES)}, got '{code_payment_as}'"
        )
    inception = as_date(inception_date) or unit.today
    authority = authority_amount(unit, row_account, inception)
    value = _settlement_value(sid, row_account, amount, calculate, percent, authority)
    rules = rules_for(unit.ruleset, row_account)
    row = Settlement(
        id=sid,
        account_id=row_account.id,
        case_id=_case_of(unit, row_account, case),
        amount=value,
        calculated_amount=authority,
        inception_date=inception,
        status="active",
        outside_authority=value < authority,
        code_payment_as=code_payment_as,
        snapshot=_snapshot(row_account, inception),
        created_at=unit.now,
    )
    row.claims = _claims(unit, sid, claims)
    row.installments = _installments(sid, inception, installments, rules)
    unit.session.add(row)
    unit.session.flush()
    track(unit, row)  # a back-dated inception may already be met by earlier payments
    return row


def _settlement_value(
    sid: str, account: Account, amount: Any, calculate: bool, percent: Any, authority: Decimal
) -> Decimal:
    given = [name for name, v in (("amount", amount), ("percent", percent)) if v is not None]
    if calculate:
        given.append("calculate")
    if len(given) != 1:
        raise DomainError(
            f"settlement '{sid}': give exactly one of amount, percent or calculate: true"
            + (f" (got {', '.join(given)})" if given else "")
        )
    if calculate:
        value = authority
    elif percent is not None:
        value = percent_of(account.balance(), percent_param("settlement percent", percent))
    else:
        value = money_param("amount", amount, "settlement amount")
    if value <= 0:
        raise DomainError(
            f"settlement '{sid}': the settlement amount must be greater than zero, got {value}"
        )
    return value


def _check_no_other_active(unit: Unit, account_id: str, sid: str) -> None:
    # Two active settlements would both count the same payments.
    other = unit.session.scalars(
        select(Settlement.id).where(
            Settlement.account_id == account_id,
            Settlement.status == "active",
            Settlement.id != sid,
        )
    ).first()
    if other is not None:
        raise DomainError(
            f"account '{account_id}' already has an active settlement '{other}'; make it "
            "inactive or void first"
        )


def _case_of(unit: Unit, account: Account, case: str | None) -> str | None:
    links = unit.session.scalars(select(CaseAccount).where(CaseAccount.account_id == account.id))
    cases = [link.case_id for link in links]
    if case is None:
        return cases[-1] if cases else None
    if str(case) not in cases:
        raise DomainError(f"account '{account.id}' is not on case '{case}'")
    return str(case)


def _snapshot(account: Account, on: date) -> dict[str, Any]:
    balances = account.balances()
    return {
        "date": on.isoformat(),
        "total": str(account.balance()),
        **{bucket: str(balances[bucket]) for bucket in BUCKETS},
    }


def _claims(unit: Unit, sid: str, claims: Iterable[Any] | None) -> list[SettlementClaim]:
    rows = []
    for index, item in enumerate(claims or []):
        if not isinstance(item, Mapping):
            raise DomainError(f"settlement '{sid}': claim {index + 1} must be a mapping")
        unknown = sorted(set(item) - {"claimant", "amount", "status"})
        if unknown:
            raise DomainError(
                f"settlement '{sid}': claim {index + 1} has unknown field(s) {', '.join(unknown)}"
            )
        claimant = item.get("claimant")
        if claimant is not None and unit.session.get(Party, str(claimant)) is None:
            raise DomainError(f"settlement '{sid}': unknown claimant party '{claimant}'")
        value = money_param(
            ("claims", index, "amount"), item.get("amount"), f"claim {index + 1} amount"
        )
        if value <= 0:
            raise DomainError(
                f"settlement '{sid}': claim {index + 1} amount must be greater than zero"
            )
        rows.append(
            SettlementClaim(
                claimant=None if claimant is None else str(claimant),
                amount=value,
                status=str(item.get("status") or "Pending"),
            )
        )
    return rows


def _installments(
    sid: str, inception: date, items: Iterable[Any] | None, rules: SettlementRules | None
) -> list[Installment]:
    rows = []
    for index, item in enumerate(items or []):
        if not isinstance(item, Mapping) or "due_date" not in item or "amount" not in item:
            raise DomainError(
                f"settlement '{sid}': installment {index + 1} needs a due_date and an amount"
            )
        due = as_date(item["due_date"])
        if due is None:
            raise DomainError(f"settlement '{sid}': installment {index + 1} needs a due_date")
        if due < inception:
            raise DomainError(
                f"settlement '{sid}': installment {index + 1} is due {due}, before the "
                f"inception date {inception}"
            )
        value = money_param(
            ("installments", index, "amount"), item["amount"], f"installment {index + 1} amount"
        )
        if value <= 0:
            raise DomainError(
                f"settlement '{sid}': installment {index + 1} amount must be greater than zero"
            )
        rows.append(Installment(due_date=due, amount=value, status="due"))
    if rows and rules is not None and rules.max_term_days is not None:
        last = max(row.due_date for row in rows)
        if (last - inception).days > rules.max_term_days:
            raise DomainError(
                f"settlement '{sid}': the last installment on {last} is "
                f"{(last - inception).days} days after inception; the client allows at most "
                f"{rules.max_term_days}"
            )
    return rows


def get_settlement(unit: Unit, settlement: Any) -> Settlement:
    """The settlement by id; NotFound names it."""
    found: Settlement = unit.get(Settlement, str(settlement), "settlement")
    return found


def approve_settlement(unit: Unit, settlement: str, by: Any = None) -> Settlement:
    """Record who approved a settlement outside the client's authority; tracking starts."""
    row = get_settlement(unit, settlement)
    who = str(by or "").strip()
    if not who:
        raise DomainError(f"approving settlement '{row.id}' needs 'by' (who approved it)")
    if not row.outside_authority:
        raise DomainError(
            f"settlement '{row.id}' is within the client's authority "
            f"({row.amount} ≥ {row.calculated_amount}); nothing to approve"
        )
    if row.approved_by:
        raise DomainError(
            f"settlement '{row.id}' was already approved by {row.approved_by} "
            f"on {row.approved_date}"
        )
    if row.status == "void":
        raise DomainError(f"settlement '{row.id}' is void; it cannot be approved")
    row.approved_by, row.approved_date = who, unit.today
    track(unit, row)
    return row


def set_settlement_state(unit: Unit, settlement: str, state: str) -> Settlement:
    """Make a settlement active, inactive or void; inactive and void stop tracking."""
    row = get_settlement(unit, settlement)
    if state not in SETTABLE_STATES:
        raise DomainError(
            f"settlement state must be one of {', '.join(SETTABLE_STATES)}, got '{state}' "
            "(a settlement becomes reached from its payments)"
        )
    if state == "active" and row.status != "active":
        account: Account = unit.get(Account, row.account_id, "account")
        check_open(unit.ruleset, account, "an active settlement")
        _check_no_other_active(unit, account.id, row.id)
        row.status, row.reached_date, row.reaching_payment_id = "active", None, None
        track(unit, row)
    else:
        row.status = state
    return row


def remove_settlement(unit: Unit, settlement: str) -> str:
    """Delete a settlement with its claims and installments."""
    row = get_settlement(unit, settlement)
    unit.session.delete(row)
    unit.session.flush()
    return row.id
