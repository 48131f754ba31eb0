"""Options and the operation runner shared by the commands that press domain "buttons".

Each operation runs in one transaction at today's business date; a refused one prints
``error: …``, changes nothing and exits 1. Events it emits are processed at once unless
``--no-process``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from engine.cli.common import config_option, db_option, echo_json, json_option, open_engine
from engine.domain import DomainError

F = TypeVar("F", bound=Callable[..., Any])


def common_options(fn: F) -> F:
    for option in (json_option, db_option, config_option):
        fn = option(fn)
    return fn


def operation_options(fn: F) -> F:
    fn = click.option(
        "--no-process", is_flag=True, help="Only record; leave emitted events in the inbox."
    )(fn)
    return common_options(fn)


def parse_date(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.UsageError(f"{option} must be a date (YYYY-MM-DD), got '{value}'") from None


def run_operation(
    name: str,
    params: dict[str, Any],
    options: dict[str, Any],
    describe: Callable[[Any], str],
) -> None:
    engine = open_engine(options["config_root"], options["db_url"])
    try:
        try:
            result = engine.operate(name, params, source="cli")
        except DomainError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        stats = None if options["no_process"] else engine.process()
    finally:
        engine.close()
    if options["as_json"]:
        echo_json({"result": result, "processed": stats.as_json() if stats else None})
        return
    click.echo(describe(result))
    if stats is not None and stats.processed:
        click.echo(f"processed {stats.processed} event(s)")


def read(options: dict[str, Any], fn: Callable[[Any, Any], Any]) -> Any:
    """``fn(session, ruleset)`` at today's business date; a refusal exits 1."""
    engine = open_engine(options["config_root"], options["db_url"])
    try:
        return engine.read(lambda session: fn(session, engine.ruleset))
    except DomainError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        engine.close()
