"""Placing accounts: the client row on first use, the parties, the account with its balances."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from engine.config.catalogue import DEFAULT_STATUS
from engine.config.model import BUCKETS
from engine.domain.errors import DomainError, InvalidInput
from engine.domain.ids import check_id, check_zone
from engine.domain.models import Account, AccountParty, Client, Party
from engine.domain.operations.accounts.changes import check_status, check_worklist
from engine.domain.operations.params import money_param
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
    """Create or update a party from ``{id, name, email, phone, timezone, address}``; the id
    keeps the id rule and the time zone is one of the tz database."""
    if spec.get("id") is None or spec.get("id") == "":
        raise InvalidInput("id", "a party needs an id")
    party_id = check_id(spec["id"], "id", "party id")
    if spec.get("timezone") is not None:
        check_zone(spec["timezone"])
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
    id = unit.new_key(Account, id, "account")
    if bundle is not None:
        bundle = check_id(bundle, "bundle", "bundle")
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
            raise InvalidInput(
                ("balances", str(bucket)), f"account '{id}': unknown bucket '{bucket}'"
            )
        amount = money_param(("balances", bucket), value, f"balance '{bucket}'")
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
