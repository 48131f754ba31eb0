"""Case operations: open a legal case on accounts of a bundle, add accounts and defendants,
and enter its dated milestones (ACE legal module, seed 003).

The case "buttons" (authorization, summons, service, filing, dismissal, auto spread) live in
``cases_lifecycle``, documents in ``cases_documents`` and judgments in ``judgments``. Every
refusal raises ``DomainError`` naming the object, before anything is changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from difflib import get_close_matches
from typing import Any

from engine.domain.models import (
    CASE_DATE_FIELDS,
    Account,
    Case,
    CaseAccount,
    CaseDefendant,
    Judgment,
    Party,
)
from engine.domain.money import to_money
from engine.domain.operations.accounts import set_status
from engine.domain.unit import DomainError, Unit

RESPONSIBLE = "responsible"


def _ids(value: Iterable[Any] | str | None, what: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    ids = [str(item).strip() for item in items]
    if any(not item for item in ids):
        raise DomainError(f"an empty {what} id was given")
    if len(set(ids)) != len(ids):
        raise DomainError(f"a {what} is listed twice")
    return ids


def money_param(name: str, value: Any) -> Decimal:
    """An amount given to an operation, in cents; text, whole numbers and Decimals are read
    exactly, and a float from YAML or JSON by its shortest repr (what the admin typed)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        return to_money(value)
    except (TypeError, ValueError):
        raise DomainError(f"{name} must be an amount of money, got {value!r}") from None


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
    account_ids = _ids(accounts, "account")
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
    defendant_ids = _ids(defendants, "defendant")
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
    account_ids = _ids(accounts, "account")
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
    party_ids = _ids(defendants, "defendant")
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


def check_case_date(row: Case, name: str, value: date | None) -> None:
    """Refuse a case date that is not a date, or that falls before the case was opened."""
    if value is not None and not isinstance(value, date):
        raise DomainError(f"case '{row.id}': '{name}' must be a date or null, got {value!r}")
    if value is not None and value < row.opened_date:
        raise DomainError(
            f"case '{row.id}': {name} {value} is before the case was opened ({row.opened_date})"
        )


def set_case_dates(unit: Unit, case: str, dates: Mapping[str, Any]) -> dict[str, str | None]:
    """Enter, change or clear (None) case dates; date triggers re-arm or disarm from them.

    Returns the fields that changed with their new ISO value (None when cleared). A changed
    judgment date is kept on the case's judgment too.
    """
    row = get_case(unit, case)
    if not dates:
        raise DomainError(
            f"case '{row.id}': name at least one date field ({', '.join(CASE_DATE_FIELDS)})"
        )
    for name, value in dates.items():
        if name not in CASE_DATE_FIELDS:
            close = get_close_matches(name, CASE_DATE_FIELDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise DomainError(f"case '{row.id}': unknown case date '{name}'{hint}")
        check_case_date(row, name, value)
    if "judgment_date" in dates and row.judgment_id and dates["judgment_date"] is None:
        raise DomainError(
            f"case '{row.id}': the judgment date of judgment '{row.judgment_id}' cannot be cleared"
        )
    changed: dict[str, str | None] = {}
    for name, value in dates.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed[name] = value.isoformat() if value is not None else None
    if "judgment_date" in changed and row.judgment_id:
        judgment = unit.session.get(Judgment, row.judgment_id)
        if judgment is not None:
            judgment.judgment_date = row.judgment_date  # type: ignore[assignment]
    return changed
