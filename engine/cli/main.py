"""The ``docket`` command. Exit codes: 0 ok, 1 findings or failures, 2 usage errors."""

from __future__ import annotations

import sys

import click

from engine import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="docket")
def cli() -> None:
    """Docket: rules and triggers for collection agencies and their legal departments."""


def _register() -> None:
    # Explicit table of command modules; each defines one click command or group.
    from engine.cli import (
        commands_config,
        commands_demo,
        commands_events,
        commands_follow_up,
        commands_import,
        commands_legal,
        commands_outbox,
        commands_runtime,
        commands_scenario,
        commands_schema,
        commands_serve,
        commands_settlement,
        commands_worker,
    )

    for module in (
        commands_config,
        commands_schema,
        commands_runtime,
        commands_events,
        commands_import,
        commands_scenario,
        commands_follow_up,
        commands_settlement,
        commands_legal,
        commands_outbox,
        commands_demo,
        commands_serve,
        commands_worker,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


def main() -> None:
    _register()
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
