"""``docket validate``: check a configuration root and report every finding with its place."""

from __future__ import annotations

import json
from pathlib import Path

import click

from engine.config import Validation
from engine.config.loader import RULE_FOLDERS


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def summary(result: Validation) -> str:
    """One line: what was read and whether it is valid (with the ruleset hash when it is)."""
    files = _count(result.files, "file")
    warnings = f", {_count(len(result.warnings), 'warning')}" if result.warnings else ""
    if result.ruleset is None:
        return f"rules: {files} — invalid: {_count(len(result.errors), 'error')}{warnings}"
    triggers = _count(len(result.ruleset.triggers), "trigger")
    paths = _count(len(result.ruleset.action_paths), "action path")
    return (
        f"rules: {files}, {triggers}, {paths} — valid{warnings} (ruleset {result.ruleset.hash[:8]})"
    )


@click.command("validate")
@click.argument("root", default=".", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def validate_command(root: Path, as_json: bool) -> None:
    """Validate the configuration in ROOT (default: the current folder).

    Prints every error and warning as file:line:col, then a summary. Connectors are checked
    against their types' settings; an unset ${VARIABLE} is a warning here (`docket run`,
    reload and `docket publish` refuse it). Exit status 0 when valid (warnings allowed), 1
    when invalid, 2 when ROOT is not a configuration root.
    """
    if not root.is_dir():
        raise click.UsageError(f"'{root}' is not a folder")
    if not (root / RULE_FOLDERS[0]).is_dir():
        raise click.UsageError(
            f"'{root}' has no {RULE_FOLDERS[0]}/ folder: is it a configuration root?"
        )
    from engine.outbox import validate

    # The connectors too; an unset ${VARIABLE} is a warning here: this is seldom the
    # service's environment (run, reload and publish refuse it).
    result = validate(root, unset="warning")
    if as_json:
        payload = {
            "valid": result.valid,
            "hash": result.hash,
            "findings": [finding.as_json() for finding in result.findings],
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        for finding in result.findings:
            click.echo(str(finding))
        click.echo(summary(result))
    if not result.valid:
        raise SystemExit(1)


COMMANDS = [validate_command]
