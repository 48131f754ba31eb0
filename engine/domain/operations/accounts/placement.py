"""Placing accounts: the client row on first use, the parties, the account with its balances."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from engine.config.catalogue import DEFAULT_STATUS
from engine.config.model import BUCKETS
from engine.domain.errors import DomainError
from engine.domain.models import Account, AccountParty, Client, Party
from engine.domain.money import to_money
from engine.domain.operations.accounts.changes import check_status, check_worklist
from engine.domain.unit import Unit


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
    status: str = DEFAULT_STATUS["place_account"],
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
    check_status(unit, status)
    if worklist is not None:
        check_worklist(unit, worklist)
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
