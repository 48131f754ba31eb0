"""Accounts from CSV: one row per account and party; an account with several parties repeats
its ``account`` id on further rows, which add a party each.

The header is checked first: an unknown column (``principle``), a column named twice, an
unnamed column holding values, or a missing required column refuses the file. Rows are
numbered from 1, the first row after the header. An account's columns must agree on every
row that fills them (a later row may leave them empty); so must a party's.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from engine.cli.import_rows import (
    ACCOUNT_COLUMNS,
    PARTY_COLUMNS,
    PARTY_FIELDS,
    REQUIRED_COLUMNS,
    AccountRow,
    ImportRefused,
    RowError,
    check_roles,
    unknown_name,
)
from engine.config.model import BUCKETS

COLUMNS: tuple[str, ...] = (*ACCOUNT_COLUMNS, *PARTY_COLUMNS)
_ACCOUNT_VALUES = tuple(c for c in ACCOUNT_COLUMNS if c != "account")


def read_csv(text: str) -> tuple[list[AccountRow], list[RowError]]:
    """The accounts of a CSV text, and the rows that belong to no account."""
    records = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not records:
        raise ImportRefused(["the file is empty: its first row names the columns"])
    header = [name.strip() for name in records[0]]
    rows = records[1:]
    _check_header(header, rows)
    accounts: dict[str, AccountRow] = {}
    stray: list[RowError] = []
    parties: dict[str, dict[str, tuple[str, int]]] = {}  # id -> field -> (value, row)
    for number, cells in enumerate(rows, start=1):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) > len(header):
            message = f"{len(cells)} values, but the header names {len(header)} columns"
            stray.append(RowError(number, message))
            continue
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
        account_id = values.get("account", "")
        if not account_id:
            stray.append(RowError(number, "no account id: every row names its account", "account"))
            continue
        item = accounts.get(account_id)
        if item is None:
            item = accounts[account_id] = _account(number, account_id, values)
        else:
            _agree(item, number, values)
        item.rows.append(number)
        _party(item, number, values, parties)
    for item in accounts.values():
        for spec in item.parties:
            # Details given on any row of the file: each account can create its party.
            spec.update({name: value for name, (value, _row) in parties[spec["id"]].items()})
    return list(accounts.values()), stray


def _check_header(header: list[str], rows: list[list[str]]) -> None:
    problems: list[str] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        if not name:
            filled = next((n for n, r in enumerate(rows, 1) if index < len(r) and r[index]), 0)
            if filled:
                problems.append(
                    f"column {index + 1} has no name but holds values (row {filled}): "
                    "name it or remove it"
                )
        elif name in seen:
            problems.append(f"column '{name}' is named twice")
        elif name not in COLUMNS:
            problems.append(unknown_name(name, COLUMNS))
        seen.add(name)
    problems += [
        f"missing required column '{name}'" for name in REQUIRED_COLUMNS if name not in seen
    ]
    if problems:
        raise ImportRefused(problems)


def _account(number: int, account_id: str, values: dict[str, str]) -> AccountRow:
    spec: dict[str, Any] = {
        "id": account_id,
        "client": values.get("client") or None,
        "bundle": values.get("bundle") or None,
        "status": values.get("status") or None,
        "worklist": values.get("worklist") or None,
        "placed_date": values.get("placed_date") or None,
        "balances": {b: values[b] for b in BUCKETS if values.get(b)},
        "parties": [],
    }
    item = AccountRow(number, spec, columns={f"balances.{b}": b for b in BUCKETS})
    if not spec["client"]:
        item.fail("client", None, "missing: every account names its client")
    return item


def _agree(item: AccountRow, number: int, values: dict[str, str]) -> None:
    """A further row of an account: its account columns are empty or the same."""
    first = item.account
    for column in _ACCOUNT_VALUES:
        value = values.get(column, "")
        if not value:
            continue
        key = f"balances.{column}" if column in BUCKETS else column
        earlier = first["balances"].get(column) if column in BUCKETS else first.get(column)
        if earlier is None:
            item.fail(
                key,
                value,
                f"'{value}' is given on a later row of account '{first['id']}' than its "
                f"first (row {item.row}): write the account's columns on its first row",
                number,
            )
        elif value != earlier:
            item.fail(
                key,
                value,
                f"'{value}' differs from '{earlier}' on row {item.row}, the first row of "
                f"account '{first['id']}'",
                number,
            )


def _party(
    item: AccountRow,
    number: int,
    values: dict[str, str],
    parties: dict[str, dict[str, tuple[str, int]]],
) -> None:
    """The party of one row (if any), linked to its account, its details kept once."""
    party_id = values.get("party_id", "")
    details = {
        name: values[f"party_{name}"] for name in PARTY_FIELDS if values.get(f"party_{name}")
    }
    roles = [r.strip() for r in values.get("party_roles", "").split(";") if r.strip()]
    if not party_id:
        given = [f"party_{name}" for name in details] + (["party_roles"] if roles else [])
        if given:
            item.fail("party_id", None, f"missing, but {', '.join(given)} given", number)
        return
    if any(link["party"] == party_id for link in item.account["parties"]):
        message = f"party '{party_id}' is on account '{item.account['id']}' twice"
        item.fail("party_id", party_id, message, number)
        return
    check_roles(item, "party_roles", roles, number)
    item.account["parties"].append({"party": party_id, "roles": roles or ["responsible"]})
    item.parties.append({"id": party_id})
    known = parties.setdefault(party_id, {})
    for name, value in details.items():
        earlier, row = known.setdefault(name, (value, number))
        if earlier != value:
            message = (
                f"'{value}' differs from '{earlier}' given for party '{party_id}' on row {row}"
            )
            item.fail(f"party_{name}", value, message, number)
