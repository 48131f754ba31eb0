"""``docket emit``, ``trace``, ``explain`` and ``db upgrade``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from engine.cli.common import config_option, db_option, echo_json, json_option, open_engine
from engine.cli.render import date_line, echo_event, echo_run
from engine.domain import upgrade
from engine.runtime import event_detail, run_detail


@click.command("emit")
@click.argument("event")
@click.option("--account", help="Account the event is about.")
@click.option("--case", help="Case the event is about.")
@click.option("--data", default=None, help="Event data as a JSON object.")
@click.option("--key", "idempotency_key", default=None, help="Idempotency key (replays dedupe).")
@click.option("--no-process", is_flag=True, help="Only put the event in the inbox.")
@config_option
@db_option
@json_option
def emit_command(
    event: str,
    account: str | None,
    case: str | None,
    data: str | None,
    idempotency_key: str | None,
    no_process: bool,
    config_root: Path,
    db_url: str,
    as_json: bool,
) -> None:
    """Put an event in the inbox and process it; print what fired."""
    if bool(account) == bool(case):
        raise click.UsageError("give exactly one of --account or --case")
    parsed: Any = None
    if data is not None:
        try:
            parsed = json.loads(data)
        except json.JSONDecodeError as exc:
            raise click.UsageError(f"--data is not valid JSON: {exc}") from exc
    engine = open_engine(config_root, db_url)
    try:
        submitted = engine.submit(
            event,
            account=account,
            case=case,
            data=parsed,
            idempotency_key=idempotency_key,
            source="cli",
        )
        if submitted.status == "pending" and not no_process:
            engine.process()
        detail = engine.read(lambda s: event_detail(s, submitted.id))
    finally:
        engine.close()
    if as_json:
        echo_json(detail)
    else:
        echo_event(detail)
    sys.exit(0 if detail and detail["status"] in ("processed", "pending") else 1)


@click.command("trace")
@click.argument("ref")
@db_option
@config_option
@json_option
def trace_command(ref: str, db_url: str, config_root: Path, as_json: bool) -> None:
    """Show a run (by number) or an event (by id): every condition and step result."""
    engine = open_engine(config_root, db_url)
    try:
        if ref.isdigit():
            detail = engine.read(lambda s: run_detail(s, int(ref)))
        else:
            detail = engine.read(lambda s: event_detail(s, ref))
    finally:
        engine.close()
    if detail is None:
        click.echo(f"no run or event '{ref}'", err=True)
        sys.exit(1)
    if as_json:
        echo_json(detail)
    elif "run" in detail:
        echo_run(detail)
    else:
        echo_event(detail)


@click.command("explain")
@click.option("--account", default=None, help="The account to explain.")
@click.option("--case", default=None, help="The case to explain.")
@click.option("--event", "event_name", default=None, help="Only this event name.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Business date the date triggers are told as of (default: today in the agency zone).",
)
@db_option
@config_option
@json_option
def explain_command(
    account: str | None,
    case: str | None,
    event_name: str | None,
    day: datetime | None,
    db_url: str,
    config_root: Path,
    as_json: bool,
) -> None:
    """Why did (or didn't) triggers fire for an account or a case: each event, each trigger,
    each value, the messages the contact policy held, and every date trigger's story."""
    from engine.scheduler.explain import explain

    if bool(account) == bool(case):
        raise click.UsageError("give exactly one of --account or --case")
    engine = open_engine(config_root, db_url)
    try:
        today = day.date() if day is not None else engine.clock.today()
        result = engine.read(
            lambda s: explain(
                s, engine.ruleset, today, account=account, case=case, event=event_name
            )
        )
    finally:
        engine.close()
    if as_json:
        echo_json(result)
        return
    for detail in result["events"]:
        echo_event(detail)
    if result["dates"]:
        click.echo(f"date triggers (as of {today}):")
        for entry in result["dates"]:
            click.echo(date_line(entry))
    for held in result.get("held") or []:
        click.echo(
            f"contact held: {held['channel']} {held['template'] or ''} -> {held['to']} on "
            f"{held['on']} (run {held['run']}): {held['status']} — {held['reason']}"
        )
    if result.get("note"):
        click.echo(result["note"])
    if not result["events"] and not result["dates"] and not result.get("note"):
        click.echo(f"no events for {'case ' + case if case else 'account ' + str(account)}")


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@click.option(
    "--distributed",
    "mode",
    flag_value="distributed",
    help="Also set PostgreSQL up for `docket worker` (procrastinate's schema, job per event).",
)
@click.option(
    "--embedded",
    "mode",
    flag_value="embedded",
    help="Stop deferring jobs for inbox events (back to one `docket run` process).",
)
@db_option
def db_upgrade(mode: str | None, db_url: str) -> None:
    """Create or migrate the database to the newest schema."""
    from engine.distributed import schema
    from engine.distributed.errors import NotDistributed

    note: str | None = None
    try:
        if mode == "distributed":
            note = schema.install(db_url)
        else:
            upgrade(db_url)
            if mode == "embedded":
                note = schema.uninstall(db_url)
    except NotDistributed as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"database {db_url} is at the newest schema")
    if note:
        click.echo(note)


COMMANDS = [emit_command, trace_command, explain_command, db_group]
