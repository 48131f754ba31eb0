"""A render or evaluation over ``agency.limits`` fails its run with a clear error and place."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import select

from engine import load_ruleset
from engine.domain import models as m
from engine.domain.clock import SimulatedClock
from engine.runtime.engine import Engine
from tests.runtime.helpers import CONFIG, place

NOTICE = """\
Dear {{ party.name }},
{% for i in range(event.data.n) %}{% for j in range(event.data.n) %}{% endfor %}{% endfor %}
"""
PATHS = """\
triggers:
  - {id: bomb, on: onAfterDeceased, run: bomb}
action_paths:
  - id: bomb
    steps:
      - STEP
"""


def _failed_run(db_url: str, tmp_path: Path, step: str, data: dict[str, object]) -> str:
    root = tmp_path / "config"
    shutil.copytree(CONFIG, root)
    (root / "rules" / "templates" / "bomb.j2").write_text(NOTICE, encoding="utf-8")
    (root / "action_paths" / "bomb.yaml").write_text(PATHS.replace("STEP", step), encoding="utf-8")
    agency = root / "rules" / "agency.yaml"
    agency.write_text(
        agency.read_text(encoding="utf-8").replace(
            "agency:\n", "agency:\n  limits: {render_ms: 200, output_bytes: 10000}\n", 1
        ),
        encoding="utf-8",
    )
    ruleset = load_ruleset(root)
    assert ruleset.agency.limits.render_ms == 200
    engine = Engine(
        ruleset, db_url, clock=SimulatedClock(date(2026, 5, 4), ruleset.agency.timezone)
    )
    place(engine, "A1", "100.00")
    engine.process()
    event = engine.submit("onAfterDeceased", account="A1", data=data)
    assert event.status != "rejected", event.reason
    engine.process()
    run = engine.read(lambda s: s.scalars(select(m.Run).where(m.Run.path_id == "bomb")).one())
    engine.close()
    assert run.status == "failed"
    return str(run.error)


def test_nested_loops_in_a_letter_fail_the_run_on_time(db_url: str, tmp_path: Path) -> None:
    error = _failed_run(
        db_url, tmp_path, "send_letter: {template: bomb, to: responsible}", {"n": 100000}
    )
    assert error.startswith("rules/templates/bomb.j2:2:"), error
    assert "took longer than 200 ms (agency.limits.render_ms)" in error


def test_a_repetition_in_a_parameter_fails_the_run(db_url: str, tmp_path: Path) -> None:
    error = _failed_run(
        db_url,
        tmp_path,
        'add_note: "{{ event.data.text * event.data.n }}"',
        {"text": "ab", "n": 10**8},
    )
    assert "action_paths/bomb.yaml:6:" in error, error
    assert "agency.limits.output_bytes" in error


def test_set_field_refuses_a_value_over_the_limit(db_url: str, tmp_path: Path) -> None:
    error = _failed_run(
        db_url,
        tmp_path,
        'set_field: {field: memo, value: "{{ event.data.text }}"}',
        {"text": "x" * 20000},
    )
    assert "set_field 'memo': the value is over 10000 characters" in error, error
