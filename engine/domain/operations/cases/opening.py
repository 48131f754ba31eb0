"""Opening a legal case on accounts of a bundle, and adding accounts and defendants to it (ACE
legal module, seed 003). Every refusal raises ``DomainError`` naming the object, before anything
is changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from engine.domain.errors import DomainError
from engine.domain.ids import check_id
from engine.domain.models import Account, Case, CaseAccount, CaseDefendant, Party
from engine.domain.operations.accounts.changes import set_status
from engine.domain.operations.cases.access import (
    case_accounts,
    get_case,
    require_open,
    responsible_parties,
)
from engine.domain.unit import Unit


def _ids(value: Iterable[Any] | str | None, what: str, field: str) -> list[str]:
    """The ids named, as given: each keeps the id rule (never stripped), none twice."""
    if value is None:
        return []
    if isinstance(value, str):
        return [check_id(value, field, f"{what} id")]
    ids = [check_id(item, (field, n), f"{what} id") for n, item in enumerate(value)]
    if len(set(ids)) != len(ids):
        raise DomainError(f"a {what} is listed twice")
    return ids


def _check_defendants(
    unit: Unit, case_id: str, accounts: list[Account], party_ids: list[str]
) -> None:
    responsible = set().union(*(responsible_parties(a) for a in accounts)) if accounts else set()
    for party_id in party_ids:
        unit.get(Party, party_id, "party")
        if party_id not in responsible:
            raise DomainError(
                f"case '{case_id}': party '{party_id}' is not a responsible party on any "
                "account of the case"
            )


def _legal_status(unit: Unit, code: str) -> str:
    configured = unit.ruleset.status_codes.get(code)
    if configured is None:
        raise DomainError(f"unknown status code '{code}'")
    if not configured.legal:
        raise DomainError(f"status code '{code}' is not a legal status code (legal: true)")
    return code


def open_case(
    unit: Unit,
    case: str,
    accounts: Iterable[str] | str,
    defendants: Iterable[str] | str = (),
    status: str = "OPEN",
    court: str | None = None,
    attorney: str | None = None,
    process_server: str | None = None,
    status_code: str | None = None,
    opened_date: date | None = None,
) -> Case:
    """Open a case on accounts (the first is the primary) against defendants; emits
    ``onAfterCaseInsert``.

    ``status_code`` (a status code with the ``legal`` option) is set on every account of the
    case; ``opened_date`` (default today, never in the future) lets a case brought over from
    another system keep its history.
    """
    case_id = unit.new_key(Case, case, "case")
    account_ids = _ids(accounts, "account", "accounts")
    if not account_ids:
        raise DomainError(f"case '{case_id}' needs at least one account")
    rows: list[Account] = [unit.get(Account, account_id, "account") for account_id in account_ids]
    for account in rows:
        if account.is_judgment:
            raise DomainError(
                f"account '{account.id}' is a judgment account: a case is opened on originals"
            )
    bundles = {row.bundle or row.id for row in rows}
    if len(bundles) > 1:
        # A case handles the accounts of one consumer together (DESIGN §1, bundle).
        raise DomainError(
            f"case '{case_id}': accounts {', '.join(account_ids)} belong to different bundles "
            f"({', '.join(sorted(bundles))})"
        )
    defendant_ids = _ids(defendants, "defendant", "defendants")
    _check_defendants(unit, case_id, rows, defendant_ids)
    if status_code is not None:
        _legal_status(unit, status_code)
    opened = opened_date or unit.today
    if opened > unit.today:
        raise DomainError(f"case '{case_id}': opened date {opened} is in the future")
    row = Case(
        id=case_id,
        status=status,
        bundle=bundles.pop(),
        court=court,
        attorney=attorney,
        process_server=process_server,
        opened_date=opened,
        created_at=unit.now,
    )
    row.accounts = [
        CaseAccount(account_id=account_id, position=position)
        for position, account_id in enumerate(account_ids)
    ]
    row.defendants = [
        CaseDefendant(party_id=party_id, position=position)
        for position, party_id in enumerate(defendant_ids)
    ]
    unit.session.add(row)
    unit.session.flush()
    if status_code is not None:
        for account in rows:
            set_status(unit, account, status_code)
    unit.emit("onAfterCaseInsert", "case", case_id, {"accounts": account_ids})
    return row


def add_case_accounts(
    unit: Unit, case: str, accounts: Iterable[str] | str, status_code: str | None = None
) -> list[str]:
    """Add accounts of the bundle to a case; each must be a responsible-party account tied
    to the bundle (its bundle, and a responsible party of an account already on the case).
    ``status_code`` (a legal status code) is set on the accounts added."""
    row = get_case(unit, case)
    require_open(row, "add accounts")
    if status_code is not None:
        _legal_status(unit, status_code)
    account_ids = _ids(accounts, "account", "accounts")
    if not account_ids:
        raise DomainError(f"case '{row.id}': name at least one account to add")
    on_case = case_accounts(unit, row)
    present = {a.id for a in on_case}
    case_rps = set().union(*(responsible_parties(a) for a in on_case)) if on_case else set()
    added: list[Account] = []
    for account_id in account_ids:
        account: Account = unit.get(Account, account_id, "account")
        if account.id in present:
            raise DomainError(f"account '{account.id}' is already on case '{row.id}'")
        if account.is_judgment:
            raise DomainError(
                f"account '{account.id}' is a judgment account, not a debt of the bundle"
            )
        if (account.bundle or account.id) != row.bundle:
            raise DomainError(
                f"account '{account.id}' is not in the bundle of case '{row.id}' "
                f"(bundle '{row.bundle}', the account's is '{account.bundle or account.id}')"
            )
        if not responsible_parties(account) & case_rps:
            raise DomainError(
                f"account '{account.id}' is not a responsible-party account of case '{row.id}': "
                "none of its responsible parties is responsible on an account of the case"
            )
        added.append(account)
    position = len(row.accounts)
    for offset, account in enumerate(added):
        row.accounts.append(
            CaseAccount(case_id=row.id, account_id=account.id, position=position + offset)
        )
    unit.session.flush()
    if status_code is not None:
        for account in added:
            set_status(unit, account, status_code)
    return [a.id for a in added]


def add_defendants(unit: Unit, case: str, defendants: Iterable[str] | str) -> list[str]:
    """Add defendants: each must be a responsible party on an account of the case."""
    row = get_case(unit, case)
    require_open(row, "add defendants")
    party_ids = _ids(defendants, "defendant", "defendants")
    if not party_ids:
        raise DomainError(f"case '{row.id}': name at least one defendant to add")
    present = {link.party_id for link in row.defendants}
    for party_id in party_ids:
        if party_id in present:
            raise DomainError(f"party '{party_id}' is already a defendant on case '{row.id}'")
    _check_defendants(unit, row.id, case_accounts(unit, row), party_ids)
    position = len(row.defendants)
    for offset, party_id in enumerate(party_ids):
        row.defendants.append(
            CaseDefendant(case_id=row.id, party_id=party_id, position=position + offset)
        )
    unit.session.flush()
    return party_ids
