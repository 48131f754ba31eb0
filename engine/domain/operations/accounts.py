"""Account operations: placement, parties, status and worklist moves, flags, notes, tasks, holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from engine.config.model import BUCKETS
from engine.domain.models import (
    Account,
    AccountParty,
    Client,
    Note,
    Party,
    StatusHistory,
    Task,
    WorklistHistory,
)
from engine.domain.money import to_money
from engine.domain.unit import DomainError, Unit

HOLD_EVENTS = {
    "bankruptcy": "onAfterBankruptcyInsert",
    "deceased": "onAfterDeceased",
    "dispute": "onDispute",
    "cease_communication": "onCeaseCommunication",
}


def ensure_client(unit: Unit, code: str) -> Client:
    """The client row for a configured client (created on first use)."""
    configured = unit.ruleset.clients.get(code)
    if configured is None:
        raise DomainError(f"unknown client '{code}': it is not in the configuration")
    client = unit.session.get(Client, code)
    if client is None:
        client = Client(code=code, name=configured.name, judgment=configured.judgment)
        unit.session.add(client)
        unit.session.flush()  # the account row that follows references it
    return client


def upsert_party(unit: Unit, spec: Mapping[str, Any]) -> Party:
    """Create or update a party from ``{id, name, email, phone, timezone, address}``."""
    party_id = str(spec.get("id") or "").strip()
    if not party_id:
        raise DomainError("a party needs an id")
    party = unit.session.get(Party, party_id)
    if party is None:
        party = Party(id=party_id)
        unit.session.add(party)
    for key in ("name", "email", "phone", "timezone", "address"):
        if key in spec and spec[key] is not None:
            setattr(party, key, str(spec[key]))
    return party


def _party_links(unit: Unit, parties: Iterable[Any]) -> list[AccountParty]:
    links = []
    for position, item in enumerate(parties):
        if isinstance(item, Mapping):
            party_id, roles = str(item.get("party") or item.get("id")), item.get("roles")
        else:
            party_id, roles = str(item), None
        if unit.session.get(Party, party_id) is None:
            raise DomainError(f"unknown party '{party_id}'")
        links.append(
            AccountParty(party_id=party_id, roles=list(roles or ["responsible"]), position=position)
        )
    return links


def place_account(
    unit: Unit,
    id: str,
    client: str,
    parties: Iterable[Any] = (),
    balances: Mapping[str, Any] | None = None,
    status: str = "NEW",
    worklist: str | None = None,
    next_work_date: date | None = None,
    placed_date: date | None = None,
    bundle: str | None = None,
    fields: Mapping[str, Any] | None = None,
    flags: Iterable[str] = (),
) -> Account:
    """Place a new account for a client; emits ``onAfterAccountInsert``."""
    if not id:
        raise DomainError("an account needs an id")
    if unit.session.get(Account, id) is not None:
        raise DomainError(f"account '{id}' already exists")
    ensure_client(unit, client)
    _check_status(unit, status)
    if worklist is not None:
        _check_worklist(unit, worklist)
    account = Account(
        id=id,
        client_code=client,
        bundle=bundle or id,
        status=status,
        worklist=worklist,
        next_work_date=next_work_date,
        placed_date=placed_date or unit.today,
        flags=sorted(set(flags)),
        holds=[],
        fields=dict(fields or {}),
        created_at=unit.now,
    )
    for bucket, value in (balances or {}).items():
        if bucket not in BUCKETS:
            raise DomainError(f"account '{id}': unknown bucket '{bucket}'")
        amount = to_money(value)
        if amount < 0:
            raise DomainError(f"account '{id}': balance '{bucket}' is negative ({amount})")
        setattr(account, bucket, amount)
    for bucket in (*BUCKETS, "overpayment"):
        if getattr(account, bucket) is None:
            setattr(account, bucket, Decimal("0.00"))
    account.parties = _party_links(unit, parties)
    unit.session.add(account)
    unit.session.flush()
    unit.emit("onAfterAccountInsert", "account", id, {"client": client})
    return account


def _check_status(unit: Unit, code: str) -> None:
    if code not in unit.ruleset.status_codes:
        raise DomainError(f"unknown status code '{code}'")


def _check_worklist(unit: Unit, worklist: str) -> None:
    if worklist not in unit.ruleset.worklists:
        raise DomainError(f"unknown worklist '{worklist}'")


def set_status(unit: Unit, account: Account, code: str) -> bool:
    """Change the status code; records history and emits ``onStatusChange``. False if same."""
    _check_status(unit, code)
    old = account.status
    if old == code:
        return False
    account.status = code
    unit.add_row(
        StatusHistory,
        {
            "account_id": account.id,
            "old": old,
            "new": code,
            "on_date": unit.today,
            "at": unit.now,
            "event_id": unit.cause,
            "run_id": unit.run_id,
        },
    )
    unit.emit("onStatusChange", "account", account.id, {"old": old, "new": code})
    return True


def move_worklist(
    unit: Unit, account: Account, worklist: str, next_work_date: date | None = None
) -> bool:
    """Move to a worklist with a next-work date; emits ``onWorklistChange`` when it moves."""
    _check_worklist(unit, worklist)
    old = account.worklist
    account.next_work_date = next_work_date or account.next_work_date
    if old == worklist:
        return False
    account.worklist = worklist
    unit.add_row(
        WorklistHistory,
        {
            "account_id": account.id,
            "old": old,
            "new": worklist,
            "next_work_date": account.next_work_date,
            "on_date": unit.today,
            "at": unit.now,
            "event_id": unit.cause,
            "run_id": unit.run_id,
        },
    )
    unit.emit("onWorklistChange", "account", account.id, {"old": old, "new": worklist})
    return True


def set_flag(account: Account, flag: str) -> bool:
    if flag in account.flags:
        return False
    account.flags = sorted({*account.flags, flag})
    return True


def clear_flag(account: Account, flag: str) -> bool:
    if flag not in account.flags:
        return False
    account.flags = [f for f in account.flags if f != flag]
    return True


def set_field(account: Account, name: str, value: Any) -> None:
    account.fields = {**account.fields, name: value}


def add_note(unit: Unit, account: Account, text: str) -> Note:
    note = Note(
        account_id=account.id,
        text=text,
        created_on=unit.today,
        run_id=unit.run_id,
        created_at=unit.now,
    )
    unit.session.add(note)
    return note


def create_task(
    unit: Unit,
    title: str,
    *,
    account_id: str | None = None,
    case_id: str | None = None,
    department: str | None = None,
    assignee: str | None = None,
    due_date: date | None = None,
) -> Task:
    task = Task(
        account_id=account_id,
        case_id=case_id,
        department=department,
        assignee=assignee,
        title=title,
        due_date=due_date,
        created_on=unit.today,
        run_id=unit.run_id,
        created_at=unit.now,
    )
    unit.session.add(task)
    return task


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
