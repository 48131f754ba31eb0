"""Reaching a case: the case by id, its accounts and their responsible parties, and the guard
every change to it passes (a dismissed case, or one with its judgment, refuses further buttons).
"""

from __future__ import annotations

from typing import Any

from engine.domain.errors import DomainError
from engine.domain.models import Account, Case
from engine.domain.unit import Unit

RESPONSIBLE = "responsible"


def get_case(unit: Unit, case: Any) -> Case:
    """The case by id; NotFound names it."""
    found: Case = unit.get(Case, str(case), "case")
    return found


def case_accounts(unit: Unit, row: Case) -> list[Account]:
    """The accounts party to the case, in the order they were added (the first is primary)."""
    return [unit.get(Account, link.account_id, "account") for link in row.accounts]


def responsible_parties(account: Account) -> set[str]:
    """Ids of the parties responsible for an account (RP)."""
    return {link.party_id for link in account.parties if RESPONSIBLE in (link.roles or [])}


def require_open(row: Case, doing: str) -> None:
    """Refuse changing a case that is dismissed or already has its judgment."""
    if row.status == "DISMISSED":
        raise DomainError(f"case '{row.id}' is dismissed: cannot {doing}")
    if row.judgment_id:
        raise DomainError(
            f"case '{row.id}' already has judgment '{row.judgment_id}': cannot {doing}"
        )
