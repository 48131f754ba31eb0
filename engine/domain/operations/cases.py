"""Case operations: open a legal case on accounts of a bundle, and enter its dated milestones.

Only the minimum the scheduler and its scenarios need lives here so far (``open_case`` and
``set_case_dates``); the rest of the case lifecycle (authorization, filing, judgment…) joins
this module in its own issue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from difflib import get_close_matches
from typing import Any

from engine.domain.models import CASE_DATE_FIELDS, Account, Case, CaseAccount, CaseDefendant, Party
from engine.domain.unit import DomainError, Unit


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


def open_case(
    unit: Unit,
    case: str,
    accounts: Iterable[str] | str,
    defendants: Iterable[str] | str = (),
    status: str = "OPEN",
    court: str | None = None,
    attorney: str | None = None,
    process_server: str | None = None,
) -> Case:
    """Open a case on accounts (the first is the primary) against defendants; emits
    ``onAfterCaseInsert``."""
    case_id = str(case or "").strip()
    if not case_id:
        raise DomainError("a case needs an id")
    if unit.session.get(Case, case_id) is not None:
        raise DomainError(f"case '{case_id}' already exists")
    account_ids = _ids(accounts, "account")
    if not account_ids:
        raise DomainError(f"case '{case_id}' needs at least one account")
    rows: list[Account] = [unit.get(Account, account_id, "account") for account_id in account_ids]
    bundles = {row.bundle or row.id for row in rows}
    if len(bundles) > 1:
        # A case handles the accounts of one consumer together (DESIGN §1, bundle).
        raise DomainError(
            f"case '{case_id}': accounts {', '.join(account_ids)} belong to different bundles "
            f"({', '.join(sorted(bundles))})"
        )
    defendant_ids = _ids(defendants, "defendant")
    for party_id in defendant_ids:
        unit.get(Party, party_id, "party")
    row = Case(
        id=case_id,
        status=status,
        bundle=bundles.pop(),
        court=court,
        attorney=attorney,
        process_server=process_server,
        opened_date=unit.today,
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
    unit.emit("onAfterCaseInsert", "case", case_id, {"accounts": account_ids})
    return row


def set_case_dates(unit: Unit, case: str, dates: Mapping[str, Any]) -> dict[str, str | None]:
    """Enter, change or clear (None) case dates; date triggers re-arm or disarm from them.

    Returns the fields that changed with their new ISO value (None when cleared).
    """
    row: Case = unit.get(Case, str(case), "case")
    if not dates:
        raise DomainError(
            f"case '{row.id}': name at least one date field ({', '.join(CASE_DATE_FIELDS)})"
        )
    changed: dict[str, str | None] = {}
    for name, value in dates.items():
        if name not in CASE_DATE_FIELDS:
            close = get_close_matches(name, CASE_DATE_FIELDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise DomainError(f"case '{row.id}': unknown case date '{name}'{hint}")
        if value is not None and not isinstance(value, date):
            raise DomainError(f"case '{row.id}': '{name}' must be a date or null, got {value!r}")
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed[name] = value.isoformat() if value is not None else None
    return changed
