"""Options and helpers shared by the ``docket`` commands."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from engine.config import ConfigError, load_ruleset
from engine.config.model import RuleSet
from engine.domain.models.base import json_default

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "sqlite:///docket.db"


def config_option(fn: F) -> F:
    return click.option(
        "--config",
        "config_root",
        default=lambda: os.environ.get("DOCKET_CONFIG", "."),
        show_default="DOCKET_CONFIG or .",
        type=click.Path(file_okay=False, path_type=Path),
        help="Configuration root (holds rules/ and action_paths/).",
    )(fn)


def db_option(fn: F) -> F:
    return click.option(
        "--db",
        "db_url",
        default=lambda: os.environ.get("DOCKET_DB", DEFAULT_DB),
        show_default="DOCKET_DB or sqlite:///docket.db",
        help="Database URL or SQLite file path.",
    )(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(fn)


def load_or_exit(root: Path, *, connectors: bool = False) -> RuleSet:
    """Load the configuration; on errors print them like ``docket validate`` and exit 1.

    ``connectors``: also the connectors stage, an unset ``${VARIABLE}`` an error (for what
    runs or publishes the configuration: it will send)."""
    try:
        if not connectors:
            return load_ruleset(root)
        from engine.outbox import validate

        result = validate(root, unset="error")
        if result.ruleset is None:
            raise ConfigError(result.findings)
        return result.ruleset
    except ConfigError as exc:
        for finding in exc.findings:
            click.echo(str(finding), err=True)
        click.echo(f"configuration at {root} is invalid; nothing was run", err=True)
        sys.exit(1)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc


def open_engine(root: Path, db_url: str, **kwargs: Any) -> Any:
    from engine.runtime import Engine

    return Engine(load_or_exit(root), db_url, **kwargs)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, default=json_default, indent=2, sort_keys=False))


def echo_listing(
    items: list[Any], as_json: bool, line: Callable[[Any], str], none: str, status: str | None
) -> None:
    """A listing: JSON for scripts, else a line per item, or "no …" (with the status asked)."""
    if as_json:
        echo_json(items)
        return
    for item in items:
        click.echo(line(item))
    if not items:
        click.echo(none + (f" with status {status}" if status else ""))
