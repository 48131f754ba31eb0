"""``docket outbox list|show|retry|cancel|relay``: the messages waiting to leave, and the relay."""

from __future__ import annotations

import logging
import sys
import time
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
from engine.config.errors import ConfigError
from engine.outbox import (
    LEASE_SECONDS,
    OutboxError,
    Unrecorded,
    admin,
    record_kept,
    relay_once,
    routing,
)


def _redactor(engine: Any) -> admin.Redact:
    router, _findings = routing.build(engine.ruleset)
    router.close()
    return router.redact


def _line(item: dict[str, Any]) -> str:
    text = (
        f"{item['id']:>6}  {item['status']:<9}  {item['channel']:<7}  "
        f"{item['template'] or '-':<24}  {item['to'] or '-':<16}  {item['created_on']}"
        f"  attempts {item['attempts']}"
    )
    if item["next_attempt_at"] and item["status"] in ("pending", "deferred", "in_doubt"):
        text += f"  next {item['next_attempt_at']}"
    if item["reason"]:
        text += f"\n        reason: {item['reason']}"
    if item["last_error"]:  # in doubt, it is why the message waits and what to do
        label = "why" if item["status"] == "in_doubt" else "error"
        text += f"\n        {label}: {item['last_error']}"
    return text


@click.group("outbox")
def outbox_group() -> None:
    """Messages waiting to leave (letters, emails, SMS, webhooks), dead letters, the relay."""


@outbox_group.command("list")
@click.option("--status", type=click.Choice(admin.STATUSES), help="Only this status.")
@click.option("--channel", help="Only this channel (letter, email, sms, webhook…).")
@click.option("--account", help="Only messages about this account.")
@click.option("--limit", default=100, show_default=True, help="Most recent N messages.")
@config_option
@db_option
@json_option
def list_command(
    status: str | None,
    channel: str | None,
    account: str | None,
    limit: int,
    config_root: Path,
    db_url: str,
    as_json: bool,
) -> None:
    """List outbox messages, oldest first, with their status and last error."""
    engine = open_engine(config_root, db_url)
    try:
        redact = _redactor(engine)
        filters = admin.Filters(status, channel, account, limit)
        items = engine.read(lambda s: admin.listing(s, filters, redact))
    finally:
        engine.close()
    echo_listing(items, as_json, _line, "no outbox messages", status)


@outbox_group.command("show")
@click.argument("ref")
@config_option
@db_option
@json_option
def show_command(ref: str, config_root: Path, db_url: str, as_json: bool) -> None:
    """Show one message (by number or key): recipient, body, attempts, error, receipt."""
    engine = open_engine(config_root, db_url)
    try:
        redact = _redactor(engine)
        item = engine.read(lambda s: admin.detail(admin.find(s, ref), redact))
    except OutboxError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    finally:
        engine.close()
    if as_json:
        echo_json(item)
        return
    click.echo(_line(item))
    for key in ("key", "idempotency_key", "connector", "receipt", "receipt_detail", "run"):
        if item.get(key) is not None:
            click.echo(f"  {key}: {item[key]}")
    recipient = item["recipient"] or {}
    click.echo(f"  recipient: {recipient.get('name') or '-'} <{recipient.get('address') or '-'}>")
    payload = dict(item["payload"])
    body = payload.pop("body", None)
    for key, value in payload.items():
        click.echo(f"  {key}: {value}")
    if body is not None:
        click.echo("  body:")
        for text in str(body).splitlines():
            click.echo(f"    {text}")


def _change(
    ref: tuple[str, ...],
    config_root: Path,
    db_url: str,
    retry: bool,
    account: tuple[str, str | None] | None = None,
) -> None:
    """Retry or cancel each message of ``ref``, or (retry) those of ``account`` (id, status)."""
    engine = open_engine(config_root, db_url)
    failed = False
    try:
        if account is not None:
            ref = tuple(engine.read(lambda s: admin.retryable(s, *account)))
            if not ref:
                which = f"{account[1]} " if account[1] else ""
                click.echo(f"no {which}messages to retry for account {account[0]}")
        for one in ref:
            try:
                with engine.unit("cli") as unit:
                    row = (
                        admin.retry(unit.session, one) if retry else admin.cancel(unit.session, one)
                    )
                    click.echo(f"message {row.id}: {row.status}")
            except OutboxError as exc:
                click.echo(str(exc), err=True)
                failed = True
    finally:
        engine.close()
    sys.exit(1 if failed else 0)


@outbox_group.command("retry")
@click.argument("ref", nargs=-1)
@click.option("--account", help="Every message about this account that can be retried.")
@click.option(
    "--status",
    type=click.Choice(sorted(admin.RETRYABLE)),
    help="With --account: only messages of this status (blocked: those a hold parked).",
)
@config_option
@db_option
def retry_command(
    ref: tuple[str, ...], account: str | None, status: str | None, config_root: Path, db_url: str
) -> None:
    """Put dead (or in-doubt, blocked, cancelled) messages back in the queue, due now.

    Name them by number or key, or take an account's: ``--account A1 --status blocked`` after
    a hold is lifted. Each passes the contact policy again before it is sent.
    """
    if bool(ref) == bool(account):
        raise click.UsageError("give message numbers or keys, or --account (not both)")
    if status and not account:
        raise click.UsageError("--status selects an account's messages: give --account too")
    selection = (account, status) if account else None
    _change(ref, config_root, db_url, retry=True, account=selection)


@outbox_group.command("cancel")
@click.argument("ref", nargs=-1, required=True)
@config_option
@db_option
def cancel_command(ref: tuple[str, ...], config_root: Path, db_url: str) -> None:
    """Never send these messages (they stay listed, cancelled)."""
    _change(ref, config_root, db_url, retry=False)


@outbox_group.command("relay")
@click.option("--once", is_flag=True, help="One pass over the due messages, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@click.option("--limit", type=int, default=None, help="At most N messages per pass.")
@click.option("--lease", default=LEASE_SECONDS, show_default=True, help="Seconds a send may take.")
@config_option
@db_option
@json_option
def relay_command(
    once: bool,
    interval: float,
    limit: int | None,
    lease: float,
    config_root: Path,
    db_url: str,
    as_json: bool,
) -> None:
    """Send due messages through their connectors (until interrupted, or ``--once``)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engine = open_engine(config_root, db_url)
    try:
        router = routing.router_for(engine.ruleset)
    except ConfigError as exc:
        for finding in exc.findings:
            click.echo(str(finding), err=True)
        engine.close()
        sys.exit(1)
    unrecorded = Unrecorded()  # outcomes not written yet: written first by the next pass
    try:
        while True:
            report = relay_once(
                engine, router=router, limit=limit, lease_seconds=lease, unrecorded=unrecorded
            )
            if as_json:
                echo_json(report.as_json())
            else:
                counts = {k: len(v) for k, v in report.as_json().items() if v}
                click.echo(
                    "relay: " + (", ".join(f"{k} {n}" for k, n in counts.items()) or "nothing due")
                )
            if once:
                break
            if not report.busy:
                time.sleep(interval)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        pass
    finally:
        router.close()
        if len(unrecorded):
            record_kept(engine, unrecorded)  # a last try before the memory goes
        engine.close()
    if len(unrecorded):
        click.echo(
            f"error: {len(unrecorded)} message(s) went out but could not be recorded; they will "
            "be in doubt when their lease runs out (`docket outbox list --status in_doubt`)",
            err=True,
        )
        sys.exit(1)


COMMANDS = [outbox_group]
