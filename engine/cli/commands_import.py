"""``docket import accounts FILE``: clients, parties and accounts from CSV or JSON.

The file is read and its columns (or keys) checked before anything is written: one the
importer does not know refuses the whole file. Then each account is its own transaction: a
bad one is reported with its row, column and value, and the rest still load. Exit 1 when
anything failed.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from engine.cli.common import config_option, db_option, echo_json, json_option, open_engine
from engine.cli.import_csv import read_csv
from engine.cli.import_json import read_json
from engine.cli.import_rows import AccountRow, ImportRefused, RowError, check_values
from engine.config.yaml_messages import decode
from engine.domain import DomainError
from engine.domain.operations.accounts import place_account, upsert_party


def _read(file: Path) -> tuple[list[AccountRow], list[RowError]]:
    text, undecodable = decode(file.read_bytes(), file.name)
    if undecodable is not None:
        mark = undecodable.mark
        raise ImportRefused([f"line {mark.line}:{mark.col}: {undecodable.message}"])
    if file.suffix.lower() == ".csv":
        return read_csv(text)
    return read_json(text), []


def _place(unit: Any, item: AccountRow) -> str:
    for spec in item.parties:
        upsert_party(unit, spec)
    args = {k: v for k, v in item.account.items() if v is not None}
    return place_account(unit, **args).id


def _refused(file: Path, refused: ImportRefused, as_json: bool) -> NoReturn:
    if as_json:
        blank = {"row": None, "account": None, "column": None, "value": None}
        errors = [{**blank, "error": problem} for problem in refused.problems]
        echo_json({"imported": 0, "errors": errors, "events": None})
    else:
        for problem in refused.problems:
            click.echo(f"{file}: {problem}", err=True)
        click.echo("nothing imported: the file was refused before any row was written")
    sys.exit(1)


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
    if file.suffix.lower() not in (".csv", ".json"):
        raise click.UsageError("the file must end in .csv or .json")
    try:
        accounts, errors = _read(file)
    except ImportRefused as refused:
        _refused(file, refused, as_json)
    except OSError as exc:
        raise click.UsageError(f"cannot read {file}: {exc}") from exc
    engine = open_engine(config_root, db_url)
    imported: list[str] = []
    failed_rows = {error.row for error in errors}
    try:
        # The bar goes to a terminal's stderr only: stdout stays the report (JSON with --json).
        show = not as_json and sys.stderr.isatty()
        with click.progressbar(
            accounts, label="importing", file=sys.stderr if show else io.StringIO(), show_pos=True
        ) as bar:
            for item in bar:
                check_values(item, engine.ruleset)
                if not item.errors:
                    try:
                        with engine.unit(source="import") as unit:
                            imported.append(_place(unit, item))
                    except (DomainError, ValueError, TypeError) as exc:
                        item.errors.append(RowError(item.row, str(exc), account=item.account["id"]))
                if item.errors:
                    errors += item.errors
                    failed_rows.update(item.rows)
        stats = engine.process() if process else None
    finally:
        engine.close()
    errors.sort(key=lambda error: error.row)
    if as_json:
        echo_json(
            {
                "imported": len(imported),
                "errors": [error.as_json() for error in errors],
                "events": stats.as_json() if stats else None,
            }
        )
    else:
        for error in errors:
            click.echo(f"{file}: {error}", err=True)
        click.echo(f"imported {len(imported)} accounts, {len(failed_rows)} rows failed")
    sys.exit(1 if errors else 0)


COMMANDS = [import_group]
