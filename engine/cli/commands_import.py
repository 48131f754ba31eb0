"""``docket import accounts FILE``: clients, parties and accounts from CSV or JSON.

Each row is its own transaction: a bad row is reported with its number and reason and the
rest still load. Exit 1 when any row failed.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from engine.cli.common import config_option, db_option, echo_json, json_option, open_engine
from engine.config.model import BUCKETS
from engine.domain import DomainError
from engine.domain.operations.accounts import place_account, upsert_party

PARTY_KEYS = ("name", "email", "phone", "timezone", "address")


def _csv_rows(path: Path) -> Iterator[dict[str, Any]]:
    """CSV columns: account, client, bundle, status, worklist, placed_date, the buckets,
    party_id, party_name, party_email, party_phone, party_timezone, party_roles (a;b)."""
    with path.open(newline="", encoding="utf-8") as handle:
        for raw in csv.DictReader(handle):
            row = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
            party_id = row.get("party_id") or ""
            parties = []
            party_specs = []
            if party_id:
                roles = [r for r in (row.get("party_roles") or "").split(";") if r]
                parties.append({"party": party_id, "roles": roles or ["responsible"]})
                spec = {"id": party_id}
                spec.update({k: row[f"party_{k}"] for k in PARTY_KEYS if row.get(f"party_{k}")})
                party_specs.append(spec)
            yield {
                "id": row.get("account") or row.get("id"),
                "client": row.get("client"),
                "bundle": row.get("bundle") or None,
                "status": row.get("status") or None,
                "worklist": row.get("worklist") or None,
                "placed_date": row.get("placed_date") or None,
                "balances": {b: row[b] for b in BUCKETS if row.get(b)},
                "parties": parties,
                "_parties": party_specs,
            }


def _json_rows(path: Path) -> Iterator[dict[str, Any]]:
    """JSON: a list of accounts, or {parties: [...], accounts: [...]} like a scenario's given.

    An account's party is an id, ``{party, roles}``, or the party itself inline
    (``{id, name, email, …, roles}``), created or updated with the account.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        specs = {str(p.get("id")): p for p in data.get("parties", [])}
        accounts = data.get("accounts", [])
    else:
        specs, accounts = {}, data
    for account in accounts:
        row = dict(account)
        links, inline = [], []
        for link in row.get("parties") or []:
            if isinstance(link, dict) and "id" in link and "party" not in link:
                spec = {k: v for k, v in link.items() if k != "roles"}
                inline.append(spec)
                link = {"party": spec["id"], "roles": link.get("roles") or ["responsible"]}
            links.append(link)
        row["parties"] = links
        named = (specs.get(str(k if isinstance(k, str) else k.get("party"))) for k in links)
        row["_parties"] = [*inline, *(p for p in named if p)]
        yield row


def _place(unit: Any, row: dict[str, Any]) -> str:
    from datetime import date

    for spec in row.pop("_parties", []):
        upsert_party(unit, spec)
    if not row.get("id"):
        raise DomainError("missing account id")
    if not row.get("client"):
        raise DomainError(f"account '{row['id']}': missing client")
    args = {k: v for k, v in row.items() if v is not None}
    if "placed_date" in args and isinstance(args["placed_date"], str):
        args["placed_date"] = date.fromisoformat(args["placed_date"])
    account = place_account(unit, **args)
    return account.id


@click.group("import")
def import_group() -> None:
    """Load data into the store."""


@import_group.command("accounts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--process/--no-process", default=True, help="Process the placement events.")
@config_option
@db_option
@json_option
def import_accounts(
    file: Path, process: bool, config_root: Path, db_url: str, as_json: bool
) -> None:
    """Import accounts (with clients and parties) from FILE.csv or FILE.json."""
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise click.UsageError("the file must end in .csv or .json")
    try:
        rows = list(_csv_rows(file) if suffix == ".csv" else _json_rows(file))
    except (ValueError, OSError) as exc:
        raise click.UsageError(f"cannot read {file}: {exc}") from exc
    engine = open_engine(config_root, db_url)
    imported: list[str] = []
    errors: list[dict[str, Any]] = []
    try:
        # The bar goes to a terminal's stderr only: stdout stays the report (JSON with --json).
        show = not as_json and sys.stderr.isatty()
        with click.progressbar(
            rows, label="importing", file=sys.stderr if show else io.StringIO(), show_pos=True
        ) as bar:
            for number, row in enumerate(bar, start=1):
                try:
                    with engine.unit(source="import") as unit:
                        imported.append(_place(unit, dict(row)))
                except (DomainError, ValueError, TypeError) as exc:
                    errors.append({"row": number, "account": row.get("id"), "error": str(exc)})
        stats = engine.process() if process else None
    finally:
        engine.close()
    if as_json:
        echo_json(
            {
                "imported": len(imported),
                "errors": errors,
                "events": stats.as_json() if stats else None,
            }
        )
    else:
        for error in errors:
            click.echo(f"{file}: row {error['row']}: {error['error']}", err=True)
        click.echo(f"imported {len(imported)} accounts, {len(errors)} rows failed")
    sys.exit(1 if errors else 0)


COMMANDS = [import_group]
