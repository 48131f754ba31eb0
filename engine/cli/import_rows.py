"""What ``docket import accounts`` reads: the columns and keys it knows, the accounts it builds
from them, and the checks of their values, each failure naming its row, column and value.

A file with a column (or JSON key) the importer does not know, or without a required one, is
refused whole before anything is written (``ImportRefused``); a value that cannot be used
fails its account only (``RowError``), and the other accounts still load.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.config.errors import did_you_mean
from engine.config.model import BUCKETS, RuleSet
from engine.config.schemagen import ROLES
from engine.domain.money import to_money
from engine.errors import DocketError

PARTY_FIELDS: tuple[str, ...] = ("name", "email", "phone", "timezone", "address")
ACCOUNT_COLUMNS: tuple[str, ...] = (
    "account",
    "client",
    "bundle",
    "status",
    "worklist",
    "placed_date",
    *BUCKETS,
)
PARTY_COLUMNS: tuple[str, ...] = (
    "party_id",
    *(f"party_{name}" for name in PARTY_FIELDS),
    "party_roles",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("account", "client")
# Names people give a column, and the column they mean.
COLUMN_HINTS: Mapping[str, str] = {
    "id": "account",
    "account_id": "account",
    "client_code": "client",
    "balance": "principal",
    "amount": "principal",
    "party": "party_id",
    "roles": "party_roles",
}


class ImportRefused(DocketError):
    """The file cannot be imported at all (its columns or keys): nothing was written."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that cannot be imported: which row, column and value, and why."""

    row: int
    message: str
    column: str | None = None
    value: str | None = None
    account: str | None = None

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""
        return f"row {self.row}{column}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "account": self.account,
            "column": self.column,
            "value": self.value,
            "error": self.message,
        }


@dataclass(slots=True)
class AccountRow:
    """One account to place: the rows it was read from, ``place_account``'s arguments, the
    parties to create or update with it, and what is wrong with it (if anything)."""

    row: int
    account: dict[str, Any]
    parties: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # How the file names a value: ``balances.principal`` is the CSV column ``principal``.
    columns: dict[str, str] = field(default_factory=dict)

    def fail(self, key: str, value: Any, message: str, row: int | None = None) -> None:
        self.errors.append(
            RowError(
                self.row if row is None else row,
                message,
                self.columns.get(key, key),
                None if value is None else str(value),
                self.account.get("id"),
            )
        )


def unknown_name(name: str, known: Collection[str], what: str = "column") -> str:
    """``unknown column 'principle' (did you mean 'principal'?)``."""
    hint = COLUMN_HINTS.get(name)
    suggestion = f" (did you mean '{hint}'?)" if hint in known else did_you_mean(name, known)
    return f"unknown {what} '{name}'{suggestion}"


def check_roles(item: AccountRow, key: str, roles: Iterable[str], row: int | None = None) -> None:
    for role in roles:
        if role not in ROLES:
            message = f"unknown role '{role}'{did_you_mean(role, ROLES)}"
            item.fail(key, role, message, row)


def check_values(item: AccountRow, ruleset: RuleSet) -> None:
    """Check the values the configuration decides, and turn dates into dates."""
    spec = item.account
    known: tuple[tuple[str, Collection[str], str], ...] = (
        ("client", ruleset.clients, "client"),
        ("status", ruleset.status_codes, "status code"),
        ("worklist", ruleset.worklists, "worklist"),
    )
    for key, names, label in known:
        value = spec.get(key)
        if value is not None and value not in names:
            hint = did_you_mean(str(value), sorted(names))
            item.fail(
                key, value, f"unknown {label} '{value}': it is not in the configuration{hint}"
            )
    for key in ("placed_date", "next_work_date"):
        value = spec.get(key)
        if isinstance(value, str):
            try:
                spec[key] = date.fromisoformat(value)
            except ValueError as exc:
                item.fail(key, value, f"'{value}' is not a date written YYYY-MM-DD ({exc})")
    for bucket, amount in (spec.get("balances") or {}).items():
        key = f"balances.{bucket}"
        try:
            money = to_money(amount)
        except (TypeError, ValueError):
            item.fail(key, amount, f"'{amount}' is not an amount (write e.g. 1200.00)")
            continue
        if money < 0:
            item.fail(key, amount, f"'{amount}' is negative: a balance is what is owed")
