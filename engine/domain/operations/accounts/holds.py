"""Contact holds (bankruptcy, deceased, dispute, cease communication): recorded and lifted."""

from __future__ import annotations

from engine.domain.errors import DomainError
from engine.domain.models import Account
from engine.domain.operations.accounts.changes import add_note
from engine.domain.unit import Unit

HOLD_EVENTS = {
    "bankruptcy": "onAfterBankruptcyInsert",
    "deceased": "onAfterDeceased",
    "dispute": "onDispute",
    "cease_communication": "onCeaseCommunication",
}


def record_hold(unit: Unit, account_id: str, hold: str, detail: str | None = None) -> Account:
    """Put a contact hold (bankruptcy, deceased, dispute, cease communication) on an account."""
    if hold not in HOLD_EVENTS:
        raise DomainError(f"unknown hold '{hold}'; holds are {', '.join(HOLD_EVENTS)}")
    account: Account = unit.get(Account, account_id, "account")
    if hold not in account.holds:
        account.holds = sorted({*account.holds, hold})
    unit.emit(HOLD_EVENTS[hold], "account", account.id, {"hold": hold, "detail": detail})
    return account


def lift_hold(unit: Unit, account_id: str, hold: str, detail: str | None = None) -> Account:
    """Lift a contact hold: new messages may go out again; those it blocked stay parked until
    an admin retries them (a disputed file's letters must not go out by themselves)."""
    if hold not in HOLD_EVENTS:
        raise DomainError(f"unknown hold '{hold}'; holds are {', '.join(HOLD_EVENTS)}")
    account: Account = unit.get(Account, account_id, "account")
    if hold not in account.holds:
        held = ", ".join(account.holds) or "none"
        raise DomainError(f"account '{account.id}' has no {hold} hold (its holds: {held})")
    account.holds = [h for h in account.holds if h != hold]
    add_note(unit, account, f"Contact hold lifted: {hold}" + (f" ({detail})" if detail else ""))
    unit.emit("onContactHoldLifted", "account", account.id, {"hold": hold, "detail": detail})
    return account
