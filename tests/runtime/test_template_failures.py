"""A template that fails while a run renders it names its file and the line that raised."""

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

Your dispute about {{ event.data.claim.reference }} is recorded.
"""
PATHS = """\
triggers:
  - {id: dispute-notice, on: onAfterDeceased, run: dispute-notice}
action_paths:
  - id: dispute-notice
    steps:
      - send_letter: {template: dispute-notice, to: responsible}
"""


def test_a_failing_template_names_its_file_and_line(db_url: str, tmp_path: Path) -> None:
    root = tmp_path / "config"
    shutil.copytree(CONFIG, root)
    (root / "rules" / "templates" / "dispute-notice.j2").write_text(NOTICE, encoding="utf-8")
    (root / "action_paths" / "dispute.yaml").write_text(PATHS, encoding="utf-8")
    ruleset = load_ruleset(root)
    engine = Engine(
        ruleset, db_url, clock=SimulatedClock(date(2026, 5, 4), ruleset.agency.timezone)
    )
    place(engine, "A1", "100.00")
    engine.process()
    event = engine.submit("onAfterDeceased", account="A1", data={})
    assert event.status != "rejected", event.reason
    engine.process()
    run = engine.read(
        lambda s: s.scalars(select(m.Run).where(m.Run.path_id == "dispute-notice")).one()
    )
    engine.close()
    assert run.status == "failed"
    assert str(run.error).startswith(
        "rules/templates/dispute-notice.j2:3:1: template 'dispute-notice' failed: "
        "'dict object' has no attribute 'claim'"
    ), run.error
