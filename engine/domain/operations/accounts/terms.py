"""An account's terms under its client's configuration, read by settlements and offers alike:
whether it is closed, its settlement rules, the interest accrued since the last payment, and the
authority amount the client's percentages allow (new interest included when the client says so).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.config.model import RuleSet, SettlementRules
from engine.domain.errors import DomainError
from engine.domain.interest import accrued_interest
from engine.domain.models import Account
from engine.domain.money import ZERO
from engine.domain.operations.params import as_date
from engine.domain.settlement_math import settlement_amount, settlement_amount_for
from engine.domain.unit import Unit


def rules_for(ruleset: RuleSet, account: Account) -> SettlementRules | None:
    """The settlement rules of the account's client, if it has any."""
    client = ruleset.clients.get(account.client_code)
    return client.settlement if client is not None else None


def check_open(ruleset: RuleSet, account: Account, what: str) -> None:
    """Refuse ``what`` on an account whose status code is closed."""
    code = ruleset.status_codes.get(account.status)
    if code is not None and code.closed:
        raise DomainError(
            f"account '{account.id}' is closed (status {account.status}): "
            f"{what} cannot be made on a closed account"
        )


def new_interest(unit: Unit, account: Account, on: date) -> Decimal:
    """Interest accrued but not yet posted, to ``on``, under the client's interest rules.

    It accrues from the last payment, else the account's ``interest_through`` field (an ISO
    date an import may set), else the placement date; a client without interest rules
    accrues none.
    """
    client = unit.ruleset.clients.get(account.client_code)
    if client is None or client.interest is None:
        return ZERO
    through = account.fields.get("interest_through") if account.fields else None
    starts = [d for d in (account.last_payment_date, as_date(through), account.placed_date) if d]
    since = starts[0] if starts else None
    if since is None or since >= on:
        return ZERO
    return accrued_interest(account.balances(), client.interest, since, on)


def authority_amount(unit: Unit, account: Account, on: date) -> Decimal:
    """What the client's percentages allow over the current balances (new interest included
    when the client says so); with no settlement rules the client allows no reduction."""
    rules = rules_for(unit.ruleset, account)
    if rules is None:
        return settlement_amount(account.balances(), {})
    return settlement_amount_for(account.balances(), rules, new_interest(unit, account, on))
