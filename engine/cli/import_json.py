"""Accounts from JSON: a list of accounts, or ``{parties: [...], accounts: [...]}`` like a
scenario's ``given``. An account's party is an id, ``{party, roles}``, or the party itself
(``{id, name, email, phone, timezone, address, roles}``), created or updated with it.

Every key is checked first: one the importer does not know refuses the file, with a
suggestion. Accounts are numbered from 1 in the order written ("row 3" is the third).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engine.cli.import_rows import (
    PARTY_FIELDS,
    AccountRow,
    ImportRefused,
    check_roles,
    unknown_name,
)
from engine.config.model import BUCKETS

TOP_KEYS: tuple[str, ...] = ("parties", "accounts")
ACCOUNT_KEYS: tuple[str, ...] = (
    "id",
    "client",
    "bundle",
    "status",
    "worklist",
    "placed_date",
    "next_work_date",
    "balances",
    "parties",
    "fields",
    "flags",
)
PARTY_KEYS: tuple[str, ...] = ("id", *PARTY_FIELDS, "roles")
LINK_KEYS: tuple[str, ...] = ("party", "roles")


def read_json(text: str) -> list[AccountRow]:
    """The accounts of a JSON text; ``ImportRefused`` names every key not understood."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused([f"line {exc.lineno}:{exc.colno}: not JSON: {exc.msg}"]) from None
    problems: list[str] = []
    specs: dict[str, dict[str, Any]] = {}
    if isinstance(data, dict):
        problems += [unknown_name(key, TOP_KEYS, "key") for key in data if key not in TOP_KEYS]
        for index, party in enumerate(_list(data.get("parties"), "parties", problems), 1):
            if _keys(party, PARTY_KEYS, f"parties[{index}]", problems):
                specs[str(party.get("id"))] = _party_spec(party)
        accounts = _list(data.get("accounts"), "accounts", problems)
    elif isinstance(data, list):
        accounts = data
    else:
        problems.append("the file holds a list of accounts or {parties, accounts}")
        accounts = []
    rows = [_account(index, account, specs, problems) for index, account in enumerate(accounts, 1)]
    if problems:
        raise ImportRefused(problems)
    return rows


def _list(value: Any, name: str, problems: list[str]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"'{name}' must be a list")
        return []
    return value


def _keys(value: Any, known: tuple[str, ...], where: str, problems: list[str]) -> bool:
    if not isinstance(value, dict):
        problems.append(f"{where}: must be an object, not {json.dumps(value)[:40]}")
        return False
    for key in value:
        if key in known:
            continue
        if key in BUCKETS:
            problems.append(f"{where}: unknown key '{key}' (amounts go under 'balances')")
        else:
            problems.append(f"{where}: {unknown_name(key, known, 'key')}")
    return True


def _party_spec(party: Mapping[str, Any]) -> dict[str, Any]:
    spec = {key: value for key, value in party.items() if key != "roles"}
    if isinstance(spec.get("address"), Mapping):  # {line1, city, …} as one line
        spec["address"] = ", ".join(str(v) for v in spec["address"].values() if v)
    return spec


def _account(
    index: int, account: Any, specs: Mapping[str, dict[str, Any]], problems: list[str]
) -> AccountRow:
    where = f"account {index}"
    if not _keys(account, ACCOUNT_KEYS, where, problems):
        return AccountRow(index, {})
    row = dict(account)
    balances = row.get("balances") or {}
    if isinstance(balances, dict):
        for bucket in balances:
            if bucket not in BUCKETS:
                problems.append(f"{where}: {unknown_name(bucket, BUCKETS, 'balance')}")
    else:
        problems.append(f"{where}: 'balances' must be an object of amounts")
    item = AccountRow(index, row, rows=[index])
    links: list[dict[str, Any]] = []
    for number, link in enumerate(_list(row.get("parties"), f"{where}: parties", problems), 1):
        key = f"parties[{number}]"
        if isinstance(link, str):
            link = {"party": link}
        if not isinstance(link, dict) or ("party" in link) == ("id" in link):
            problems.append(f"{where}: {key} is a party id, {{party, roles}} or a party {{id, …}}")
            continue
        if "party" in link:
            _keys(link, LINK_KEYS, f"{where}: {key}", problems)
        elif _keys(link, PARTY_KEYS, f"{where}: {key}", problems):
            item.parties.append(_party_spec(link))
        party = str(link.get("party") or link.get("id"))
        roles = link.get("roles") or specs.get(party, {}).get("roles") or ["responsible"]
        if not isinstance(roles, list):
            problems.append(f"{where}: {key}.roles must be a list")
            continue
        check_roles(item, f"{key}.roles", [str(r) for r in roles])
        links.append({"party": party, "roles": roles})
        if party in specs:
            item.parties.append(specs[party])
    row["parties"] = links
    if not row.get("id"):
        item.fail("id", None, "missing: every account has an id")
    if not row.get("client"):
        item.fail("client", None, "missing: every account names its client")
    return item
