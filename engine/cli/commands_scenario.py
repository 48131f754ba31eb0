"""``docket test``, ``docket simulate`` and ``docket sweep``: scenarios and the daily cycle.

Exit codes: 0 when every scenario passes, 1 when any fails (a scenario file that does not
validate is a failing scenario, reported with its file:line errors), 2 for usage errors
(a path that does not exist, no scenario files found, an unusable ``--db``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import click

from engine.cli.common import config_option, db_option, echo_json, json_option, load_or_exit
from engine.scenario.database import ENV_URL, scenario_db_base
from engine.scenario.errors import DatabaseChoiceError
from engine.scenario.model import display_path, is_scenario_file
from engine.scenario.runner import RuleSets, ScenarioResult, run_file
from engine.scenario.timeline import render

SUFFIXES = (".yaml", ".yml")


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Every scenario file under the paths (a named file is taken as given), in order."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise click.UsageError(f"'{path}' does not exist")
        if path.is_file():
            found.append(path)
            continue
        below = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        found.extend(p for p in below if is_scenario_file(p))
    if not found:
        raise click.UsageError("no scenario files (YAML with a top-level 'scenario:') found")
    unique: dict[Path, Path] = {p.resolve(): p for p in found}
    return list(unique.values())


def _db_base(db: str | None) -> str | None:
    try:
        return scenario_db_base(db)
    except DatabaseChoiceError as exc:
        raise click.UsageError(str(exc)) from exc


def _lines(result: ScenarioResult) -> list[str]:
    head = "PASS" if result.passed else "FAIL"
    lines = [f"{head} {display_path(result.path)}" + (f" — {result.name}" if result.name else "")]
    lines.extend(f"  {finding}" for finding in result.findings)
    for step in result.steps:
        if not step.ok:
            lines.append(f"  FAIL {step.step.label()} ({step.at}): {step.message}")
    if result.error is not None:
        lines.append("  expectations not checked: the scenario stopped at a failing step")
    for outcome in result.expectations:
        if outcome.passed:
            lines.append(f"  PASS {outcome.name}")
        else:
            lines.append(f"  FAIL {outcome.message}  ({outcome.mark})")
    lines.extend(f"  note: {problem}" for problem in result.problems)
    return lines


def _summary(results: list[ScenarioResult]) -> str:
    passed = sum(1 for r in results if r.passed)
    return f"{passed} passed, {len(results) - passed} failed"


@click.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--db",
    "db",
    default=None,
    help=f"PostgreSQL server for the scenarios' databases (default: {ENV_URL}, "
    "else a temporary SQLite file per scenario).",
)
@json_option
def test_command(paths: tuple[Path, ...], db: str | None, as_json: bool) -> None:
    """Run every scenario file under PATHS and report each expectation.

    Prints PASS or FAIL per scenario and per expectation (a failure shows what was expected
    and the closest items found), then "N passed, M failed". Exit 1 when any scenario fails.
    """
    files = scenario_files(paths)
    base = _db_base(db)
    rulesets = RuleSets()
    results: list[ScenarioResult] = []
    if not as_json and sys.stderr.isatty():
        with click.progressbar(
            files,
            label="scenarios",
            file=sys.stderr,
            item_show_func=lambda p: p.name if p else None,
        ) as bar:
            results.extend(run_file(path, rulesets, base) for path in bar)
    else:
        results.extend(run_file(path, rulesets, base) for path in files)
    if as_json:
        echo_json(
            {
                "scenarios": [r.as_json() for r in results],
                "passed": sum(1 for r in results if r.passed),
                "failed": sum(1 for r in results if not r.passed),
            }
        )
    else:
        for result in results:
            for line in _lines(result):
                click.echo(line)
        click.echo(_summary(results))
    if not all(r.passed for r in results):
        sys.exit(1)


@click.command("simulate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--db",
    "db",
    default=None,
    help=f"PostgreSQL server for the database (default: {ENV_URL}, else SQLite).",
)
@json_option
def simulate_command(file: Path, db: str | None, as_json: bool) -> None:
    """Run one scenario and print its day-by-day timeline, then its expectations.

    Each day shows the operations, events processed, triggers fired (LATE when caught up),
    status and worklist changes, letters/emails/SMS queued, tasks, notes and waits resumed.
    """
    result = run_file(file, RuleSets(), _db_base(db), with_timeline=True)
    if as_json:
        echo_json(result.as_json(with_timeline=True))
    else:
        for line in render(result.timeline):
            click.echo(line)
        click.echo("")
        for line in _lines(result):
            click.echo(line)
        click.echo(_summary([result]))
    if not result.passed:
        sys.exit(1)


@click.command("sweep")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Business date to run the cycle for (default: today in the agency zone).",
)
@db_option
@config_option
@json_option
def sweep_command(day: datetime | None, db_url: str, config_root: Path, as_json: bool) -> None:
    """Run the daily cycle by hand: date sweep with catch-up, due waits, hooks, inbox."""
    from engine.domain import SimulatedClock, SystemClock
    from engine.runtime import Engine
    from engine.scheduler import versions
    from engine.scheduler.jobs import run_day

    ruleset = load_or_exit(config_root)
    zone = ruleset.agency.timezone
    clock = SimulatedClock(day.date(), zone) if day is not None else SystemClock(zone)
    engine = Engine(ruleset, db_url, clock=clock)
    try:
        change = versions.adopt(engine)
        report = run_day(engine, clock.today())
    finally:
        engine.close()
    if as_json:
        echo_json({**report.as_json(), "version_change": change.as_json()})
        return
    swept = report.sweep
    entered = f"; {swept.entered_late} entered after the due day" if swept.entered_late else ""
    click.echo(
        f"swept {swept.day} (due days {swept.covered_from} to {swept.day}): "
        f"{swept.fired} fired ({swept.late} late), {swept.skipped} skipped{entered}"
    )
    for trigger in swept.triggers:
        if trigger.fired or trigger.skipped:
            click.echo(
                f"  {trigger.trigger}: {trigger.fired} fired ({trigger.late} late), "
                f"{trigger.skipped} skipped"
            )
    click.echo(f"waits: {len(report.waits.resumed)} resumed, {len(report.waits.failed)} failed")
    for run_id, error in report.waits.failed:
        click.echo(f"  run {run_id}: {error}")
    for problem in change.problems:
        click.echo(f"version: {problem}")
    click.echo(
        f"events: {report.processed.processed} processed "
        f"{dict(report.processed.outcomes) or ''}".rstrip()
    )


COMMANDS = [test_command, simulate_command, sweep_command]
