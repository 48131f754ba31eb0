"""``docket run`` (the service: API, scheduler, inbox loop, outbox relay) and ``docket token``."""

from __future__ import annotations

import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.cli.common import config_option, db_option, echo_json, json_option, load_or_exit
from engine.domain import StoreInUse, StoreLock, make_engine, session_factory, upgrade

ROLES = ("admin", "integrator", "viewer")


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--watch", is_flag=True, help="Reload when the configuration files change.")
@click.option(
    "--scheduler/--no-scheduler", default=True, show_default=True, help="Run the date sweeps."
)
@click.option("--relay/--no-relay", default=True, show_default=True, help="Send outbox messages.")
@click.option(
    "--distributed",
    is_flag=True,
    help="API only: events go to `docket worker` processes (PostgreSQL, see docs/deployment.md).",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@click.option("--log-level", default="info", show_default=True)
@config_option
@db_option
def run_command(
    host: str,
    port: int,
    watch: bool,
    scheduler: bool,
    relay: bool,
    distributed: bool,
    access_log: bool,
    log_level: str,
    config_root: Path,
    db_url: str,
) -> None:
    """Serve the HTTP API with the scheduler, the inbox loop and the outbox relay.

    One process; SIGTERM (or Ctrl-C) stops taking requests, lets the batch in progress
    finish, then exits. Logs are JSON lines on stderr.
    """
    import uvicorn

    from engine.api import ApiSettings, create_app
    from engine.api.logs import UVICORN_LOG_CONFIG, configure

    configure(log_level)
    # Errors printed like `docket validate`, exit 1; connectors too: their types, settings
    # and ${VARIABLES} are checked before the service starts, not by its first send.
    load_or_exit(config_root, connectors=True)
    # Held until the process ends (the kernel drops it however the process ends).
    store = None if distributed else _hold_store(db_url)
    _check_mode(db_url, distributed)
    settings = ApiSettings(
        config_root=config_root,
        db_url=db_url,
        process_inbox=not distributed,
        scheduler=scheduler and not distributed,
        relay=relay and not distributed,
        distributed=distributed,
        watch=watch,
        access_log=access_log,
    )
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=UVICORN_LOG_CONFIG,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=30,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    # Uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the handler
    # that was there before it: make that one a no-op, so a clean stop exits 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    logging.getLogger("docket.service").info(
        "listening", extra={"host": host, "port": port, "db": _safe_url(db_url)}
    )
    server.run()
    if store is not None:
        store.release()
    if not server.started:
        sys.exit(1)


def _hold_store(db_url: str) -> StoreLock | None:
    """This process's lock on a SQLite database; exit 1 naming the holder if another has it."""
    try:
        return StoreLock.take(db_url)
    except StoreInUse as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # no lock file beside the database (a read-only folder…)
        logging.getLogger("docket.service").warning(
            "cannot lock the database for this process: %s", exc
        )
        return None


def _check_mode(db_url: str, distributed: bool) -> None:
    """--distributed needs a store set up for workers; without it, such a store is a warning."""
    from engine.distributed.errors import NotDistributed
    from engine.distributed.schema import is_installed, require_installed

    log = logging.getLogger("docket.service")
    if distributed:
        try:
            require_installed(db_url)
        except NotDistributed as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        return
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            installed = is_installed(connection)
    finally:
        engine.dispose()
    if installed:
        log.warning(
            "this database is set up for workers: events also queue jobs for `docket worker`; "
            "run `docket run --distributed`, or `docket db upgrade --embedded` to stop that"
        )


def _safe_url(url: str) -> str:
    """The database URL without its password, for logs."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


@click.group("token")
def token_group() -> None:
    """API tokens: create (the secret is printed once), list, revoke."""


def _sessions(db_url: str) -> tuple[Engine, sessionmaker[Session]]:
    upgrade(db_url)
    engine = make_engine(db_url)
    return engine, session_factory(engine)


def _now() -> datetime:
    """Naive UTC, like the engine's clocks."""
    return datetime.now(UTC).replace(tzinfo=None)


@token_group.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the token may do.")
@click.option("--name", default=None, help="A name to recognise it by (default: role-id).")
@db_option
@json_option
def token_create(role: str, name: str | None, db_url: str, as_json: bool) -> None:
    """Create a token and print it once: only a salted hash is stored."""
    from engine.api import tokens

    engine, sessions = _sessions(db_url)
    try:
        with sessions() as session, session.begin():
            text, row = tokens.create_token(session, role, name, _now())
            facts = tokens.describe(row)
    finally:
        engine.dispose()
    if as_json:
        echo_json({**facts, "token": text})
        return
    click.echo(text)
    click.echo(
        f"token '{facts['name']}' ({role}, id {facts['id']}): copy it now, it is not shown again",
        err=True,
    )


@token_group.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked tokens.")
@db_option
@json_option
def token_list(include_revoked: bool, db_url: str, as_json: bool) -> None:
    """List tokens: id, name, role, created, last used (never the secret)."""
    from engine.api import tokens

    engine, sessions = _sessions(db_url)
    try:
        with sessions() as session:
            found = tokens.list_tokens(session, include_revoked)
    finally:
        engine.dispose()
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("no tokens")
    for t in found:
        used = t["last_used_at"].isoformat(timespec="seconds") if t["last_used_at"] else "never"
        revoked = f"  REVOKED {t['revoked_at']:%Y-%m-%d}" if t["revoked_at"] else ""
        click.echo(
            f"{t['id']}  {t['role']:<10}  {t['name']}  created {t['created_at']:%Y-%m-%d}  "
            f"last used {used}{revoked}"
        )


@token_group.command("revoke")
@click.argument("token")
@db_option
def token_revoke(token: str, db_url: str) -> None:
    """Revoke a token by id, name or the token text itself."""
    from engine.api import tokens

    engine, sessions = _sessions(db_url)
    try:
        with sessions() as session, session.begin():
            row = tokens.revoke(session, token, _now())
            name = row.name if row is not None else None
    finally:
        engine.dispose()
    if name is None:
        click.echo(f"no token '{token}'", err=True)
        sys.exit(1)
    click.echo(f"token '{name}' revoked")


COMMANDS = [run_command, token_group]
