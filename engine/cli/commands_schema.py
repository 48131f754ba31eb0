"""``docket schema``: list the JSON Schemas, or write them (generated fresh) to a folder."""

from __future__ import annotations

import json
from pathlib import Path

import click

from engine.config.schemagen import generate


def schema_json(schema: dict[str, object]) -> str:
    """A schema as the committed files hold it: JSON, indent 2, a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


@click.command("schema")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the schema files to this folder (created if missing).",
)
def schema_command(out: Path | None) -> None:
    """List Docket's JSON Schemas, or write them with --out DIR for editors and CI."""
    schemas = generate()
    if out is None:
        for name in schemas:
            click.echo(name)
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (out / name).write_text(schema_json(schema), encoding="utf-8")
        click.echo(f"wrote {out / name}")


COMMANDS = [schema_command]
