"""Settlement offers (Oracle Banking Collections, seed 002; DESIGN §5).

Initiated → Offer Generated (the offer communication went out: ``offer_action: generate``
or a letter from the offer template) → Offer Accepted / Offer Declined / Cancelled; at the
end of the term (offer date + term days, or the expiry date, whichever comes first) the
daily check resolves an open offer to Fully, Partially or Not Settled by what was received
since the offer, through the term's last day (``term``). One active offer per account.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.errors import DomainError
from engine.domain.models import Account, Offer
from engine.domain.operations.accounts.terms import authority_amount, check_open, rules_for
from engine.domain.operations.params import as_date, money_param
from engine.domain.settlement_math import require_term
from engine.domain.unit import Unit

ACTIVE = ("Initiated", "Offer Generated", "Offer Accepted")
RESOLVED = ("Fully Settled", "Partially Settled", "Not Settled")

# The letter template whose sending is the offer communication (seed 002: "once the
# settlement offer communication is sent, the status changes to Offer Generated").
OFFER_TEMPLATE = "settlement-offer"

# action: (new status, event, statuses it applies to)
ACTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "generate": ("Offer Generated", "onOfferGenerated", ("Initiated",)),
    "accept": ("Offer Accepted", "onOfferAccepted", ("Initiated", "Offer Generated")),
    "decline": ("Offer Declined", "onOfferDeclined", ("Initiated", "Offer Generated")),
    "cancel": ("Cancelled", "onOfferCancelled", ACTIVE),
}


def active_offer(session: Session, account_id: str) -> Offer | None:
    """The account's active offer (Initiated, Offer Generated or Offer Accepted), if any."""
    return session.scalars(
        select(Offer)
        .where(Offer.account_id == account_id, Offer.status.in_(ACTIVE))
        .order_by(Offer.initiated_date.desc(), Offer.id.desc())
    ).first()


def get_offer(unit: Unit, offer: Any) -> Offer:
    """The offer by id; NotFound names it."""
    found: Offer = unit.get(Offer, str(offer), "offer")
    return found


def _snapshot(unit: Unit, account: Account) -> dict[str, Any]:
    """The widget's "Settlement (as on Initiation Date)": total, principal, interest, other."""
    balances = account.balances()
    principal, interest = balances["principal"], balances["interest"]
    total = account.balance()
    return {
        "date": unit.today.isoformat(),
        "total": str(total),
        "principal": str(principal),
        "interest": str(interest),
        "other": str(total - principal - interest),
        "authority_amount": str(authority_amount(unit, account, unit.today)),
    }


def end_date(row: Offer) -> date | None:
    """The term's last day: offer date (else initiation) + term days, or the expiry date."""
    start = row.offer_date or row.initiated_date
    ends = [d for d in (row.expiry_date,) if d is not None]
    if row.term_days is not None:
        ends.append(start + timedelta(days=row.term_days))
    return min(ends) if ends else None


def create_offer(
    unit: Unit,
    offer: str,
    account: str,
    amount: Any = None,
    term_days: Any = None,
    expiry_date: date | None = None,
    settlement_type: str | None = None,
) -> Offer:
    """Create an Initiated offer, refused while the account has another active one."""
    oid = unit.new_key(Offer, offer, "offer")
    row_account: Account = unit.get(Account, str(account), "account")
    check_open(unit.ruleset, row_account, "an offer")
    current = active_offer(unit.session, row_account.id)
    if current is not None:
        raise DomainError(
            f"account '{row_account.id}' already has an active offer '{current.id}' "
            f"({current.status}); cancel or decline it before creating another"
        )
    if amount is None:
        raise DomainError(f"offer '{oid}' needs an amount")
    value = money_param("amount", amount, "offer amount")
    if value <= 0:
        raise DomainError(f"offer '{oid}': the offer amount must be greater than zero, got {value}")
    outstanding = row_account.balance()
    if value > outstanding:
        raise DomainError(
            f"offer '{oid}': the offer amount {value} is more than the total outstanding "
            f"{outstanding}"
        )
    term = _term(oid, row_account, unit, term_days)
    expiry = as_date(expiry_date)
    if term is None and expiry is None:
        raise DomainError(f"offer '{oid}' needs term_days or an expiry_date")
    if expiry is not None and expiry < unit.today:
        raise DomainError(f"offer '{oid}': the expiry date {expiry} is already past")
    row = Offer(
        id=oid,
        account_id=row_account.id,
        amount=value,
        term_days=term,
        expiry_date=expiry,
        initiated_date=unit.today,
        status="Initiated",
        settlement_type=None if settlement_type is None else str(settlement_type),
        snapshot=_snapshot(unit, row_account),
        created_at=unit.now,
    )
    row.end_date = end_date(row)
    unit.session.add(row)
    unit.session.flush()
    return row


def _term(oid: str, account: Account, unit: Unit, term_days: Any) -> int | None:
    if term_days is None:
        return None
    if isinstance(term_days, str) and term_days.strip().isdigit():
        term_days = int(term_days)
    rules = rules_for(unit.ruleset, account)
    try:
        return require_term(term_days, rules.max_term_days if rules is not None else None)
    except ValueError as exc:
        raise DomainError(f"offer '{oid}': {exc}") from None


def offer_action(unit: Unit, offer: str, action: str, via: str = "action") -> Offer:
    """Generate, accept, decline or cancel an offer; emits the matching event."""
    row = get_offer(unit, offer)
    if action not in ACTIONS:
        raise DomainError(f"unknown offer action '{action}'; the actions are {', '.join(ACTIONS)}")
    if row.status == "Cancelled":
        raise DomainError(f"offer '{row.id}' is cancelled: no action can be taken on it")
    status, event, allowed = ACTIONS[action]
    if row.status not in allowed:
        raise DomainError(
            f"offer '{row.id}' is {row.status}: '{action}' applies only to an offer that is "
            f"{' or '.join(allowed)}"
        )
    row.status = status
    data: dict[str, Any] = {"action": action}
    if action == "generate":
        row.offer_date = unit.today
        row.end_date = end_date(row)
        data["via"] = via
    unit.emit(event, "offer", row.id, data)
    return row


def letter_sent(unit: Unit, account_ids: list[str], template: str | None) -> list[str]:
    """A letter from the offer template went out: the accounts' Initiated offers are now
    Offer Generated. Returns the offers it generated."""
    if template != OFFER_TEMPLATE:
        return []
    generated = []
    for account_id in account_ids:
        row = active_offer(unit.session, account_id)
        if row is not None and row.status == "Initiated":
            offer_action(unit, row.id, "generate", via="letter")
            generated.append(row.id)
    return generated
