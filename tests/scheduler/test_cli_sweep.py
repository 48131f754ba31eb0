"""``docket sweep``: the daily cycle by hand on a real database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from engine.cli.main import _register, cli
from engine.config.model import RuleSet
from engine.domain.clock import SimulatedClock
from engine.runtime.engine import Engine
from tests.scheduler.conftest import TIMING, open_case, place


def test_docket_sweep_runs_the_cycle_once_per_day(tmp_path: Path, timing_ruleset: RuleSet) -> None:
    url = f"sqlite:///{tmp_path / 'docket.db'}"
    engine = Engine(timing_ruleset, url, clock=SimulatedClock(date(2026, 5, 1), "America/Chicago"))
    place(engine)
    open_case(engine, served_date="2026-05-01")
    engine.close()
    _register()
    runner = CliRunner()
    args = ["sweep", "--db", url, "--config", str(TIMING)]
    first = runner.invoke(cli, [*args, "--date", "2026-05-05"])
    assert first.exit_code == 0, first.output
    assert "swept 2026-05-05" in first.output
    assert first.output.splitlines()[0].endswith("0 fired (0 late), 0 skipped")
    second = runner.invoke(cli, [*args, "--date", "2026-05-06", "--json"])
    assert second.exit_code == 0, second.output
    report = json.loads(second.output)
    assert report["sweep"]["covered_from"] == "2026-05-05"
    assert report["sweep"]["triggers"] == [
        {"trigger": "service-check", "fired": 1, "late": 0, "skipped": 0, "entered_late": 0}
    ]
    assert report["processed"]["processed"] >= 1
    again = json.loads(runner.invoke(cli, [*args, "--date", "2026-05-06", "--json"]).output)
    assert again["sweep"]["fired"] == 0


def test_docket_sweep_counts_dates_entered_after_their_due_day(
    tmp_path: Path, timing_ruleset: RuleSet
) -> None:
    url = f"sqlite:///{tmp_path / 'docket.db'}"
    engine = Engine(timing_ruleset, url, clock=SimulatedClock(date(2026, 5, 1), "America/Chicago"))
    place(engine)
    engine.close()
    _register()
    runner = CliRunner()
    args = ["sweep", "--db", url, "--config", str(TIMING)]
    for day in ("2026-05-04", "2026-05-05", "2026-05-06"):
        assert runner.invoke(cli, [*args, "--date", day]).exit_code == 0
    engine = Engine(timing_ruleset, url, clock=SimulatedClock(date(2026, 5, 6), "America/Chicago"))
    open_case(engine, served_date="2026-04-30")  # service-check was due on 5 May, swept
    engine.close()
    result = runner.invoke(cli, [*args, "--date", "2026-05-07"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "swept 2026-05-07 (due days 2026-05-06 to 2026-05-07): 1 fired (1 late), 0 skipped; "
        "1 entered after the due day"
    )
    assert "  service-check: 1 fired (1 late), 0 skipped" in lines


def test_docket_sweep_rejects_a_bad_date(tmp_path: Path) -> None:
    _register()
    result = CliRunner().invoke(
        cli,
        ["sweep", "--date", "06/05/2026", "--config", str(TIMING), "--db", str(tmp_path / "x.db")],
    )
    assert result.exit_code == 2
