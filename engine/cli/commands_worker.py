"""``docket worker`` (a procrastinate worker of the distributed mode) and ``docket publish``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from engine.cli.common import config_option, db_option, load_or_exit


@click.command("worker")
@click.option("--name", default=None, help="Worker name in procrastinate's tables and logs.")
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs at once in this process (they share one engine: run more processes instead).",
)
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice(["events", "periodic", "relay"]),
    help="Take only these queues (default: all; without the relay, events and periodic).",
)
@click.option("--heartbeat", default=10.0, show_default=True, help="Heartbeat every N seconds.")
@click.option(
    "--stalled-after",
    default=30.0,
    show_default=True,
    help="A worker without a heartbeat for N seconds is gone: its jobs run again.",
)
@click.option(
    "--due-seconds",
    default=60,
    show_default=True,
    type=click.Choice(["1", "2", "5", "10", "15", "20", "30", "60"]),
    help="How often the due work runs (date sweeps once their hour is past, due waits).",
)
@click.option(
    "--relay/--no-relay",
    default=True,
    show_default=True,
    help="Run the outbox relay here (one relay job at a time across all workers).",
)
@click.option("--log-level", default="info", show_default=True)
@db_option
def worker_command(
    name: str | None,
    concurrency: int,
    queues: tuple[str, ...],
    heartbeat: float,
    stalled_after: float,
    due_seconds: str,
    relay: bool,
    log_level: str,
    db_url: str,
) -> None:
    """Run a worker of the distributed mode (PostgreSQL) until SIGTERM.

    It processes each subject's events in order (one subject at a time across all workers),
    resumes due waits, and runs the periodic jobs (date sweeps, outbox relay) once per period
    across all workers. It runs the configuration version published in the database and
    follows a new one as soon as it is published. Set the store up first with
    `docket db upgrade --distributed`.
    """
    from engine.api.logs import configure
    from engine.distributed.app import Timing, build_app, run_worker
    from engine.distributed.errors import NotDistributed
    from engine.distributed.schema import require_installed
    from engine.distributed.work import Worker
    from engine.scheduler.errors import NoPublishedVersion

    configure(log_level)
    try:
        require_installed(db_url)
        worker = Worker.open(db_url)
    except (NotDistributed, NoPublishedVersion) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if not relay and not queues:
        queues = ("events", "periodic")
    elif not relay and "relay" in queues:
        raise click.UsageError("--queue relay needs the relay: drop --no-relay")
    timing = Timing(
        due_cron="* * * * *" if due_seconds == "60" else f"* * * * * */{due_seconds}",
        relay_cron=Timing.relay_cron if relay else None,
        heartbeat_seconds=heartbeat,
        stalled_after_seconds=stalled_after,
    )
    logging.getLogger("docket.worker").info(
        "worker started",
        extra={"ruleset": worker.engine.ruleset.hash, "worker": name, "queues": list(queues)},
    )
    try:
        run_worker(
            build_app(db_url, worker, timing),
            name=name,
            concurrency=concurrency,
            queues=list(queues),
            timing=timing,
        )
    finally:
        worker.close()


@click.command("publish")
@config_option
@db_option
def publish_command(config_root: Path, db_url: str) -> None:
    """Validate the configuration and publish it in the database: workers switch to it.

    Waiting runs of older versions follow their path's on_change. An invalid configuration
    (connectors included: unknown types, bad settings, unset ${VARIABLES}) is refused with
    its errors and the published version stays.
    """
    from engine.runtime import Engine
    from engine.scheduler import versions

    ruleset = load_or_exit(config_root, connectors=True)
    engine = Engine(ruleset, db_url)  # records the version and publishes it
    try:
        change = versions.adopt(engine)
    finally:
        engine.close()
    click.echo(f"version {ruleset.hash[:12]} published")
    for problem in change.problems:
        click.echo(f"warning: {problem}", err=True)


COMMANDS = [worker_command, publish_command]
