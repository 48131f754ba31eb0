"""``docket demo``: the sample agency's stories on a fresh SQLite database, as a timeline."""

from __future__ import annotations

import json
import sys
import tempfile
from importlib import resources
from pathlib import Path

import click

from connectors.folder import DEFAULT_FOLDER
from engine.cli.common import echo_json, json_option
from engine.outbox import relay_once
from engine.runtime import Engine
from engine.scenario.runner import RuleSets, run_file
from engine.scenario.timeline import render

REPO_ROOT = Path(__file__).resolve().parents[2]


def sample_root() -> Path:
    """The sample agency: the checkout's root, else the copy shipped in the wheel."""
    if (REPO_ROOT / "rules").is_dir() and (REPO_ROOT / "action_paths").is_dir():
        return REPO_ROOT
    shipped = Path(str(resources.files("engine") / "_data" / "sample"))
    if (shipped / "rules").is_dir():
        return shipped
    raise click.ClickException("the sample agency configuration is not installed")


def stories() -> list[Path]:
    folder = Path(str(resources.files("engine.cli") / "demo"))
    return sorted(folder.glob("*.yaml"))


@click.command("demo")
@json_option
def demo_command(as_json: bool) -> None:
    """Load the sample agency, play short stories from the seeds, print their timelines."""
    root = sample_root()
    rulesets = RuleSets()
    results = []
    sent: list[int] = []

    def relay(engine: Engine) -> None:
        # The sample agency configures no connector: the outbox folder connector writes every
        # message under ./docket-outbox, as a fresh checkout would.
        sent.extend(relay_once(engine).sent)

    with tempfile.TemporaryDirectory(prefix="docket-demo-") as tmp:
        for story in stories():
            # Each story runs on its own fresh SQLite database against the sample agency.
            copy = Path(tmp) / story.name
            text = story.read_text(encoding="utf-8")
            copy.write_text(f"config: {json.dumps(str(root))}\n{text}", encoding="utf-8")
            results.append(run_file(copy, rulesets, None, with_timeline=True, relay=relay))
    if as_json:
        echo_json([r.as_json(with_timeline=True) for r in results])
    else:
        click.echo(f"Docket demo — sample agency at {root}\n")
        for result in results:
            click.echo(f"== {result.name}")
            lines = render(result.timeline)
            for index, line in enumerate(lines):
                # Only days where something happened: a day line followed by its details.
                nxt = lines[index + 1] if index + 1 < len(lines) else ""
                if line.startswith("  ") or nxt.startswith("  "):
                    click.echo(line)
            verdict = "as expected" if result.passed else "NOT as expected"
            click.echo(f"-- {verdict}\n")
        outbox = Path.cwd() / DEFAULT_FOLDER
        click.echo(f"{len(sent)} messages sent through the outbox folder connector to {outbox}")
    sys.exit(0 if all(r.passed for r in results) else 1)


COMMANDS = [demo_command]
