"""``docket events list|retry``: the inbox's events by status, and re-driving failed ones."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from engine.cli.common import (
    config_option,
    db_option,
    echo_json,
    echo_listing,
    json_option,
    open_engine,
)
from engine.runtime import Retried, event_list

STATUSES = ("pending", "processed", "failed", "rejected")


def _line(item: dict[str, Any]) -> str:
    subject = item["subject"]
    attempt = f"  attempt {item['attempt']}" if item["attempt"] > 1 else ""
    text = (
        f"{item['id']}  {item['status']:<9}  {item['name']:<28}  "
        f"{subject['kind']} {subject['id']}  {item['date']}{attempt}"
    )
    if item["failed"]:
        text += f"\n    failed triggers: {', '.join(item['failed'])}"
    if item["reason"]:
        text += f"\n    reason: {item['reason']}"
    return text


@click.group("events")
def events_group() -> None:
    """Events in the inbox by status; re-drive failed ones after the rule is fixed."""


@events_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--account", help="Only events about this account.")
@click.option("--limit", default=100, show_default=True, help="At most N events.")
@config_option
@db_option
@json_option
def list_command(
    status: str | None,
    account: str | None,
    limit: int,
    config_root: Path,
    db_url: str,
    as_json: bool,
) -> None:
    """List events oldest first, with their status, reason, failed triggers and attempt."""
    if limit < 1:
        raise click.UsageError("--limit must be at least 1")
    engine = open_engine(config_root, db_url)
    try:
        items, _more = engine.read(lambda s: event_list(s, status, account, None, limit))
    finally:
        engine.close()
    echo_listing(items, as_json, _line, "no events", status)


@events_group.command("retry")
@click.argument("event_ids", nargs=-1)
@click.option("--all-failed", is_flag=True, help="Every failed event, oldest first.")
@click.option("--no-process", is_flag=True, help="Leave the events they derive pending.")
@config_option
@db_option
@json_option
def retry_command(
    event_ids: tuple[str, ...],
    all_failed: bool,
    no_process: bool,
    config_root: Path,
    db_url: str,
    as_json: bool,
) -> None:
    """Run failed events' failed triggers again on this configuration (the active version).

    Each retry is a new attempt of the same event, traced with the attempts before it; the
    triggers that ran keep their outcome. Exits 1 if any event failed again or was refused.
    """
    if bool(event_ids) == all_failed:
        raise click.UsageError("give event ids, or --all-failed (not both)")
    engine = open_engine(config_root, db_url)
    try:
        ids = engine.failed_events() if all_failed else list(event_ids)
        answers = engine.retry(ids)
        if not no_process and any(a.retried for a in answers):
            engine.process()
    finally:
        engine.close()
    if as_json:
        echo_json([a.as_json() for a in answers])
    else:
        for answer in answers:
            click.echo(_answer(answer))
        if all_failed and not answers:
            click.echo("no failed events")
    sys.exit(0 if all(a.status == "processed" for a in answers) else 1)


def _answer(answer: Retried) -> str:
    if not answer.retried:
        return f"event {answer.id}: not retried: {answer.reason}"
    text = f"event {answer.id}: {answer.status} (attempt {answer.attempt})"
    return text + (f": {answer.reason}" if answer.reason else "")


COMMANDS = [events_group]
