"""The case "buttons" of the ACE legal module (seed 003): Request Client Auth, authorize each
account, Request Summons, Serve Defendants, record service, File Case, Dismiss, Auto Spread.

A button that records a date fills it with today (the ACE screen "auto populates" it) and
emits its event; the date then drives its date trigger through the scheduler's sweep.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.domain.errors import DomainError
from engine.domain.models import Account, CaseAccount
from engine.domain.operations.cases.access import case_accounts, get_case, require_open
from engine.domain.operations.cases.dates import check_case_date
from engine.domain.unit import Unit


def _link(unit: Unit, case_id: str, account_id: str) -> CaseAccount:
    row = get_case(unit, case_id)
    for link in row.accounts:
        if link.account_id == str(account_id):
            return link
    unit.get(Account, str(account_id), "account")
    raise DomainError(f"account '{account_id}' is not on case '{row.id}'")


def request_client_auth(unit: Unit, case: str) -> dt.date:
    """Request the client's authorization to sue: the request date is today; emits
    ``onCaseClientAuthorizationRequest``."""
    row = get_case(unit, case)
    require_open(row, "request client authorization")
    row.client_auth_request_date = unit.today
    unit.emit("onCaseClientAuthorizationRequest", "case", row.id, {"date": unit.today.isoformat()})
    return unit.today


def authorize_account(unit: Unit, case: str, account: str, date: dt.date | None = None) -> dt.date:
    """Enter one account's authorization date (default today); every account of a case is
    authorized separately before the case can be filed."""
    row = get_case(unit, case)
    require_open(row, "authorize accounts")
    link = _link(unit, row.id, account)
    when = date or unit.today
    check_case_date(row, "authorization date", when)
    if when > unit.today:
        raise DomainError(f"case '{row.id}': authorization date {when} is in the future")
    link.authorized_date = when
    return when


def request_summons(unit: Unit, case: str) -> dt.date:
    """Request the summons: the request date is today; emits ``onCaseSummonsRequest``."""
    row = get_case(unit, case)
    require_open(row, "request a summons")
    row.summons_request_date = unit.today
    unit.emit("onCaseSummonsRequest", "case", row.id, {"date": unit.today.isoformat()})
    return unit.today


def serve_defendants(unit: Unit, case: str, response_days: int | None = None) -> dt.date:
    """Send the defendants for service: the serve request date is today, with the serve
    response period in days if given; emits ``onCaseServeRequest``."""
    row = get_case(unit, case)
    require_open(row, "serve defendants")
    if not row.defendants:
        raise DomainError(f"case '{row.id}' has no defendants to serve: add defendants first")
    if response_days is not None:
        if isinstance(response_days, bool) or not isinstance(response_days, int):
            raise DomainError(
                f"case '{row.id}': response_days must be a whole number of days, "
                f"got {response_days!r}"
            )
        if response_days < 0:
            raise DomainError(f"case '{row.id}': response_days must not be negative")
        row.serve_response_days = response_days
    row.serve_request_date = unit.today
    data: dict[str, Any] = {
        "date": unit.today.isoformat(),
        "response_days": row.serve_response_days,
    }
    unit.emit("onCaseServeRequest", "case", row.id, data)
    return unit.today


def record_served(unit: Unit, case: str, date: dt.date | None = None) -> dt.date:
    """Record service on the defendants (default today); emits ``onCaseServed``."""
    row = get_case(unit, case)
    require_open(row, "record service")
    when = date or unit.today
    check_case_date(row, "served_date", when)
    if when > unit.today:
        raise DomainError(f"case '{row.id}': served date {when} is in the future")
    row.served_date = when
    unit.emit("onCaseServed", "case", row.id, {"date": when.isoformat()})
    return when


def file_case(unit: Unit, case: str) -> dt.date:
    """File the case: refused until every account on it is authorized (the error names the
    ones that are not); the file date is today; emits ``onCaseFile``."""
    row = get_case(unit, case)
    require_open(row, "file it")
    missing = [link.account_id for link in row.accounts if link.authorized_date is None]
    if missing:
        listed = ", ".join(f"'{account_id}'" for account_id in missing)
        noun = "account" if len(missing) == 1 else "accounts"
        raise DomainError(
            f"case '{row.id}' cannot be filed: {noun} {listed} not authorized "
            "(authorize each account with its date first)"
        )
    row.file_date = unit.today
    row.status = "FILED"
    unit.emit("onCaseFile", "case", row.id, {"date": unit.today.isoformat()})
    return unit.today


def dismiss_case(unit: Unit, case: str, date: dt.date | None = None) -> dt.date:
    """Dismiss the case: status DISMISSED with its dismissed date (default today); emits
    ``onCaseDismiss``."""
    row = get_case(unit, case)
    require_open(row, "dismiss it")
    when = date or unit.today
    check_case_date(row, "dismissed_date", when)
    if when > unit.today:
        raise DomainError(f"case '{row.id}': dismissed date {when} is in the future")
    row.status = "DISMISSED"
    row.dismissed_date = when
    unit.emit("onCaseDismiss", "case", row.id, {"date": when.isoformat()})
    return when


def auto_spread(unit: Unit, case: str) -> dict[str, Decimal]:
    """Propose the judgment spread: each case account's current balance (ACE "Auto Spread");
    run it again after adding accounts."""
    row = get_case(unit, case)
    require_open(row, "auto spread")
    accounts = {a.id: a for a in case_accounts(unit, row)}
    spread: dict[str, Decimal] = {}
    for link in row.accounts:
        link.proposed_spread = accounts[link.account_id].balance()
        spread[link.account_id] = link.proposed_spread
    return spread
