"""The third ``docket demo`` story (open → authorize → file → judgment → mirrored payment) passes
on the sample agency, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from engine.cli.commands_demo import stories
from engine.scenario.runner import run_file
from engine.scenario.timeline import render
from tests.conftest import PG_URL, REPO


def test_the_judgment_story_shows_the_pills_and_the_mirror(db_url: str, tmp_path: Path) -> None:
    [story] = [path for path in stories() if path.name == "03-judgment-and-payment.yaml"]
    text = story.read_text(encoding="utf-8")
    assert "config:" not in text  # docket demo adds the sample agency's root
    copy = tmp_path / story.name
    copy.write_text(f"config: {json.dumps(str(REPO))}\n{text}", encoding="utf-8")
    base = None if db_url.startswith("sqlite") else PG_URL
    result = run_file(copy, db_base=base, with_timeline=True)
    assert result.error is None, result.error
    assert [o.message for o in result.failures] == []
    assert result.problems == []
    lines = render(result.timeline)
    assert "  status A1: LEGAL -> AJ" in lines
    assert "  status J1: NEW -> JDG" in lines
    assert any("'mirrors': {'A1': '330.69', 'A2': '169.31'}" in line for line in lines)
